import { describe, expect, it } from 'vitest';
import { SeededChoices, TapeChoices } from '../sim/choices.ts';

describe('Choices', () => {
  it('a seed always draws the same values', () => {
    const a = new SeededChoices(42);
    const b = new SeededChoices(42);
    const draw = (c: SeededChoices) => Array.from({ length: 50 }, (_, i) => c.int(i % 2 ? 'workload' : 'faults', 1000, 'x'));
    expect(draw(a)).toEqual(draw(b));
    expect(draw(new SeededChoices(43))).not.toEqual(draw(new SeededChoices(42)));
  });

  it('draws on one stream never shift another stream', () => {
    const plain = new SeededChoices(7);
    const busy = new SeededChoices(7);
    const workload: number[][] = [[], []];
    for (let i = 0; i < 20; i++) {
      workload[0].push(plain.int('workload', 100, 'w'));
      busy.int('faults', 100, 'a fault kind added later');
      workload[1].push(busy.int('workload', 100, 'w'));
    }
    expect(workload[1]).toEqual(workload[0]);
  });

  it('replaying the recorded tape gives the same draws, and labels are kept on request', () => {
    const seeded = new SeededChoices(9, { recordLabels: true });
    const values = Array.from({ length: 30 }, (_, i) => seeded.int('s', 7 + i, `draw ${i}`));
    const tape = new TapeChoices(seeded.tape);
    expect(Array.from({ length: 30 }, (_, i) => tape.int('s', 7 + i, `draw ${i}`))).toEqual(values);
    expect(seeded.labels?.[3]).toBe('draw 3');
  });

  it('a tape that runs out answers 0 and chance answers no', () => {
    const tape = new TapeChoices([5]);
    expect(tape.int('s', 10, 'first')).toBe(5);
    expect(tape.int('s', 10, 'past the end')).toBe(0);
    expect(tape.chance('faults', 0.99, 'crash?')).toBe(false);
    expect(tape.consumed).toBe(3);
  });

  it('tape values beyond a range wrap into it', () => {
    expect(new TapeChoices([17]).int('s', 5, 'x')).toBe(2);
  });

  it('a range of one is no decision and is not recorded', () => {
    const c = new SeededChoices(1);
    expect(c.int('s', 1, 'only one option')).toBe(0);
    expect(c.tape).toEqual([]);
  });
});
