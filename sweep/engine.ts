// The sweep engine: runs a plan on worker threads (or in this thread) and
// merges the outcomes in seed order, so a parallel sweep reports exactly what
// a single-threaded sweep of the same seeds reports: same runs, same
// violations, same fingerprints, same digest. It keeps counters and failures
// only, and hands out batches lazily, so memory stays flat over any number of
// seeds. Wall-clock time is read here, outside every simulation, for the
// throughput figures only.
import { availableParallelism } from 'node:os';
import { checkBugs, loadScenario, UsageError } from '../api.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { knownRunOf, type KnownRun } from '../scenarios/known.ts';
import type { BatchResult, RunOutcome } from './batch-runner.ts';
import { releaseEarlyWorkers } from './early-workers.ts';
import { inProcessExecutor, startWorkers, SweepAborted, WORKER_QUEUE_DEPTH, type Executor } from './executors.ts';
import { batches, defaultBatchSize, plannedRuns, type SweepPlan } from './plan.ts';
import { seedsInShard } from './shard.ts';
import { RunDigest } from './digest.ts';

export interface SweepEngineOptions extends SweepPlan {
  /** Worker threads. 1 (or a sweep of one batch) runs in this thread. Default: os.availableParallelism(), fewer for small sweeps (MIN_RUNS_PER_DEFAULT_WORKER). */
  readonly workers?: number;
  /** Seeds per batch sent to a worker. Default: defaultBatchSize (at most 50). */
  readonly batchSize?: number;
  /** Stop at the first violation in seed order (smallest seed, then plan order of scenarios: exactly where a single-threaded sweep stops). */
  readonly stopOnFirst?: boolean;
  /** Abort (Ctrl-C): workers stop at once; the outcome covers the batches that completed, marked interrupted. */
  readonly signal?: AbortSignal;
  /** Directory scenario paths are relative to. Default: process.cwd(). */
  readonly cwd?: string;
  /** Failures kept in full (in seed order); later ones are only counted. Default 1,000. */
  readonly keepFailures?: number;
  /** Count the scenarios' known runs (Scenario.knownRuns) as violations, as if nobody had triaged them. Default false. */
  readonly failOnKnown?: boolean;
  /** Every run, in merge order: seed by seed, scenarios in plan order at each seed (an interrupted sweep's last partial round may come after). */
  readonly onRun?: (run: SweptRun) => void;
  /** After every completed batch (completion order: for live displays). */
  readonly onProgress?: (progress: SweepProgress) => void;
}

export interface SweptRun extends RunOutcome {
  readonly scenario: string;
}

/** A failing run that is one of its scenario's known runs: reported apart, not counted as a violation. */
export interface KnownSweptRun extends SweptRun {
  readonly known: KnownRun;
}

/** One invariant's violations in one scenario. */
export interface InvariantTally {
  readonly invariant: string;
  violations: number;
  /** The violation with the smallest seed: the one repro files are made from. */
  readonly first: SweptRun;
}

export interface ScenarioTally {
  readonly scenario: string;
  /** The invariants the scenario declares. */
  readonly invariants: readonly string[];
  runs: number;
  events: number;
  violations: number;
  /** Failing runs that are known runs (not in `violations`). */
  known: number;
  /** Violated invariants, in order of first violation (may include kernel ones such as step-limit). */
  readonly violated: InvariantTally[];
}

export interface SweepProgress {
  readonly done: number;
  readonly total: number;
  readonly violations: number;
  readonly elapsedSeconds: number;
  readonly scenarios: readonly { readonly name: string; readonly done: number; readonly total: number; readonly violations: number }[];
}

export interface SweepOutcome {
  readonly plan: SweepPlan;
  readonly runs: number;
  readonly events: number;
  readonly violations: number;
  readonly scenarios: readonly ScenarioTally[];
  /** The first `keepFailures` failing runs, in seed order (then plan order of scenarios). */
  readonly failures: readonly SweptRun[];
  /** The failing runs that are known runs (Scenario.knownRuns), in seed order; none with failOnKnown. */
  readonly known: readonly KnownSweptRun[];
  /** Set when Ctrl-C (the signal) cut the sweep short. */
  readonly interrupted: boolean;
  /** Set when --stop-on-first ended the sweep. */
  readonly stoppedOnFirst: boolean;
  /** The multiset hash of every run's `scenario \t seed \t fingerprint` (sweep/digest.ts): equal digests, equal sweeps; shards' digests add up to it. */
  readonly digest: string;
  readonly elapsedSeconds: number;
  /** Worker threads used (0: ran in this thread). */
  readonly workers: number;
}

export const DEFAULT_KEEP_FAILURES = 1_000;

/** Load the plan's scenarios in this thread: validates names and paths, gives names and invariant lists. */
export async function loadPlanScenarios(plan: SweepPlan, cwd = process.cwd()): Promise<Scenario[]> {
  const scenarios = await Promise.all(plan.scenarios.map((spec) => loadScenario(spec, cwd)));
  const names = new Set<string>();
  for (const s of scenarios) {
    if (names.has(s.name)) throw new UsageError(`scenario '${s.name}' is given twice: pass each scenario once`);
    names.add(s.name);
  }
  return scenarios;
}

/** Without an explicit worker count, a thread is started per this many runs (a start costs a few tenths of a second). */
export const MIN_RUNS_PER_DEFAULT_WORKER = 200;

/**
 * Batch size and worker threads for a plan: never more workers than batches;
 * 1 means this thread (a thread costs a few tenths of a second to start: it loads the compiled model, or, run from
 * the TypeScript sources, tsx and the sources).
 */
export function sweepSizing(plan: SweepPlan, workers?: number, batchSize?: number): { batchSize: number; workers: number } {
  const total = plannedRuns(plan);
  // Asked for K: K (at most one per batch). Not asked: one per core, if each gets enough runs to pay for its start.
  const requested = Math.max(1, workers ?? Math.min(availableParallelism(), Math.ceil(total / MIN_RUNS_PER_DEFAULT_WORKER)));
  const size = batchSize ?? defaultBatchSize(total, requested);
  const batchCount = plan.scenarios.length * Math.ceil(seedsInShard(plan.from, plan.seeds, plan.shard) / size);
  return { batchSize: size, workers: Math.max(1, Math.min(requested, batchCount)) };
}

export async function runSweep(options: SweepEngineOptions): Promise<SweepOutcome> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const cwd = options.cwd ?? process.cwd();
  const plan: SweepPlan = { scenarios: options.scenarios, bugs: [...options.bugs].sort(), from: options.from, seeds: options.seeds, shard: options.shard };
  checkBugs(plan.bugs);
  const loaded = await loadPlanScenarios(plan, cwd);
  const total = plannedRuns(plan);
  const perScenario = seedsInShard(plan.from, plan.seeds, plan.shard);
  const sizing = sweepSizing(plan, options.workers, options.batchSize);
  const workerCount = sizing.workers;
  // A scenario whose thread can become suspect runs one seed per batch, so a replaced thread loses no other seed.
  const batchSize = options.batchSize ?? (loaded.some((s) => s.suspect) ? 1 : sizing.batchSize);
  const keepFailures = options.keepFailures ?? DEFAULT_KEEP_FAILURES;

  const tallies: ScenarioTally[] = loaded.map((s) => ({ scenario: s.name, invariants: [...s.invariants], runs: 0, events: 0, violations: 0, known: 0, violated: [] }));
  const knownOf = (scenario: number, run: RunOutcome) => (options.failOnKnown ? undefined : knownRunOf(loaded[scenario].knownRuns, run));
  const progressRows = loaded.map((s) => ({ name: s.name, done: 0, total: perScenario, violations: 0 }));
  const failures: SweptRun[] = [];
  const known: KnownSweptRun[] = [];
  const hash = new RunDigest();
  const scenarioCount = plan.scenarios.length;
  let runs = 0;
  let events = 0;
  let violations = 0;
  let done = 0;
  let liveViolations = 0;

  let stopped = false;
  let interrupted = false;
  let stoppedOnFirst = false;
  let error: unknown;

  // Completed batches waiting for their turn in seed order, and the next one due.
  const completed = new Map<number, BatchResult>();
  let nextToMerge = 0;
  let dispatched = 0;
  // Each worker thread holds a queue of batches (none idles while this thread answers), except where a
  // thread can turn suspect: the batch after a suspect one must go to its replacement.
  const depth = workerCount > 1 && !loaded.some((s) => s.suspect) ? WORKER_QUEUE_DEPTH : 1;
  // Batches dispatched ahead of the merge: room for whole rounds, so a round is never starved of its last batch.
  const window = Math.max(4, workerCount * depth * 4) + scenarioCount;
  let wake: (() => void)[] = [];
  const wakeAll = () => {
    const waiting = wake;
    wake = [];
    for (const w of waiting) w();
  };

  const mergeRun = (scenario: number, run: RunOutcome): boolean => {
    const tally = tallies[scenario];
    const swept: SweptRun = { scenario: tally.scenario, ...run };
    runs++;
    events += run.events;
    tally.runs++;
    tally.events += run.events;
    hash.add(tally.scenario, run.seed, run.fingerprint);
    options.onRun?.(swept);
    if (!run.violation) return true;
    const knownRun = knownOf(scenario, run);
    if (knownRun) {
      tally.known++;
      if (known.length < keepFailures) known.push({ ...swept, known: knownRun });
      return true;
    }
    violations++;
    tally.violations++;
    const existing = tally.violated.find((v) => v.invariant === run.violation!.invariant);
    if (existing) existing.violations++;
    else tally.violated.push({ invariant: run.violation.invariant, violations: 1, first: swept });
    if (failures.length < keepFailures) failures.push(swept);
    return !options.stopOnFirst;
  };
  const stopHere = () => {
    stoppedOnFirst = true;
    stopped = true;
  };
  const mergeBatch = (result: BatchResult) => {
    for (const run of result.runs) {
      if (!mergeRun(result.scenario, run)) return stopHere();
    }
  };
  /** A whole round, seed by seed, each seed's scenarios in plan order: the single-threaded order. */
  const mergeRound = (round: readonly BatchResult[]) => {
    for (let i = 0; i < round[0].runs.length; i++) {
      for (const result of round) {
        if (!mergeRun(result.scenario, result.runs[i])) return stopHere();
      }
    }
  };
  const mergeInOrder = () => {
    while (!stoppedOnFirst) {
      const round: BatchResult[] = [];
      for (let k = 0; k < scenarioCount; k++) {
        const result = completed.get(nextToMerge + k);
        if (!result) break;
        round.push(result);
      }
      if (round.length < scenarioCount) break;
      for (let k = 0; k < scenarioCount; k++) completed.delete(nextToMerge + k);
      nextToMerge += scenarioCount;
      mergeRound(round);
    }
    wakeAll();
  };

  const source = batches(plan, batchSize);
  const executors: Executor[] = [];
  const stopAll = () => {
    stopped = true;
    wakeAll();
    for (const e of executors) void e.close();
  };
  const onAbort = () => {
    if (stopped) return;
    interrupted = true;
    stopAll();
  };

  const loop = async (executor: Executor) => {
    while (!stopped) {
      while (!stopped && dispatched - nextToMerge >= window) await new Promise<void>((resolve) => wake.push(resolve));
      if (stopped) return;
      const next = source.next();
      if (next.done) return;
      dispatched++;
      let result: BatchResult;
      try {
        result = await executor.run(next.value);
      } catch (e) {
        if (e instanceof SweepAborted) return;
        error ??= e;
        stopAll();
        return;
      }
      completed.set(result.index, result);
      done += result.runs.length;
      const failing = result.runs.filter((r) => r.violation && !knownOf(result.scenario, r)).length;
      liveViolations += failing;
      progressRows[result.scenario].done += result.runs.length;
      progressRows[result.scenario].violations += failing;
      options.onProgress?.({ done, total, violations: liveViolations, elapsedSeconds: elapsed(), scenarios: progressRows });
      mergeInOrder();
      if (stoppedOnFirst) stopAll();
      if (options.signal?.aborted) onAbort();
    }
  };

  if (options.signal?.aborted) interrupted = stopped = true;
  options.signal?.addEventListener('abort', onAbort);
  try {
    const init = { scenarios: plan.scenarios, bugs: plan.bugs, cwd };
    try {
      if (!stopped) executors.push(...(workerCount <= 1 ? [await inProcessExecutor(init)] : await startWorkers(workerCount, init)));
    } finally {
      // Threads started early (bin/lnsim.js) that this sweep did not take: fewer workers, or none.
      releaseEarlyWorkers();
    }
    if (options.signal?.aborted) onAbort();
    await Promise.all(executors.flatMap((executor) => Array.from({ length: depth }, () => loop(executor))));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.all(executors.map((e) => e.close()));
  }
  if (error !== undefined) throw error;
  // Interrupted: merge what completed of the rounds left incomplete, in order, skipping batches that never finished.
  if (!stoppedOnFirst) for (const index of [...completed.keys()].sort((a, b) => a - b)) {
    if (stoppedOnFirst) break;
    mergeBatch(completed.get(index)!);
  }
  const order = new Map(loaded.map((s, i) => [s.name, i]));
  const bySeed = (a: SweptRun, b: SweptRun) => a.seed - b.seed || order.get(a.scenario)! - order.get(b.scenario)!;
  failures.sort(bySeed);
  known.sort(bySeed);

  return {
    plan,
    runs,
    events,
    violations,
    scenarios: tallies,
    failures,
    known,
    interrupted,
    stoppedOnFirst,
    digest: hash.hex(),
    elapsedSeconds: elapsed(),
    workers: workerCount <= 1 ? 0 : workerCount,
  };
}
