// The harness's power, measured: for each planted bug, search its scenario with
// the bug on (by default seed after seed, as `npm start` runs it; or with
// aiming off, aiming on everywhere, or coverage-guided fuzz) until the
// invariant the catalog names fails or the budget runs out; then shrink the
// failing run. Reports seeds and seconds
// to detection, which invariant fired (a different one firing first is
// flagged), and the shrunk trace length. Wall-clock time is read here, between
// simulations, only to measure and to enforce the budget.
import { BUGS, checkBugs, findScenario, sweep, UsageError } from '../api.ts';
import type { BugEntry } from '../model/catalog.ts';
import { makeRepro, type ReproFile } from '../reports/repro.ts';
import { shrinkRepro } from '../reports/shrink-repro.ts';
import { runSim } from '../sim/runner.ts';
import { fuzz } from '../sweep/fuzz.ts';
import { aimedScenario, plainScenario } from './aimed.ts';
import type { Scenario } from './scenario.ts';

/**
 * How hunt searches:
 * - sweep: seeds in order, the scenario as the default mix runs it (its own aim setting);
 * - plain: seeds in order, aimed faults off (the plain swarm sweep);
 * - aim: seeds in order, aimed faults on (NAME+aim);
 * - fuzz: coverage-guided tape mutation (sweep/fuzz.ts): half the runs are the sweep's seeds, half mutants.
 */
export const HUNT_SEARCHES = ['sweep', 'plain', 'aim', 'fuzz'] as const;
export type HuntSearch = (typeof HUNT_SEARCHES)[number];
/** The search hunt uses unless told otherwise: the one that caught the most planted bugs in `npm run bench`'s searches section. */
export const DEFAULT_HUNT_SEARCH: HuntSearch = 'sweep';

/** Check a search name; a UsageError naming the valid ones otherwise. */
export function checkSearch(name: string): HuntSearch {
  if ((HUNT_SEARCHES as readonly string[]).includes(name)) return name as HuntSearch;
  throw new UsageError(`hunt: unknown search '${name}': use one of ${HUNT_SEARCHES.join(', ')}`);
}

/** The scenario a seed-order search sweeps. */
function searchedScenario(scenario: Scenario, search: HuntSearch): Scenario {
  return search === 'plain' ? plainScenario(scenario) : search === 'aim' ? aimedScenario(scenario) : scenario;
}

export interface HuntOptions {
  /** Planted bug ids to hunt. Default: every bug in the catalog. */
  readonly bugs?: readonly string[];
  /** Wall-clock seconds each bug may take before it counts as not caught. Default 60. */
  readonly budgetSeconds?: number;
  /** Most seeds per bug (an exact, machine-independent bound). Default: no bound but the budget. */
  readonly maxSeeds?: number;
  /** First seed (fuzz: of its fresh runs). Default 1. */
  readonly from?: number;
  /** How to search. Default DEFAULT_HUNT_SEARCH. */
  readonly search?: HuntSearch;
  /** Simulation runs the shrinker may spend on each caught bug; 0 skips shrinking. Default 500. */
  readonly shrinkRuns?: number;
  /** Called as each bug's hunt finishes (live output). */
  readonly onResult?: (result: HuntResult) => void;
}

export const DEFAULT_HUNT_BUDGET_SECONDS = 60;
export const DEFAULT_HUNT_SHRINK_RUNS = 500;

export interface HuntViolation {
  /** The run's seed; null for a fuzz mutant. */
  readonly seed: number | null;
  readonly invariant: string;
  readonly message: string;
}

export interface HuntShrink {
  /** Tape and trace length of the failing run as found... */
  readonly before: { readonly tape: number; readonly events: number };
  /** ...and after shrinking. */
  readonly after: { readonly tape: number; readonly events: number };
  /** Simulation runs spent shrinking. */
  readonly runs: number;
  readonly seconds: number;
}

export interface HuntResult {
  readonly bug: string;
  readonly scenario: string;
  /** The invariant the catalog says must catch the bug. */
  readonly invariant: string;
  /** The expected invariant failed within the budget. */
  readonly caught: boolean;
  readonly search: HuntSearch;
  /** The first seed whose run broke the expected invariant (null when a fuzz mutant did). */
  readonly seed: number | null;
  /** Runs (seeds, and fuzz's mutants): up to and including the catching run, or all that fit in the budget. */
  readonly seeds: number;
  /** Wall-clock seconds of the search (shrinking excluded). */
  readonly seconds: number;
  /** Trace records simulated by the search. */
  readonly events: number;
  /** Why the search stopped. */
  readonly stoppedBy: 'caught' | 'budget' | 'max-seeds' | 'error';
  /** The violation of the expected invariant. */
  readonly violation: HuntViolation | null;
  /** A violation of another invariant seen before the expected one: the wrong detector fired first. */
  readonly wrongInvariant: HuntViolation | null;
  /** Shrinking of the catching run (null when not caught, skipped or unavailable; see note). */
  readonly shrunk: HuntShrink | null;
  /** The catching run as a repro file (shrunk when shrinking ran). Not part of --json output. */
  readonly repro: ReproFile | null;
  readonly note: string | null;
}

export interface HuntReport {
  readonly results: readonly HuntResult[];
  readonly caught: number;
  readonly total: number;
  readonly budgetSeconds: number;
  readonly search: HuntSearch;
  readonly elapsedSeconds: number;
}

/** Hunt every selected planted bug, one after another, in this thread. */
export function hunt(options: HuntOptions = {}): HuntReport {
  const started = performance.now();
  const ids = options.bugs ?? BUGS.map((b) => b.id);
  checkBugs(ids);
  const budgetSeconds = options.budgetSeconds ?? DEFAULT_HUNT_BUDGET_SECONDS;
  if (!(budgetSeconds > 0)) throw new UsageError(`hunt: the budget must be a positive number of seconds, got ${budgetSeconds}`);
  const search = checkSearch(options.search ?? DEFAULT_HUNT_SEARCH);
  const entries = [...new Set(ids)].map((id) => BUGS.find((b) => b.id === id)!);
  const results: HuntResult[] = [];
  for (const entry of entries) {
    const result = huntOne(entry, { ...options, budgetSeconds, search });
    results.push(result);
    options.onResult?.(result);
  }
  return { results, caught: results.filter((r) => r.caught).length, total: results.length, budgetSeconds, search, elapsedSeconds: (performance.now() - started) / 1000 };
}

/** Hunt one planted bug. */
export function huntOne(entry: BugEntry, options: HuntOptions & { budgetSeconds: number }): HuntResult {
  const from = options.from ?? 1;
  const search = options.search ?? DEFAULT_HUNT_SEARCH;
  const base = { bug: entry.id, scenario: entry.scenario, invariant: entry.invariant, search };
  const scenario = findScenario(entry.scenario);
  if (!scenario) {
    return { ...base, caught: false, seed: null, seeds: 0, seconds: 0, events: 0, stoppedBy: 'error', violation: null, wrongInvariant: null, shrunk: null, repro: null, note: `the catalog names scenario '${entry.scenario}', which does not exist` };
  }
  const started = performance.now();
  const deadline = started + options.budgetSeconds * 1000;
  let caught: HuntViolation | null = null;
  let wrong: HuntViolation | null = null;
  let tape: readonly number[] | undefined;
  let outOfTime = false;
  let runs = 0;
  let events = 0;
  if (search === 'fuzz') {
    const outcome = fuzz({
      scenarios: [scenario],
      bugs: [entry.id],
      from,
      iterations: options.maxSeeds,
      budgetSeconds: options.budgetSeconds,
      stopOnFirst: true,
      invariant: entry.invariant,
      onRun: (run) => {
        if (run.violation && run.violation.invariant !== entry.invariant) wrong ??= { seed: run.seed, invariant: run.violation.invariant, message: run.violation.message };
      },
    }).scenarios[0];
    runs = outcome.runs;
    events = outcome.events;
    outOfTime = outcome.stoppedBy === 'budget';
    const failure = outcome.failures.find((f) => f.invariant === entry.invariant);
    if (failure) {
      caught = { seed: failure.seed, invariant: failure.invariant, message: failure.message };
      tape = failure.tape;
    }
  } else {
    const outcome = sweep({
      scenarios: [searchedScenario(scenario, search)],
      from,
      seeds: options.maxSeeds ?? Number.MAX_SAFE_INTEGER - from,
      bugs: [entry.id],
      onRun: (run) => {
        if (run.violation) {
          const found = { seed: run.seed, invariant: run.violation.invariant, message: run.violation.message };
          if (run.violation.invariant === entry.invariant) {
            caught = found;
            tape = run.tape;
            return false;
          }
          wrong ??= found;
        }
        if (performance.now() >= deadline) {
          outOfTime = true;
          return false;
        }
        return true;
      },
    });
    runs = outcome.runs;
    events = outcome.events;
  }
  const seconds = (performance.now() - started) / 1000;
  const hit = caught as HuntViolation | null;
  const searched = { seeds: runs, seconds, events, wrongInvariant: wrong as HuntViolation | null };
  if (!hit || !tape) {
    return { ...base, ...searched, caught: false, seed: null, stoppedBy: outOfTime ? 'budget' : 'max-seeds', violation: null, shrunk: null, repro: null, note: null };
  }
  const { repro, shrunk, note } = reproOf(entry, searchedScenario(scenario, search), hit, tape, options.shrinkRuns ?? DEFAULT_HUNT_SHRINK_RUNS, search, from);
  return { ...base, ...searched, caught: true, seed: hit.seed, stoppedBy: 'caught', violation: hit, shrunk, repro, note };
}

/** The catching run as a repro (labels recorded), shrunk within `shrinkRuns` runs. */
function reproOf(entry: BugEntry, scenario: Scenario, hit: HuntViolation, tape: readonly number[], shrinkRuns: number, search: HuntSearch, from: number): { repro: ReproFile; shrunk: HuntShrink | null; note: string | null } {
  const rerun = runSim(scenario.build(new Set([entry.id])), { tape, recordLabels: true });
  // A seed replays by itself; a fuzz mutant is reproduced by the same search (it is deterministic).
  const command =
    hit.seed !== null
      ? `npx lnsim replay --scenario ${scenario.name} --seed ${hit.seed} --bug ${entry.id}`
      : `npx lnsim hunt --bug ${entry.id} --search ${search}${from !== 1 ? ` --from ${from}` : ''}`;
  const found = makeRepro({ scenario: scenario.name, seed: hit.seed, bugs: [entry.id], tape: rerun.tape, fingerprint: rerun.fingerprint, events: rerun.events, violation: rerun.violation ?? null, labels: rerun.labels, command });
  if (shrinkRuns <= 0) return { repro: found, shrunk: null, note: 'not shrunk (shrinking off)' };
  const started = performance.now();
  try {
    const result = shrinkRepro(found, { maxRuns: shrinkRuns });
    const shrunk = { before: result.before, after: result.after, runs: result.runs, seconds: (performance.now() - started) / 1000 };
    const sameInvariant = result.repro.violation?.invariant === entry.invariant;
    return { repro: result.repro, shrunk, note: sameInvariant ? null : `the shrunk run breaks '${result.repro.violation?.invariant}', not '${entry.invariant}'` };
  } catch (e) {
    return { repro: found, shrunk: null, note: `not shrunk: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}
