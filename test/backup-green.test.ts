// With every planted bug off, a large sweep of backup-churn finds no violation.
import { describe, expect, it } from 'vitest';
import { sweep } from '../api.ts';

const SEEDS = 20_000;

describe('backup-churn without planted bugs', () => {
  it(`holds its invariant for ${SEEDS} seeds`, () => {
    const result = sweep({ scenarios: ['backup-churn'], seeds: SEEDS, stopOnFirst: true });
    const first = result.failures[0];
    expect(first && `seed ${first.seed}: ${first.violation!.invariant}: ${first.violation!.message}`).toBeUndefined();
    expect(result.runs).toBe(SEEDS);
  });
});
