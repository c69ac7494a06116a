// Seeds that once broke the correct Lightning model, outside the green sweeps' range. Each names the bug it found.
// They run as NAME+plain: found before the scenario aimed its faults, they replay the same run only with aiming off.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';

const REGRESSIONS = [
  { scenario: 'channel-open-restart+plain', seed: 426, found: 'a new channel forgotten at boot had its monitor closed twice (once as forgotten, once as an orphan)' },
  { scenario: 'channel-open-restart+plain', seed: 4086, found: 'a boot reused the epoch of update files an earlier boot left behind, so a stale update loaded as current' },
] as const;

describe('Lightning model regressions', () => {
  for (const r of REGRESSIONS) {
    it(`${r.scenario} seed ${r.seed} stays green (${r.found})`, () => {
      const run = runScenario(r.scenario, { seed: r.seed });
      expect(run.violation ? `${run.violation.invariant}: ${run.violation.message}` : 'green').toBe('green');
    });
  }
});
