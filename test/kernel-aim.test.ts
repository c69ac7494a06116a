import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyClass } from '../sim/aim.ts';

describe('aim key classes', () => {
  it('are the key without its trailing digits, as /\\d+$/ cuts them', () => {
    const keys = fc.oneof(fc.string(), fc.stringMatching(/^[a-z/-]{0,12}[0-9]{0,4}$/), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(keys, (key) => {
        expect(keyClass(key)).toBe(key.replace(/\d+$/, ''));
      }),
    );
    expect(keyClass('monitor-update/ab/17')).toBe('monitor-update/ab/');
    expect(keyClass('123')).toBe('');
    expect(keyClass('manager')).toBe('manager');
  });
});
