// Every Lightning planted bug in the catalog has a test that sweeps for it.
import { describe, expect, it } from 'vitest';
import { bugs } from '../model/ln/catalog.ts';
import { LN_BUG_FILES } from './ln-bug-sweeps.ts';

describe('Lightning bug catalog', () => {
  it('every bug is swept by a test file, and no test names a bug that is not in the catalog', () => {
    const tested = Object.values(LN_BUG_FILES).flat().sort();
    expect(tested).toEqual(bugs.map((b) => b.id).sort());
  });

  it('every bug names a known scenario and a bound of at most 5,000 seeds', async () => {
    const { findScenario } = await import('../scenarios/index.ts');
    for (const bug of bugs) {
      expect(findScenario(bug.scenario), bug.id).toBeDefined();
      expect(bug.maxSeeds ?? 5000).toBeLessThanOrEqual(5000);
    }
  });
});
