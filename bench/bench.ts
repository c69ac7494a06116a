// npm run bench: how fast the kernel runs the Lightning model, alone and on
// every core, and how fast hunting finds each planted bug. Benchmarks are the
// one place wall-clock time belongs: every figure is performance.now() around
// whole simulations, never inside one.
//
//   npm run bench                       tables (about 1.5 minutes, and several more for the searches section)
//   npm run bench -- --json             one JSON object
//   npm run bench -- --seconds 2        shorter throughput runs (default 12 s single-threaded per scenario)
//   npm run bench -- --trials 5         hunt trials per bug (default 3)
//   npm run bench -- --hunt-budget 20   seconds per hunt trial (default 5)
//   npm run bench -- --search-runs 300  runs per trial in the searches section (default 600)
//   npm run bench -- --no-searches      skip the searches section (sweep vs aimed vs fuzz)
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BUGS, sweep } from '../api.ts';
import triangle from '../scenarios/examples/triangle.ts';
import { hunt } from '../scenarios/hunt.ts';
import { compareSearches, medianRuns, SEARCHES, totalSeconds, type SearchComparison } from './searches.ts';
import { scenarios as lightningScenarios } from '../scenarios/ln/index.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { runSweep, type SweepOutcome } from '../sweep/index.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean' },
    seconds: { type: 'string' },
    trials: { type: 'string' },
    'hunt-budget': { type: 'string' },
    'search-runs': { type: 'string' },
    'no-searches': { type: 'boolean' },
  },
});
// Long enough that the workers' start-up and cold JIT (the single thread is warmed by calibration) do not dominate.
const TARGET_SECONDS = Number(values.seconds ?? 12);
const TRIALS = Number(values.trials ?? 3);
const HUNT_BUDGET_SECONDS = Number(values['hunt-budget'] ?? 5);
const SEARCH_RUNS = Number(values['search-runs'] ?? 600);
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
let searches: SearchComparison[] = [];
if (!values['no-searches']) {
  searches = compareSearches({ trials: TRIALS, maxRuns: SEARCH_RUNS, onBug: (r) => progress(`bench: searched ${r.bug} (sweep, aim, fuzz; ${TRIALS} trials)`) });
  log('');
  log(`Searches: runs to the first failure of the named invariant, plain swarm sweep vs aimed faults (NAME+aim) vs coverage-guided fuzz (median of ${TRIALS} trials, at most ${SEARCH_RUNS} runs each; '-' most trials missed; seconds summed over trials)`);
  const cell = (r: SearchComparison, s: (typeof SEARCHES)[number]) => {
    const median = medianRuns(r.trials[s]);
    const caught = r.trials[s].filter((t) => t.runs !== null).length;
    return [median === null ? '-' : String(median), `${caught}/${TRIALS}`, totalSeconds(r.trials[s]).toFixed(2)];
  };
  log(
    table(
      ['bug', 'sweep runs', 'caught', 's', 'aim runs', 'caught', 's', 'fuzz runs', 'caught', 's'],
      searches.map((r) => [r.bug, ...SEARCHES.flatMap((s) => cell(r, s))]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ),
  );
  const caughtBy = (s: (typeof SEARCHES)[number]) => searches.filter((r) => medianRuns(r.trials[s]) !== null).length;
  log(`bugs caught (median within ${SEARCH_RUNS} runs): sweep ${caughtBy('sweep')}, aim ${caughtBy('aim')}, fuzz ${caughtBy('fuzz')} of ${searches.length}`);
}

const elapsedSeconds = (performance.now() - benchStarted) / 1000;
log('');
log(`bench took ${elapsedSeconds.toFixed(1)} s`);
if (values.json) process.stdout.write(`${JSON.stringify({ machine, throughput: results, hunt: medians, searches, elapsedSeconds }, null, 2)}\n`);
