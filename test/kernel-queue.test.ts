import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../sim/queue.ts';

describe('EventQueue', () => {
  it('pops by time, and in insertion order among equal times', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 200 }), (times) => {
        const q = new EventQueue<number>();
        times.forEach((t, i) => q.push(t, i));
        const popped: { time: number; event: number }[] = [];
        for (let e = q.popEvent(); e !== undefined; e = q.popEvent()) popped.push({ time: q.lastTime, event: e });
        const expected = times.map((t, i) => ({ time: t, event: i })).sort((a, b) => a.time - b.time || a.event - b.event);
        expect(popped).toEqual(expected);
      }),
    );
  });
});
