// npm run bench: how fast the kernel runs the Lightning model, alone and on
// every core, and how fast hunting finds each planted bug. Benchmarks are the
// one place wall-clock time belongs: every figure is performance.now() around
// whole simulations, never inside one.
//
//   npm run bench                       table (about 1.5 minutes)
//   npm run bench -- --json             one JSON object
//   npm run bench -- --seconds 2        shorter throughput runs (default 12 s single-threaded per scenario)
//   npm run bench -- --trials 5         hunt trials per bug (default 3)
//   npm run bench -- --hunt-budget 20   seconds per hunt trial (default 5)
//   npm run bench -- --ldk-seeds 40     seeds per real-LDK scenario (default 20; 0 skips the LDK section)
//   npm run bench -- --ldk-memory 2000  seeds of the in-process LDK memory sweep (default 100)
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BUGS, sweep } from '../api.ts';
import triangle from '../scenarios/examples/triangle.ts';
import { hunt } from '../scenarios/hunt.ts';
import { scenarios as lightningScenarios } from '../scenarios/ln/index.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { runSweep, type SweepOutcome } from '../sweep/index.ts';
import { ldkMemory, ldkThroughput, type LdkMemory, type LdkThroughput } from './ldk.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean' },
    seconds: { type: 'string' },
    trials: { type: 'string' },
    'hunt-budget': { type: 'string' },
    'ldk-seeds': { type: 'string' },
    'ldk-memory': { type: 'string' },
  },
});
// Long enough that the workers' start-up and cold JIT (the single thread is warmed by calibration) do not dominate.
const TARGET_SECONDS = Number(values.seconds ?? 12);
const TRIALS = Number(values.trials ?? 3);
const HUNT_BUDGET_SECONDS = Number(values['hunt-budget'] ?? 5);
/** Trials hunt disjoint seed ranges this far apart. */
const TRIAL_STRIDE = 1_000_000;
const WORKERS = availableParallelism();

interface Throughput {
  readonly scenario: string;
  readonly nodes: number;
  readonly seeds: number;
  readonly single: Rate;
  readonly parallel: Rate & { readonly workers: number };
  readonly speedUp: number;
  /** Both sweeps ran the same runs and saw the same traces (equal digests). */
  readonly sameDigest: boolean;
  readonly violations: number;
}

interface Rate {
  readonly seconds: number;
  readonly runsPerSecond: number;
  readonly eventsPerSecond: number;
  readonly eventsPerRun: number;
}

interface HuntMedian {
  readonly bug: string;
  readonly scenario: string;
  readonly invariant: string;
  readonly trials: number;
  readonly caught: number;
  /** Seeds run until the first failure of the named invariant (median over caught trials). */
  readonly medianSeeds: number | null;
  readonly minSeeds: number | null;
  readonly maxSeeds: number | null;
  readonly medianSeconds: number | null;
  /** Trials in which another invariant failed first. */
  readonly wrongInvariantFirst: number;
}

const log = (line: string) => {
  if (!values.json) process.stdout.write(`${line}\n`);
};
const progress = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The scenarios to measure: the first built-in Lightning scenario with two
 * nodes, and the first with three or more (a forwarding one), or the
 * tutorial's three-node triangle when there is none.
 */
function benchScenarios(): Scenario[] {
  const nodeCount = (s: Scenario) => s.build(new Set()).nodes.length;
  const twoNode = lightningScenarios.find((s) => nodeCount(s) === 2);
  const multiNode = lightningScenarios.find((s) => nodeCount(s) >= 3) ?? triangle;
  return twoNode ? [twoNode, multiNode] : [multiNode];
}

function rate(outcome: SweepOutcome): Rate {
  const seconds = outcome.elapsedSeconds;
  return { seconds, runsPerSecond: outcome.runs / seconds, eventsPerSecond: outcome.events / seconds, eventsPerRun: outcome.events / outcome.runs };
}

async function throughput(scenario: Scenario): Promise<Throughput> {
  // Calibrate (and warm the JIT): a short single-threaded sweep from far-away seeds.
  const started = performance.now();
  let warmRuns = 0;
  sweep({ scenarios: [scenario], from: 900_000_000, seeds: 1_000_000, onRun: () => (warmRuns++, performance.now() - started < 1_500) });
  const warmRate = warmRuns / ((performance.now() - started) / 1000);
  const seeds = Math.max(50, Math.round(warmRate * TARGET_SECONDS));
  const plan = { scenarios: [scenarioSpec(scenario)], bugs: [], from: 1, seeds };
  progress(`bench: ${scenario.name}: ${seeds} seeds on 1 thread...`);
  const single = await runSweep({ ...plan, workers: 1 });
  progress(`bench: ${scenario.name}: ${seeds} seeds on ${WORKERS} workers...`);
  const parallel = await runSweep({ ...plan, workers: WORKERS });
  const one = rate(single);
  const many = rate(parallel);
  return {
    scenario: scenario.name,
    nodes: scenario.build(new Set()).nodes.length,
    seeds,
    single: one,
    parallel: { ...many, workers: parallel.workers || 1 },
    speedUp: one.seconds / many.seconds,
    sameDigest: single.digest === parallel.digest,
    violations: single.violations,
  };
}

/** How the sweep engine (and its workers) load the scenario: built-in name or module path. */
function scenarioSpec(scenario: Scenario): string {
  return scenario === triangle ? new URL('../scenarios/examples/triangle.ts', import.meta.url).pathname : scenario.name;
}

/** Seconds for a 2-seed sweep on every worker (one seed each): the fixed cost of a parallel sweep. */
async function workerStart(): Promise<number> {
  const outcome = await runSweep({ scenarios: [lightningScenarios[0].name], bugs: [], from: 1, seeds: WORKERS, batchSize: 1, workers: WORKERS });
  return outcome.elapsedSeconds;
}

function huntMedians(): HuntMedian[] {
  const medians: HuntMedian[] = [];
  for (const bug of BUGS) {
    progress(`bench: hunting ${bug.id} (${TRIALS} trials)...`);
    const trials = Array.from({ length: TRIALS }, (_, k) => hunt({ bugs: [bug.id], from: 1 + k * TRIAL_STRIDE, budgetSeconds: HUNT_BUDGET_SECONDS, shrinkRuns: 0 }).results[0]);
    const caught = trials.filter((t) => t.caught);
    const seeds = caught.map((t) => t.seeds);
    medians.push({
      bug: bug.id,
      scenario: bug.scenario,
      invariant: bug.invariant,
      trials: TRIALS,
      caught: caught.length,
      medianSeeds: median(seeds),
      minSeeds: seeds.length ? Math.min(...seeds) : null,
      maxSeeds: seeds.length ? Math.max(...seeds) : null,
      medianSeconds: median(caught.map((t) => t.seconds)),
      wrongInvariantFirst: trials.filter((t) => t.wrongInvariant !== null).length,
    });
  }
  return medians;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');

const benchStarted = performance.now();
const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', workers: WORKERS, loadAverage: loadavg()[0], workerStartSeconds: await workerStart() };
log(`lnsim bench: node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), load average ${machine.loadAverage.toFixed(2)} at start`);
if (machine.loadAverage > machine.cpus) log(`warning: the machine is busy (load ${machine.loadAverage.toFixed(1)} on ${machine.cpus} CPUs): other processes share the cores, so rates and the speed-up are low and noisy`);
log(`starting ${WORKERS} sweep workers (each loads tsx and the model) takes ${machine.workerStartSeconds.toFixed(2)} s; the ${WORKERS}-worker figures below include it`);

const results: Throughput[] = [];
for (const scenario of benchScenarios()) results.push(await throughput(scenario));
log('');
log(`Kernel + Lightning model throughput (no planted bugs; ${TARGET_SECONDS} s target single-threaded; same seeds on 1 thread and on ${WORKERS} workers)`);
log(
  table(
    ['scenario', 'nodes', 'seeds', 'events/run', '1 thread runs/s', 'events/s', `${WORKERS} workers runs/s`, 'events/s', 'speed-up', 'same digest'],
    results.map((r) => [r.scenario, String(r.nodes), String(r.seeds), int(r.single.eventsPerRun), r.single.runsPerSecond.toFixed(1), int(r.single.eventsPerSecond), r.parallel.runsPerSecond.toFixed(1), int(r.parallel.eventsPerSecond), `${r.speedUp.toFixed(2)}x`, r.sameDigest ? 'yes' : 'NO']),
    new Set([1, 2, 3, 4, 5, 6, 7, 8]),
  ),
);

const medians = huntMedians();
log('');
log(`Hunt: seeds and seconds to the first failure of the named invariant (median of ${TRIALS} trials on disjoint seed ranges, ${HUNT_BUDGET_SECONDS} s budget each, no shrinking)`);
log(
  table(
    ['bug', 'invariant', 'caught', 'median seeds', 'min..max', 'median seconds', 'wrong invariant first'],
    medians.map((m) => [m.bug, m.invariant, `${m.caught}/${m.trials}`, m.medianSeeds === null ? '-' : String(m.medianSeeds), m.minSeeds === null ? '-' : `${m.minSeeds}..${m.maxSeeds}`, m.medianSeconds === null ? '-' : m.medianSeconds.toFixed(3), String(m.wrongInvariantFirst)]),
    new Set([2, 3, 4, 5, 6]),
  ),
);
const LDK_SEEDS = Number(values['ldk-seeds'] ?? 20);
const ldk: { throughput: LdkThroughput[]; memory: LdkMemory | undefined } = { throughput: [], memory: undefined };
if (LDK_SEEDS > 0) {
  for (const name of ['ldk-two-node-payments', 'ldk-forward-async-persist']) {
    progress(`bench: ${name}: ${LDK_SEEDS} seeds of real LDK, 1 thread then ${WORKERS} workers...`);
    ldk.throughput.push(await ldkThroughput(name, LDK_SEEDS, WORKERS));
  }
  const memorySeeds = Number(values['ldk-memory'] ?? 100);
  progress(`bench: LDK memory over ${memorySeeds} seeds...`);
  ldk.memory = await ldkMemory('ldk-two-node-payments', memorySeeds);
  log('');
  log(`Real LDK 0.1 (WebAssembly) throughput (${LDK_SEEDS} seeds each; the in-process figure includes no worker start-up)`);
  log(
    table(
      ['scenario', 'payments/run', '1 thread runs/s', 'payments/s', `${WORKERS} workers runs/s`, 'same digest', 'violations'],
      ldk.throughput.map((r) => [r.scenario, r.paymentsPerRun.toFixed(1), r.singleRunsPerSecond.toFixed(2), r.paymentsPerSecond.toFixed(2), r.parallelRunsPerSecond.toFixed(2), r.sameDigest ? 'yes' : 'NO', String(r.violations)]),
      new Set([1, 2, 3, 4, 6]),
    ),
  );
  log(`LDK memory: resident set (MB) after each tenth of ${ldk.memory.seeds} seeds of ${ldk.memory.scenario}: ${ldk.memory.rssMb.join(' ')}`);
}
const elapsedSeconds = (performance.now() - benchStarted) / 1000;
log('');
log(`bench took ${elapsedSeconds.toFixed(1)} s`);
if (values.json) process.stdout.write(`${JSON.stringify({ machine, throughput: results, hunt: medians, ldk, elapsedSeconds }, null, 2)}\n`);
