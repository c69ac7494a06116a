// Every planted bug of the LSPS2 slice is caught, by the invariant its catalog
// entry names, within its bounded sweep of its scenario.
import { describe, expect, it } from 'vitest';
import { sweep } from '../api.ts';
import { bugs } from '../model/lsps2/catalog.ts';
import { scenarios } from '../scenarios/lsps2/index.ts';

describe('LSPS2 planted bugs', () => {
  it('the catalog holds the 14 cln-* bugs of DESIGN 5.2 and the 2 that prove the spec oracles, each on one of this slice\'s scenarios', () => {
    expect(bugs.map((b) => b.id).sort()).toEqual(
      ['cln-fee-min-plus', 'cln-cltv-margin', 'cln-abandon-all', 'cln-cltv-late', 'cln-double-fund', 'cln-expire-live', 'cln-fee-on-parts', 'cln-finalize-create', 'cln-htlc-id', 'cln-orphan-withheld', 'cln-perm-code', 'cln-recovery-abort', 'cln-recovery-addpart', 'cln-scid-fund', 'cln-scid-mismatch', 'cln-trust-flag'].sort(),
    );
    for (const b of bugs) expect(scenarios.map((s) => s.name)).toContain(b.scenario);
  });

  for (const bug of bugs) {
    it(`${bug.id} is caught by ${bug.invariant} in ${bug.scenario} within ${bug.maxSeeds} seeds`, () => {
      const result = sweep({ scenarios: [bug.scenario], seeds: bug.maxSeeds ?? 5000, bugs: [bug.id], stopOnFirst: true });
      expect(result.failures.length, `${bug.id} was not caught`).toBe(1);
      const failure = result.failures[0];
      expect(failure.violation!.invariant, `seed ${failure.seed}: ${failure.violation!.message}`).toBe(bug.invariant);
      console.log(`${bug.id}: caught by ${bug.invariant} at seed ${failure.seed} (${result.runs} runs)`);
    });
  }
});
