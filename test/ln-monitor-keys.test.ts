import { describe, expect, it } from 'vitest';
import { monitorKey, updateKey, updatePrefix } from '../model/ln/monitor.ts';

// The keys are made once and handed out again (a reused key string keeps its hash): they must stay the very keys
// the persistence layout names, whether they come from the cache or are made afresh.
describe('monitor disk keys', () => {
  it('are the layout keys, cached or not, in any order of asking', () => {
    for (const channel of ['ab', 'x/y', '']) {
      for (const id of [7, 0, 3, 1023, 1024, 5000, 12345678, 2.5, -1, 7]) {
        expect(updateKey(channel, id)).toBe(`monitor-update/${channel}/${String(id).padStart(8, '0')}`);
      }
      expect(updatePrefix(channel)).toBe(`monitor-update/${channel}/`);
      expect(monitorKey(channel)).toBe(`monitor/${channel}`);
      expect(updateKey(channel, 3).startsWith(updatePrefix(channel))).toBe(true);
    }
  });
});
