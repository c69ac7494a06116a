// The library API: the CLI, vitest tests and scenario authors all run
// simulations through these functions.
import { runSim, type RunOptions, type RunResult } from './sim/runner.ts';
import type { Violation } from './sim/world.ts';
import { BUGS, findBug } from './model/index.ts';
import { findScenario, type Scenario } from './scenarios/index.ts';

export const HARNESS_VERSION = '0.1.0';

export class UsageError extends Error {}

export interface ScenarioRunOptions extends Omit<RunOptions, 'seed' | 'tape'> {
  readonly seed?: number;
  readonly tape?: readonly number[];
  /** Planted bugs to switch on. */
  readonly bugs?: readonly string[];
}

export interface ScenarioRunResult extends RunResult {
  readonly scenario: string;
  readonly seed: number | undefined;
  readonly bugs: readonly string[];
}

export function resolveScenario(scenario: Scenario | string): Scenario {
  if (typeof scenario !== 'string') return scenario;
  const found = findScenario(scenario);
  if (!found) throw new UsageError(`unknown scenario '${scenario}': run 'lnsim list' to see the scenarios`);
  return found;
}

export function checkBugs(bugs: readonly string[]): void {
  for (const id of bugs) {
    if (!findBug(id)) throw new UsageError(`unknown planted bug '${id}': run 'lnsim list' to see the bug ids`);
  }
}

/** Run one scenario for one seed (or tape). */
export function runScenario(scenario: Scenario | string, options: ScenarioRunOptions): ScenarioRunResult {
  const resolved = resolveScenario(scenario);
  const bugs = [...(options.bugs ?? [])].sort();
  checkBugs(bugs);
  const spec = resolved.build(new Set(bugs));
  const result = runSim(spec, options);
  return { ...result, scenario: resolved.name, seed: options.seed, bugs };
}

export interface SweepOptions {
  readonly scenarios: readonly (Scenario | string)[];
  /** First seed. */
  readonly from?: number;
  /** Seeds per scenario. */
  readonly seeds: number;
  readonly bugs?: readonly string[];
  readonly stopOnFirst?: boolean;
  /** Called after every run. Return false to stop the sweep early (Ctrl-C). */
  readonly onRun?: (run: SweepRun) => boolean | void;
}

/** The outcome of one run, without the world (sweeps keep only this). */
export interface SweepRun {
  readonly scenario: string;
  readonly seed: number;
  readonly bugs: readonly string[];
  readonly fingerprint: string;
  readonly events: number;
  readonly violation: Violation | undefined;
  /** Kept only for failing runs (repro files). */
  readonly tape: readonly number[] | undefined;
}

export interface SweepResult {
  readonly runs: number;
  readonly events: number;
  readonly failures: readonly SweepRun[];
  readonly interrupted: boolean;
}

/** Seeds `from .. from+seeds-1` of every scenario, one thread. */
export function sweep(options: SweepOptions): SweepResult {
  const scenarios = options.scenarios.map(resolveScenario);
  const bugs = [...(options.bugs ?? [])].sort();
  checkBugs(bugs);
  const from = options.from ?? 1;
  let runs = 0;
  let events = 0;
  const failures: SweepRun[] = [];
  for (const scenario of scenarios) {
    const spec = scenario.build(new Set(bugs));
    for (let seed = from; seed < from + options.seeds; seed++) {
      const result = runSim(spec, { seed });
      runs++;
      events += result.events;
      const run: SweepRun = {
        scenario: scenario.name,
        seed,
        bugs,
        fingerprint: result.fingerprint,
        events: result.events,
        violation: result.violation,
        tape: result.violation ? result.tape : undefined,
      };
      if (run.violation) failures.push(run);
      const keepGoing = options.onRun?.(run);
      if (keepGoing === false) return { runs, events, failures, interrupted: true };
      if (run.violation && options.stopOnFirst) return { runs, events, failures, interrupted: false };
    }
  }
  return { runs, events, failures, interrupted: false };
}

export { BUGS };
export { INVARIANTS } from './model/index.ts';
export { SCENARIOS, defaultMix, findScenario } from './scenarios/index.ts';
