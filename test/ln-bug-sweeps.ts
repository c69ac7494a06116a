// Shared by the Lightning planted-bug test files (split so vitest runs them on both cores).
import { expect, it } from 'vitest';
import { sweep } from '../api.ts';
import { bugs } from '../model/ln/catalog.ts';

/**
 * Each listed bug is caught, by the invariant its catalog entry names, within its bounded sweep. A run stops at its
 * first violation; a run whose first violation is another invariant (the bug broke several things) does not count,
 * and the sweep goes on until a run fails the named one.
 */
export function bugIsCaught(id: string): void {
  const bug = bugs.find((b) => b.id === id);
  if (!bug) throw new Error(`no Lightning planted bug ${id}`);
  const bound = bug.maxSeeds ?? 5000;
  it(`${bug.id} is caught by ${bug.invariant} in ${bug.scenario} within ${bound} seeds`, () => {
    let caught: { seed: number; message: string } | undefined;
    const others: string[] = [];
    sweep({
      scenarios: [bug.scenario],
      seeds: bound,
      bugs: [bug.id],
      onRun: (run) => {
        if (!run.violation) return true;
        if (run.violation.invariant !== bug.invariant) {
          others.push(`${run.seed}:${run.violation.invariant}`);
          return true;
        }
        caught = { seed: run.seed, message: run.violation.message };
        return false;
      },
    });
    expect(caught, `${bug.id} was not caught by ${bug.invariant} in ${bound} seeds (other violations: ${others.slice(0, 5).join(', ')})`).toBeDefined();
  });
}

/** Every Lightning bug is covered by one of the test files. */
export const LN_BUG_FILES: Record<string, readonly string[]> = {
  'ln-bugs-slice': ['ln-early-raa', 'ln-fail-credit', 'ln-closed-preimage-ignored', 'ldk-3113', 'ldk-3021', 'ldk-2112', 'ldk-same-hash', 'ldk-3414'],
  'ln-bugs-forward': ['ldk-2169', 'ldk-3120', 'ldk-3989', 'ldk-4377'],
  'ln-bugs-mpp': ['ldk-3988'],
  'ln-bugs-close': ['lnd-8393', 'lnd-8145'],
  'ln-bugs-open': ['ldk-1678'],
  'ln-bugs-archive': ['ldk-3450'],
  'ln-bugs-timely': ['ln-failback-late', 'ln-claimed-late', 'ldk-2364'],
  'ln-bugs-penalty': ['ln-penalty-no-htlc', 'ln-penalty-late', 'ln-secrets-not-persisted'],
};
