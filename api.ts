// The library API: the CLI, vitest tests and scenario authors all run
// simulations through these functions.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSim, runSimAsync, type RunOptions, type RunResult } from './sim/runner.ts';
import type { Violation } from './sim/world.ts';
import { BUGS, findBug } from './model/index.ts';
import { findScenario, SCENARIOS, type Scenario } from './scenarios/index.ts';
import { suggest } from './scenarios/define.ts';

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
  if (isScenarioPath(scenario)) {
    const loaded = loadedScenarioModules.get(resolve(scenario)) ?? loadedScenarioModules.get(scenario);
    if (!loaded) throw new UsageError(`scenario module '${scenario}' is not loaded: load it with loadScenario() first`);
    return loaded;
  }
  const found = findScenario(scenario);
  if (!found) throw new UsageError(`unknown scenario '${scenario}'${suggest(scenario, SCENARIOS.map((s) => s.name))}: run 'npx lnsim list' to see the scenarios`);
  return found;
}

/**
 * Scenario modules loaded so far, by absolute path and by the path as given
 * (loaded relative to another cwd), so that synchronous code
 * (resolveScenario, shrinkRepro) finds them again.
 */
const loadedScenarioModules = new Map<string, Scenario>();

function remember(spec: string, file: string, scenario: Scenario): Scenario {
  loadedScenarioModules.set(file, scenario);
  loadedScenarioModules.set(spec, scenario);
  return scenario;
}

/** A `--scenario` value that names a module file rather than a built-in scenario. */
export function isScenarioPath(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.(?:[cm]?[jt]sx?)$/.test(spec);
}

function isScenario(value: unknown): value is Scenario {
  const s = value as Scenario | undefined;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.build === 'function' && Array.isArray(s.invariants);
}

/**
 * A built-in scenario by name, or a scenario module by path (relative to `cwd`):
 * its default export, or its only named export that is a Scenario.
 */
export async function loadScenario(spec: string, cwd: string = process.cwd()): Promise<Scenario> {
  const scenario = await importScenario(spec, cwd);
  await scenario.prepare?.();
  return scenario;
}

async function importScenario(spec: string, cwd: string): Promise<Scenario> {
  if (!isScenarioPath(spec)) return resolveScenario(spec);
  const file = isAbsolute(spec) ? spec : resolve(cwd, spec);
  const loaded = loadedScenarioModules.get(file);
  if (loaded) return loaded;
  if (!existsSync(file)) throw new UsageError(`scenario module '${spec}' not found: give a path to a .ts file or a scenario name from 'npx lnsim list'`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (first) {
    // A .ts file outside any "type": "module" package loads as CommonJS, which cannot import this ESM project
    // (node says "Cannot require() ES Module ... in a cycle", whatever the module's real problem): load it
    // through tsx's own loader instead, and unwrap the CommonJS interop namespace. When that fails too, its
    // error is the module's real one.
    try {
      const { tsImport } = await import('tsx/esm/api');
      const namespace = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
      const inner = namespace.default as Record<string, unknown> | undefined;
      module = inner && typeof inner === 'object' && !isScenario(inner) && ('default' in inner || Object.values(inner).some(isScenario)) ? inner : namespace;
    } catch (second) {
      throw moduleLoadError(spec, isInteropError(first) ? second : first);
    }
  }
  if (isScenario(module.default)) return remember(spec, file, module.default);
  const named = Object.entries(module).filter(([, v]) => isScenario(v)).map(([, v]) => v as Scenario);
  const distinct = [...new Set(named)];
  if (distinct.length === 1) return remember(spec, file, distinct[0]);
  if (distinct.length === 0) throw new UsageError(`scenario module '${spec}' exports no scenario: export one (default or named) with name, invariants and build()`);
  throw new UsageError(`scenario module '${spec}' exports several scenarios (${distinct.map((s) => s.name).join(', ')}): make the one to run its default export`);
}

/**
 * Node's complaint about loading ESM from CommonJS, or about a .ts file in a process with no TypeScript loader
 * (the compiled CLI): says nothing about the module itself.
 */
function isInteropError(e: unknown): boolean {
  const code = (e as { code?: string } | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return code === 'ERR_UNKNOWN_FILE_EXTENSION' || code === 'ERR_REQUIRE_CYCLE_MODULE' || code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE' || /Cannot require\(\) ES Module|require\(\) of ES Module/.test(message);
}

/**
 * One line for a scenario module that failed to load: a definition mistake
 * (defineScenario's UsageError) as it is; a syntax error with its file:line:col;
 * a missing import with the file that imports it.
 */
export function moduleLoadError(spec: string, e: unknown): UsageError {
  // A UsageError of a second copy of this module (tsx's loader) is one too: match it by class name.
  if (e instanceof Error && e.constructor.name === 'UsageError') return new UsageError(`scenario module '${spec}': ${e.message}`);
  const lines = (e instanceof Error ? e.message : String(e)).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  let reason = lines[0] ?? 'unknown error';
  // esbuild (through tsx): "Transform failed with 1 error:" then "FILE:LINE:COL: ERROR: what".
  const located = lines.find((l) => /:\d+:\d+: ERROR: /.test(l));
  if (/^Transform failed/.test(reason) && located) reason = `syntax error at ${located.replace(/: ERROR: /, ': ').replace(/\?namespace=[\w-]+/, '')}`;
  // CommonJS resolution: "Cannot find module 'X'" then "Require stack:" then "- FILE".
  const importer = lines.find((l) => l.startsWith('- '));
  if (/^Cannot find module/.test(reason) && importer && !/imported from/.test(reason)) reason += ` imported from ${importer.slice(2).replace(/\?namespace=[\w-]+/, '')}`;
  reason = reason.replace(/\?namespace=[\w-]+/g, '');
  return new UsageError(`scenario module '${spec}' failed to load: ${reason}: fix the module or give a scenario name from 'npx lnsim list'`);
}

export function checkBugs(bugs: readonly string[]): void {
  for (const id of bugs) {
    if (!findBug(id)) throw new UsageError(`unknown planted bug '${id}'${suggest(id, BUGS.map((b) => b.id))}: run 'npx lnsim list' to see the bug ids`);
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

/**
 * As runScenario, turning the event loop while the run goes: the same result, but a scenario whose nodes free memory
 * only when the loop turns (real LDK in WebAssembly) stays fast and small.
 */
export async function runScenarioAsync(scenario: Scenario | string, options: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const resolved = resolveScenario(scenario);
  const bugs = [...(options.bugs ?? [])].sort();
  checkBugs(bugs);
  const result = await runSimAsync(resolved.build(new Set(bugs)), options);
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

/** Seeds `from .. from+seeds-1` of every scenario, one thread, seed by seed (each seed's scenarios in order). */
export function sweep(options: SweepOptions): SweepResult {
  const scenarios = options.scenarios.map(resolveScenario);
  const bugs = [...(options.bugs ?? [])].sort();
  checkBugs(bugs);
  const from = options.from ?? 1;
  let runs = 0;
  let events = 0;
  const failures: SweepRun[] = [];
  const specs = scenarios.map((scenario) => scenario.build(new Set(bugs)));
  for (let seed = from; seed < from + options.seeds; seed++) {
    for (const [i, scenario] of scenarios.entries()) {
      const result = runSim(specs[i], { seed });
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

export { BUGS, findBug };
export { INVARIANTS } from './model/index.ts';
export { SCENARIOS, defaultMix, findScenario } from './scenarios/index.ts';
