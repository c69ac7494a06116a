// Quiet blocks: nodes skip blocks they provably ignore (the ln node's quiet blocks and chain-watch memos, keyed on
// the chain's revision). Skipping must never show: every built-in scenario, and each planted bug in its scenario,
// gives the same fingerprints with the skips switched off (setQuietBlocks).
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario, SCENARIOS } from '../api.ts';
import { BUGS } from '../model/index.ts';
import { setQuietBlocks } from '../sim/world.ts';

afterEach(() => {
  setQuietBlocks(true);
});

describe('every built-in scenario gives the same fingerprints with quiet blocks off', () => {
  const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
  for (const scenario of SCENARIOS.filter((s) => !s.prepare).map((s) => s.name)) {
    it(scenario, () => {
      const on = seeds.map((seed) => runScenario(scenario, { seed }).fingerprint);
      setQuietBlocks(false);
      const off = seeds.map((seed) => runScenario(scenario, { seed }).fingerprint);
      expect(off).toEqual(on);
    });
  }
});

describe('each planted bug, in its scenario: the same fingerprints with quiet blocks off', () => {
  const seeds = Array.from({ length: 6 }, (_, i) => i + 1);
  const builtIn = new Set(SCENARIOS.filter((s) => !s.prepare).map((s) => s.name));
  for (const bug of BUGS.filter((b) => builtIn.has(b.scenario))) {
    it(`${bug.id} (${bug.scenario})`, () => {
      const on = seeds.map((seed) => runScenario(bug.scenario, { seed, bugs: [bug.id] }).fingerprint);
      setQuietBlocks(false);
      const off = seeds.map((seed) => runScenario(bug.scenario, { seed, bugs: [bug.id] }).fingerprint);
      expect(off).toEqual(on);
    });
  }
});
