// Every planted bug of the Lightning model is caught, by the invariant its
// catalog entry names, within its bounded sweep; with every bug off the same
// scenarios stay green over many more seeds.
import { describe, expect, it } from 'vitest';
import { sweep } from '../api.ts';
import { bugs } from '../model/ln/catalog.ts';
import { scenarios } from '../scenarios/ln/index.ts';

describe('Lightning planted bugs', () => {
  for (const bug of bugs) {
    it(`${bug.id} is caught by ${bug.invariant} in ${bug.scenario} within ${bug.maxSeeds ?? 5000} seeds`, () => {
      const result = sweep({ scenarios: [bug.scenario], seeds: bug.maxSeeds ?? 5000, bugs: [bug.id], stopOnFirst: true });
      expect(result.failures.length, `${bug.id} was not caught`).toBe(1);
      expect(result.failures[0].violation!.invariant).toBe(bug.invariant);
    });
  }
});

describe('Lightning model without planted bugs', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name} stays green over 2,000 seeds`, () => {
      const result = sweep({ scenarios: [scenario], seeds: 2000 });
      const first = result.failures[0];
      expect(first ? `seed ${first.seed}: ${first.violation!.invariant}: ${first.violation!.message}` : 'green').toBe('green');
      expect(result.runs).toBe(2000);
    });
  }
});
