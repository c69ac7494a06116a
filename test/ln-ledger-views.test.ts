// The ledger's end-of-run views (wealth, unresolved work) are worked out once
// per finished world and kept for the last world asked about. Asking about
// another world must replace them, never answer from the first one's.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { unresolved, wealth } from '../model/ln/invariants/ledger.ts';
import type { World } from '../sim/world.ts';

function views(world: World): { wealth: number[]; unresolved: string | undefined } {
  return { wealth: world.nodeIds().map((n) => wealth(world, n)), unresolved: unresolved(world) };
}

describe('ledger end views', () => {
  it('answer for the world asked about, when worlds alternate', () => {
    const a = runScenario('two-node-payments', { seed: 1 }).world;
    const b = runScenario('two-node-payments', { seed: 3 }).world;
    expect(a.done && b.done).toBe(true);
    const first = views(a);
    const other = views(b);
    // Not vacuous: the two runs end with different balances.
    expect(other.wealth).not.toEqual(first.wealth);
    expect(views(a)).toEqual(first);
    expect(views(b)).toEqual(other);
    // Each node's wealth is asked once per view and then read back: the same numbers either way.
    expect(a.nodeIds().map((n) => wealth(a, n))).toEqual(first.wealth);
  });
});
