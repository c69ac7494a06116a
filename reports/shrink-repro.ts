// Shrinking a repro file: the smallest tape found that still breaks the same
// invariant, as a new repro (fresh fingerprint, trace length and draw labels)
// that records what it was shrunk from.
import { checkBugs, resolveScenario, runScenario, UsageError } from '../api.ts';
import { shrinkTape, DEFAULT_SHRINK_RUNS } from '../sim/shrink.ts';
import { makeRepro, type ReproFile } from './repro.ts';

export { DEFAULT_SHRINK_RUNS };

export interface ShrinkReproResult {
  readonly repro: ReproFile;
  readonly before: { readonly tape: number; readonly events: number };
  readonly after: { readonly tape: number; readonly events: number };
  /** Simulation runs the shrinker spent. */
  readonly runs: number;
}

/**
 * Shrink a failing repro. `maxRuns` bounds the search (default
 * DEFAULT_SHRINK_RUNS); when it runs out the best tape so far is kept. The
 * scenario must be a built-in name or a module already loaded with
 * `loadScenario`. A repro that does not fail (or no longer fails as recorded)
 * is a UsageError.
 */
export function shrinkRepro(repro: ReproFile, options: { maxRuns?: number } = {}): ShrinkReproResult {
  const scenario = resolveScenario(repro.scenario);
  checkBugs(repro.bugs);
  const bugs = [...repro.bugs].sort();
  const original = runScenario(scenario, { tape: repro.tape, bugs });
  if (!original.violation) throw new UsageError(`the repro of '${repro.scenario}' does not fail when replayed: nothing to shrink (check it with 'npx lnsim replay FILE --check')`);
  if (repro.violation && original.violation.invariant !== repro.violation.invariant) {
    throw new UsageError(`the repro recorded a violation of '${repro.violation.invariant}' but replays to '${original.violation.invariant}': check it with 'npx lnsim replay FILE --check'`);
  }
  const shrunk = shrinkTape(scenario.build(new Set(bugs)), repro.tape, { maxRuns: options.maxRuns ?? DEFAULT_SHRINK_RUNS });
  const final = runScenario(scenario, { tape: shrunk.tape, bugs, recordLabels: true });
  const shrunkFrom = repro.shrunkFrom ?? { tapeLength: repro.tape.length, events: repro.events };
  return {
    repro: makeRepro({
      scenario: repro.scenario,
      ...(repro.scenarioFile !== undefined ? { scenarioFile: repro.scenarioFile } : {}),
      seed: repro.seed,
      bugs: repro.bugs,
      tape: shrunk.tape,
      fingerprint: final.fingerprint,
      events: final.events,
      violation: final.violation ?? null,
      labels: final.labels,
      command: repro.command,
      shrunkFrom,
    }),
    before: { tape: repro.tape.length, events: original.events },
    after: { tape: shrunk.tape.length, events: final.events },
    runs: shrunk.runs,
  };
}
