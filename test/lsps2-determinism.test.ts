// Same scenario, same seed: the same trace, byte for byte (and a recorded tape
// replays it); different seeds explore different runs.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { scenarios } from '../scenarios/lsps2/index.ts';

describe('LSPS2 determinism', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: the same seed twice gives the same fingerprint`, () => {
      const seeds = [1, 7, 42, 999];
      const once = seeds.map((seed) => runScenario(scenario, { seed }).fingerprint);
      const twice = seeds.map((seed) => runScenario(scenario, { seed }).fingerprint);
      expect(twice).toEqual(once);
      expect(new Set(once).size).toBe(seeds.length);
    });
    it(`${scenario.name}: a bug-on run replays from its tape`, () => {
      const original = runScenario(scenario, { seed: 3, bugs: ['cln-htlc-id'] });
      expect(runScenario(scenario, { tape: original.tape, bugs: ['cln-htlc-id'] }).fingerprint).toBe(original.fingerprint);
    });
  }
});
