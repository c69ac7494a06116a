// What the replay tools (the TUI, --check, --print, draw, shrink) look at: a
// run named by a repro file or by scenario + seed + bugs, resolved and ready
// to replay. Every problem with the input is a one-line UsageError.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { checkBugs, isScenarioPath, loadScenario, runScenario, UsageError, type ScenarioRunOptions, type ScenarioRunResult } from '../api.ts';
import { readRepro, type ReproFile } from '../reports/repro.ts';
import type { Scenario } from '../scenarios/scenario.ts';

export interface ReplaySource {
  readonly scenario: Scenario;
  /** How the scenario was named (a built-in name or a module path). */
  readonly scenarioRef: string;
  readonly seed: number | null;
  readonly bugs: readonly string[];
  /** The tape to replay; undefined for a seeded run. */
  readonly tape: readonly number[] | undefined;
  /** The repro file, when the source is one. */
  readonly repro: ReproFile | undefined;
  /** A short description for headers and messages: the file, or scenario/seed. */
  readonly title: string;
}

/**
 * Where a repro's scenario module is: the absolute path recorded with it, else the path as given (relative to
 * this directory, then to the repro file's). Undefined when none exists.
 */
function locateScenarioModule(repro: ReproFile, path: string): string | undefined {
  const candidates = [repro.scenarioFile, isAbsolute(repro.scenario) ? repro.scenario : resolve(repro.scenario), resolve(dirname(path), repro.scenario)];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

/**
 * Read a repro file and resolve what it names. `scenarioOverride` (replay's --scenario) says where its
 * scenario is when the recorded path does not resolve from here.
 */
export async function sourceFromRepro(path: string, scenarioOverride?: string): Promise<ReplaySource> {
  const recorded = readRepro(path);
  let spec = scenarioOverride ?? recorded.scenario;
  if (scenarioOverride === undefined && isScenarioPath(recorded.scenario)) {
    const found = locateScenarioModule(recorded, path);
    if (found === undefined) {
      throw new UsageError(`repro file '${path}' names scenario module '${recorded.scenario}'${recorded.scenarioFile ? ` (recorded at ${recorded.scenarioFile})` : ''}, which is not found from here: pass --scenario PATH to say where it is`);
    }
    spec = found;
  }
  // The repro as replayed names the module by a path that resolves from anywhere (shrink writes it out).
  const repro: ReproFile = spec === recorded.scenario ? recorded : { ...recorded, scenario: spec, ...(isScenarioPath(spec) ? { scenarioFile: resolve(spec) } : {}) };
  let scenario: Scenario;
  try {
    scenario = await loadScenario(spec);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`repro file '${path}' names a scenario this harness cannot load: ${e.message}`);
    throw e;
  }
  try {
    checkBugs(repro.bugs);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`repro file '${path}' switches on a bug this harness does not have: ${e.message}`);
    throw e;
  }
  return { scenario, scenarioRef: spec, seed: repro.seed, bugs: [...repro.bugs].sort(), tape: repro.tape, repro, title: path };
}

/** A seeded run named on the command line. */
export async function sourceFromSeed(scenarioRef: string, seed: number, bugs: readonly string[]): Promise<ReplaySource> {
  const scenario = await loadScenario(scenarioRef);
  checkBugs(bugs);
  const sorted = [...bugs].sort();
  const title = `${scenario.name} seed ${seed}${sorted.length ? ` bugs ${sorted.join(',')}` : ''}`;
  return { scenario, scenarioRef, seed, bugs: sorted, tape: undefined, repro: undefined, title };
}

/** Shared by the commands that take `FILE | --scenario NAME --seed S [--bug ID]...`. */
export async function sourceFromArgs(command: string, positionals: readonly string[], flags: { scenario?: string; seed?: string; bug?: string[] }): Promise<ReplaySource> {
  const usage = `give a repro file or --scenario NAME --seed S (see 'npx lnsim ${command} --help')`;
  if (positionals.length > 1) throw new UsageError(`${command}: one repro file at a time, got ${positionals.length}: ${usage}`);
  const file = positionals[0];
  if (file !== undefined) {
    // With a file, --scenario only says where the file's scenario is; the tape and bugs come from the file.
    if (flags.seed !== undefined || (flags.bug?.length ?? 0) > 0) throw new UsageError(`${command}: a repro file carries its own tape and bugs: drop --seed/--bug (--scenario PATH may say where its scenario is)`);
    return sourceFromRepro(file, flags.scenario);
  }
  if (flags.scenario === undefined && flags.seed === undefined) throw new UsageError(`${command}: nothing to replay: ${usage}`);
  if (flags.scenario === undefined) throw new UsageError(`${command}: --seed needs --scenario NAME: ${usage}`);
  if (flags.seed === undefined) throw new UsageError(`${command}: --scenario needs --seed S: ${usage}`);
  if (!/^\d+$/.test(flags.seed) || !Number.isSafeInteger(Number(flags.seed))) throw new UsageError(`${command}: --seed needs a non-negative integer, got '${flags.seed}'`);
  return sourceFromSeed(flags.scenario, Number(flags.seed), flags.bug ?? []);
}

/** Replay the source (its tape, or its seed). */
export function replay(source: ReplaySource, options: Omit<ScenarioRunOptions, 'seed' | 'tape' | 'bugs'> = {}): ScenarioRunResult {
  if (source.tape !== undefined) return runScenario(source.scenario, { ...options, tape: source.tape, bugs: source.bugs });
  return runScenario(source.scenario, { ...options, seed: source.seed ?? 0, bugs: source.bugs });
}
