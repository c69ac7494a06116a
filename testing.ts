// Helpers for a protocol developer's own test suite (vitest, or any runner
// that treats a thrown Error as a failure): sweep a scenario's seeds inside an
// `it(...)` and fail with everything needed to look at the failure — scenario,
// seed, invariant, the violation, the last trace events and the exact replay
// command. Runs in the calling thread, seed by seed, like `lnsim run --workers 1`.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { checkBugs, findScenario, resolveScenario, runScenario, sweep, UsageError } from './api.ts';
import { makeRepro } from './reports/repro.ts';
import { writeJsonAtomic } from './reports/write.ts';
import type { Scenario } from './scenarios/scenario.ts';
import { formatRecord } from './sim/trace.ts';
import type { Violation } from './sim/world.ts';
import { reproFileName } from './sweep/repros.ts';

export interface CheckScenarioOptions {
  /** How many seeds to run (seeds `from .. from+seeds-1`). */
  readonly seeds: number;
  /** First seed. Default 1. */
  readonly from?: number;
  /** Planted bugs to switch on. */
  readonly bugs?: readonly string[];
  /**
   * How replay commands name the scenario: a built-in scenario name, or the
   * path of the module that exports it. Default: the built-in name, else the
   * file defineScenario was called from (relative to the working directory),
   * else the scenario's name.
   */
  readonly source?: string;
  /** Also write a repro file of the failure into this directory, and name it in the error. */
  readonly reproDir?: string;
  /** Trace records shown before the violation in the error message. Default 8. */
  readonly contextEvents?: number;
}

export interface CheckSummary {
  readonly runs: number;
  readonly events: number;
}

/** A seed of a scenario broke an invariant. Its message says how to replay it. */
export class ScenarioViolation extends Error {
  constructor(
    message: string,
    readonly scenario: string,
    readonly seed: number,
    readonly bugs: readonly string[],
    readonly violation: Violation,
    /** `npx lnsim replay ...` for this run. */
    readonly replay: string,
    /** The repro file written, if `reproDir` was given. */
    readonly repro: string | undefined,
  ) {
    super(message);
    this.name = 'ScenarioViolation';
  }
}

/**
 * Run seeds of a scenario; throw a ScenarioViolation at the first seed that
 * breaks an invariant. Returns how much was run when every seed holds.
 *
 *   it('holds over 200 seeds', () => { checkScenario(myScenario, { seeds: 200 }); });
 */
export function checkScenario(scenario: Scenario, options: CheckScenarioOptions): CheckSummary {
  const { from, seeds, bugs } = checkOptions('checkScenario', scenario, options);
  const result = sweep({ scenarios: [scenario], from, seeds, bugs, stopOnFirst: true });
  const failure = result.failures[0];
  if (failure) throw violationError(scenario, failure.seed, bugs, options);
  return { runs: result.runs, events: result.events };
}

export interface ExpectViolationOptions extends Omit<CheckScenarioOptions, 'reproDir' | 'contextEvents'> {
  /** The invariant that must break. */
  readonly invariant: string;
}

export interface FoundViolation {
  /** The first seed that broke the invariant. */
  readonly seed: number;
  readonly violation: Violation;
  /** Seeds run, the failing one included. */
  readonly runs: number;
}

/**
 * Prove an invariant can fail: run seeds (typically with a planted bug on)
 * until one breaks `invariant`. Throws if none does, or if a seed breaks a
 * different invariant first (the wrong detector fired).
 */
export function expectViolation(scenario: Scenario, options: ExpectViolationOptions): FoundViolation {
  const { from, seeds, bugs } = checkOptions('expectViolation', scenario, options);
  if (!scenario.invariants.includes(options.invariant)) {
    throw new UsageError(`expectViolation: scenario '${scenario.name}' does not check '${options.invariant}': it checks ${scenario.invariants.join(', ')}`);
  }
  const result = sweep({ scenarios: [scenario], from, seeds, bugs, stopOnFirst: true });
  const failure = result.failures[0];
  const withBugs = bugs.length > 0 ? ` with ${bugs.join(', ')} on` : '';
  if (!failure) throw new Error(`scenario '${scenario.name}'${withBugs}: no seed of ${from}..${from + seeds - 1} broke '${options.invariant}' (try more seeds)`);
  const violation = failure.violation!;
  if (violation.invariant !== options.invariant) {
    const replay = replayCommand(scenario, failure.seed, bugs, options.source);
    throw new Error(`scenario '${scenario.name}'${withBugs}: seed ${failure.seed} broke '${violation.invariant}' before any seed broke '${options.invariant}': ${violation.message}\nreplay: ${replay}`);
  }
  return { seed: failure.seed, violation, runs: result.runs };
}

function checkOptions(fn: string, scenario: Scenario, options: CheckScenarioOptions): { from: number; seeds: number; bugs: string[] } {
  if (typeof scenario !== 'object' || scenario === null || typeof scenario.build !== 'function') throw new UsageError(`${fn}: the first argument must be a Scenario (e.g. the default export of a defineScenario module)`);
  if (!Number.isSafeInteger(options.seeds) || options.seeds < 1) throw new UsageError(`${fn}: seeds must be a positive integer, got ${JSON.stringify(options.seeds)}`);
  const from = options.from ?? 1;
  if (!Number.isSafeInteger(from) || from < 0) throw new UsageError(`${fn}: from must be a non-negative integer seed, got ${JSON.stringify(options.from)}`);
  const bugs = [...(options.bugs ?? [])].sort();
  checkBugs(bugs);
  return { from, seeds: options.seeds, bugs };
}

/** Re-run the failing seed with the trace kept, and say everything about it. */
function violationError(scenario: Scenario, seed: number, bugs: readonly string[], options: CheckScenarioOptions): ScenarioViolation {
  const run = runScenario(scenario, { seed, bugs, keepRecords: true, recordLabels: options.reproDir !== undefined });
  const violation = run.violation!;
  const replay = replayCommand(scenario, seed, bugs, options.source);
  let repro: string | undefined;
  if (options.reproDir !== undefined) {
    mkdirSync(options.reproDir, { recursive: true });
    repro = join(options.reproDir, reproFileName(scenario.name, violation.invariant, seed));
    const shown = displayPath(repro);
    writeJsonAtomic(repro, makeRepro({ scenario: scenarioRef(scenario, options.source), seed, bugs, tape: run.tape, fingerprint: run.fingerprint, events: run.events, violation, labels: run.labels, command: `npx lnsim replay ${shown}` }));
  }
  const context = options.contextEvents ?? 8;
  const records = run.records ?? [];
  const tail = records.slice(Math.max(0, violation.event - context), violation.event).map((r) => `  ${formatRecord(r)}`);
  const lines = [
    `scenario '${scenario.name}' broke invariant '${violation.invariant}' at seed ${seed}${bugs.length > 0 ? ` (bugs: ${bugs.join(', ')})` : ''}, event ${violation.event}, t=${violation.time}:`,
    `  ${violation.message}`,
    ...(tail.length > 0 ? [`last events before it:`, ...tail] : []),
    `replay: ${replay}`,
    ...(repro !== undefined ? [`repro file: ${displayPath(repro)} (npx lnsim replay ${displayPath(repro)})`] : []),
  ];
  return new ScenarioViolation(lines.join('\n'), scenario.name, seed, bugs, violation, replay, repro);
}

/** The exact command that replays one seed of the scenario. */
export function replayCommand(scenario: Scenario, seed: number, bugs: readonly string[] = [], source?: string): string {
  return `npx lnsim replay --scenario ${scenarioRef(scenario, source)} --seed ${seed}${bugs.map((b) => ` --bug ${b}`).join('')}`;
}

/** How the CLI finds this scenario again: built-in name, defining module, or (last resort) its name. */
function scenarioRef(scenario: Scenario, source: string | undefined): string {
  if (source !== undefined) return source;
  if (findScenario(scenario.name) === scenario) return scenario.name;
  const definedIn = (scenario as { definedIn?: unknown }).definedIn;
  if (typeof definedIn === 'string') return displayPath(definedIn);
  return scenario.name;
}

/** A path as the user would type it from the working directory. */
function displayPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return path;
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** One recorded run to replay exactly: a repro's tape (or a seed) of a scenario, with planted bugs. */
export interface ReplayCase {
  /** The scenario object, a built-in scenario name, or the path of a loaded scenario module. */
  readonly scenario: Scenario | string;
  /** The tape of choices to replay (a repro file's `tape`). Give a tape or a seed. */
  readonly tape?: readonly number[];
  readonly seed?: number;
  readonly bugs?: readonly string[];
}

/**
 * A regression test for one interleaving: replay the run and throw a
 * ScenarioViolation (scenario, invariant, the last events, the replay command)
 * if it breaks any invariant. `lnsim export` writes tests around this.
 *
 *   it('no longer loses the HTLC', () => { checkReplay({ scenario: 'forward-async-persist', tape: [...], bugs: [] }); });
 */
export function checkReplay(run: ReplayCase, options: { readonly source?: string; readonly contextEvents?: number; /** The replay command the failure names (default: by seed, when there is one). */ readonly replay?: string } = {}): CheckSummary {
  const scenario = typeof run.scenario === 'string' ? resolveScenario(run.scenario) : run.scenario;
  if ((run.tape === undefined) === (run.seed === undefined)) throw new UsageError('checkReplay: give the tape of the run or its seed (one of them)');
  const bugs = [...(run.bugs ?? [])].sort();
  checkBugs(bugs);
  const result = runScenario(scenario, { ...(run.tape !== undefined ? { tape: run.tape } : { seed: run.seed }), bugs, keepRecords: true });
  if (!result.violation) return { runs: 1, events: result.events };
  const violation = result.violation;
  const context = options.contextEvents ?? 8;
  const tail = (result.records ?? []).slice(Math.max(0, violation.event - context), violation.event).map((r) => `  ${formatRecord(r)}`);
  const replay = options.replay ?? (run.seed !== undefined ? replayCommand(scenario, run.seed, bugs, options.source) : 'npx lnsim replay FILE (the repro of this run)');
  const lines = [
    `scenario '${scenario.name}' broke invariant '${violation.invariant}' replaying ${run.tape !== undefined ? `a recorded tape of ${run.tape.length} choices` : `seed ${run.seed}`}${bugs.length > 0 ? ` (bugs: ${bugs.join(', ')})` : ''}, event ${violation.event}, t=${violation.time}:`,
    `  ${violation.message}`,
    ...(tail.length > 0 ? ['last events before it:', ...tail] : []),
    `replay: ${replay}`,
  ];
  throw new ScenarioViolation(lines.join('\n'), scenario.name, run.seed ?? -1, bugs, violation, replay, undefined);
}
