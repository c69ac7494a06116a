// Monitor file names are kept per channel and update id once made (model/ln/monitor.ts): the names handed out
// again, and those past the bounds, are exactly the disk layout's.
import { describe, expect, it } from 'vitest';
import { monitorKey, updateKey } from '../model/ln/monitor.ts';

describe('monitor file names', () => {
  it('are the layout names, first time, again, and past the kept ids', () => {
    for (const round of [1, 2]) {
      expect(monitorKey('ab'), `round ${round}`).toBe('monitor/ab');
      expect(updateKey('ab', 0)).toBe('monitor-update/ab/00000000');
      expect(updateKey('ab', 7)).toBe('monitor-update/ab/00000007');
      expect(updateKey('ab', 1023)).toBe('monitor-update/ab/00001023');
      expect(updateKey('ab', 1024)).toBe('monitor-update/ab/00001024');
      expect(updateKey('ab', 123456789)).toBe('monitor-update/ab/123456789');
    }
    // Past the kept channels: still made, never mixed up.
    for (let i = 0; i < 300; i++) expect(updateKey(`ch${i}`, i % 5)).toBe(`monitor-update/ch${i}/0000000${i % 5}`);
    expect(monitorKey('ch299')).toBe('monitor/ch299');
  });
});
