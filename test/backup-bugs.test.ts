// Every planted bug of the backup slice is caught by a bounded sweep of its
// scenario, as a violation of the invariant the catalog names; and runs are
// deterministic.
import { describe, expect, it } from 'vitest';
import { runScenario, sweep } from '../api.ts';
import { bugs } from '../model/backup/catalog.ts';

describe('backup planted bugs', () => {
  for (const bug of bugs) {
    it(`${bug.id} violates ${bug.invariant} within ${bug.maxSeeds} seeds of ${bug.scenario}`, () => {
      expect(bug.maxSeeds).toBeLessThanOrEqual(5_000);
      const result = sweep({ scenarios: [bug.scenario], seeds: bug.maxSeeds!, bugs: [bug.id], stopOnFirst: true });
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0].violation!.invariant).toBe(bug.invariant);
    });
  }
});

describe('backup-churn determinism', () => {
  it('gives the same fingerprint for the same seed, with or without kept records', () => {
    for (const seed of [1, 7, 123]) {
      const a = runScenario('backup-churn', { seed });
      const b = runScenario('backup-churn', { seed, keepRecords: true, recordLabels: true });
      expect(b.fingerprint).toBe(a.fingerprint);
      expect(b.events).toBe(a.events);
      expect(b.tape).toEqual(a.tape);
    }
    expect(runScenario('backup-churn', { seed: 2 }).fingerprint).not.toBe(runScenario('backup-churn', { seed: 1 }).fingerprint);
  });

  it('replays a run exactly from its tape', () => {
    const seeded = runScenario('backup-churn', { seed: 18, bugs: ['lnd-scb-inplace'] });
    const replayed = runScenario('backup-churn', { tape: seeded.tape, bugs: ['lnd-scb-inplace'] });
    expect(replayed.fingerprint).toBe(seeded.fingerprint);
    expect(replayed.violation).toEqual(seeded.violation);
  });
});
