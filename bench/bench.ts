// npm run bench: how fast the kernel runs each scenario, how the sweep scales
// from 1 to all cores, what memory a long sweep holds, and how fast hunting
// finds each planted bug. Benchmarks are the one place wall-clock time
// belongs: every figure is performance.now() around whole simulations, never
// inside one. `npm run bench` runs the compiled JavaScript (scripts/build.mjs).
//
//   npm run bench                          tables (a few minutes, and several more for the searches section)
//   npm run bench -- --json                one JSON object
//   npm run bench -- --seconds 4           seconds per scaling sample (default 8)
//   npm run bench -- --scenario-seconds 1  seconds per scenario in the per-scenario table (default 2)
//   npm run bench -- --memory-seeds 5000   seeds of the memory sweep (default 20,000)
//   npm run bench -- --trials 5            hunt trials per bug (default 3)
//   npm run bench -- --hunt-budget 20      seconds per hunt trial (default 5)
//   npm run bench -- --skip-hunt           throughput and memory only
//   npm run bench -- --search-runs 300     runs per trial in the searches section (default 600)
//   npm run bench -- --no-searches         skip the searches section (plain vs default sweep vs fuzz)
//   npm run bench -- --ldk-seeds 40        seeds per real-LDK scenario (default 20; 0 skips the LDK section)
//   npm run bench -- --ldk-memory 2000     seeds of the in-process LDK memory sweep (default 100)
//
// Scaling is measured fairly: the single thread and the workers are both warm
// (each has already run a warm-up batch of the same scenario), both run the
// same seeds, worker start-up is timed on its own, and the machine's own
// ceiling is measured by two independent processes side by side.
import { spawn } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { BUGS, SCENARIOS } from '../api.ts';
import { hunt } from '../scenarios/hunt.ts';
import { BENCH_SEARCHES, compareSearches, searchesTable, type SearchComparison } from './searches.ts';
import { scenarios as lightningScenarios } from '../scenarios/ln/index.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { BatchResult } from '../sweep/batch-runner.ts';
import { inProcessExecutor, startWorkers, type Executor } from '../sweep/executors.ts';
import { batches } from '../sweep/plan.ts';
import { runSweep } from '../sweep/index.ts';
import type { SoloResult } from './solo.ts';
import { ldkMemory, ldkThroughput, type LdkMemory, type LdkThroughput } from './ldk.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean' },
    seconds: { type: 'string' },
    'scenario-seconds': { type: 'string' },
    'memory-seeds': { type: 'string' },
    trials: { type: 'string' },
    'hunt-budget': { type: 'string' },
    'search-runs': { type: 'string' },
    'no-searches': { type: 'boolean' },
    'skip-hunt': { type: 'boolean' },
    'ldk-seeds': { type: 'string' },
    'ldk-memory': { type: 'string' },
  },
});
const SAMPLE_SECONDS = Number(values.seconds ?? 8);
const SCENARIO_SECONDS = Number(values['scenario-seconds'] ?? 2);
const MEMORY_SEEDS = Number(values['memory-seeds'] ?? 20_000);
const TRIALS = Number(values.trials ?? 3);
const HUNT_BUDGET_SECONDS = Number(values['hunt-budget'] ?? 5);
const SEARCH_RUNS = Number(values['search-runs'] ?? 600);
/** Trials hunt disjoint seed ranges this far apart. */
const TRIAL_STRIDE = 1_000_000;
/** Warm-up seeds come from far away, so they are never the measured ones. */
const WARM_FROM = 900_000_000;
const WORKERS = Math.max(2, availableParallelism());
const BATCH = 25;

const log = (line: string) => {
  if (!values.json) process.stdout.write(`${line}\n`);
};
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const int = (x: number) => Math.round(x).toLocaleString('en-US');

interface Rate {
  readonly seconds: number;
  readonly runs: number;
  readonly runsPerSecond: number;
  readonly eventsPerSecond: number;
  readonly eventsPerRun: number;
  /** CPU time of the whole process (every V8 helper thread included) per run, in ms, where measured: steadier than wall time on a shared machine. */
  readonly cpuMsPerRun?: number;
}

function rateOf(runs: number, events: number, seconds: number): Rate {
  return { seconds, runs, runsPerSecond: runs / seconds, eventsPerSecond: events / seconds, eventsPerRun: events / runs };
}

// ---- per scenario, one thread ------------------------------------------------

async function scenarioRate(scenario: Scenario): Promise<Rate> {
  const executor = await inProcessExecutor({ scenarios: [scenario.name], bugs: [], cwd: process.cwd() });
  await executor.run({ index: 0, scenario: 0, round: 0, seeds: seedRange(WARM_FROM, 20) });
  let runs = 0;
  let events = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let from = 1; performance.now() - started < SCENARIO_SECONDS * 1000; from += BATCH) {
    const result = await executor.run({ index: 0, scenario: 0, round: 0, seeds: seedRange(from, BATCH) });
    runs += result.runs.length;
    events += result.runs.reduce((s, r) => s + r.events, 0);
  }
  const used = process.cpuUsage(cpu);
  return { ...rateOf(runs, events, (performance.now() - started) / 1000), cpuMsPerRun: (used.user + used.system) / 1000 / runs };
}

// ---- scaling: 1 thread vs all workers vs independent processes ---------------

interface Scaling {
  readonly scenario: string;
  readonly seeds: number;
  readonly single: Rate;
  readonly workers: Rate & { readonly count: number };
  readonly processes: { readonly count: number; readonly runsPerSecond: number; readonly eventsPerSecond: number };
  /** workers / single. */
  readonly speedUp: number;
  /** processes / single: what this machine gives two independent programs. */
  readonly ceiling: number;
  /** The 1-thread and the worker sweep saw the same traces. */
  readonly sameDigest: boolean;
}

/** Run a seed range over warm executors, in batches pulled as each executor frees up; merge digests in seed order. */
async function timedSweep(executors: readonly Executor[], seeds: number): Promise<{ rate: Rate; digest: string }> {
  const source = batches({ scenarios: ['x'], bugs: [], from: 1, seeds }, BATCH);
  const results: BatchResult[] = [];
  const started = performance.now();
  await Promise.all(
    executors.map(async (executor) => {
      for (let next = source.next(); !next.done; next = source.next()) results.push(await executor.run(next.value));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const hash = createHash('sha256');
  let events = 0;
  for (const result of results.sort((a, b) => a.index - b.index)) {
    for (const run of result.runs) {
      hash.update(`${run.seed}\t${run.fingerprint}\n`);
      events += run.events;
    }
  }
  return { rate: rateOf(seeds, events, seconds), digest: hash.digest('hex') };
}

async function scaling(scenario: Scenario, perScenario: Rate): Promise<Scaling> {
  const init = { scenarios: [scenario.name], bugs: [], cwd: process.cwd() };
  const seeds = Math.max(100, Math.round(perScenario.runsPerSecond * SAMPLE_SECONDS));
  const warm = { index: 0, scenario: 0, round: 0, seeds: seedRange(WARM_FROM, 40) };

  progress(`${scenario.name}: ${seeds} seeds on 1 thread (warm)...`);
  const single = await inProcessExecutor(init);
  await single.run(warm);
  const one = await timedSweep([single], seeds);

  progress(`${scenario.name}: ${seeds} seeds on ${WORKERS} workers (warm; start-up not counted)...`);
  const workers = await startWorkers(WORKERS, init);
  try {
    await Promise.all(workers.map((w) => w.run(warm)));
    const many = await timedSweep(workers, seeds);

    progress(`${scenario.name}: ${WORKERS} independent processes side by side, ${Math.ceil(seeds / WORKERS)} seeds each (warm)...`);
    const solos = await Promise.all(Array.from({ length: WORKERS }, (_, k) => soloProcess(scenario.name, 1 + k * seeds, Math.ceil(seeds / WORKERS))));
    const processes = { count: WORKERS, runsPerSecond: solos.reduce((s, r) => s + r.runsPerSecond, 0), eventsPerSecond: solos.reduce((s, r) => s + r.eventsPerSecond, 0) };
    return {
      scenario: scenario.name,
      seeds,
      single: one.rate,
      workers: { ...many.rate, count: WORKERS },
      processes,
      speedUp: many.rate.runsPerSecond / one.rate.runsPerSecond,
      ceiling: processes.runsPerSecond / one.rate.runsPerSecond,
      sameDigest: one.digest === many.digest,
    };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/** One more process of this program measuring alone (bench/solo.ts), started together with its siblings. */
function soloProcess(scenario: string, from: number, seeds: number): Promise<SoloResult> {
  const self = import.meta.url;
  const compiled = self.endsWith('.js');
  const entry = fileURLToPath(new URL(compiled ? './solo.js' : './solo.ts', self));
  const args = [...(compiled ? [] : ['--import', 'tsx']), entry, scenario, String(from), String(seeds), String(WARM_FROM)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as SoloResult) : reject(new Error(`bench: solo process exited with ${code}`))));
  });
}

async function workerStartSeconds(): Promise<number> {
  const started = performance.now();
  const workers = await startWorkers(WORKERS, { scenarios: [lightningScenarios[0].name], bugs: [], cwd: process.cwd() });
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((w) => w.close()));
  return seconds;
}

// ---- memory over a long sweep ---------------------------------------------------

interface Memory {
  readonly scenario: string;
  readonly seeds: number;
  readonly workers: number;
  readonly seconds: number;
  /** Resident set of the whole process (every worker included), sampled as the sweep runs. */
  readonly rssMiB: { readonly atTenth: number; readonly atEnd: number; readonly peak: number };
}

async function memorySweep(scenario: Scenario): Promise<Memory> {
  progress(`memory: ${int(MEMORY_SEEDS)} seeds of ${scenario.name} on ${WORKERS} workers...`);
  const mib = () => process.memoryUsage.rss() / 2 ** 20;
  let peak = mib();
  let atTenth = 0;
  const outcome = await runSweep({
    scenarios: [scenario.name],
    bugs: [],
    from: 1,
    seeds: MEMORY_SEEDS,
    workers: WORKERS,
    onProgress: (p) => {
      const now = mib();
      peak = Math.max(peak, now);
      if (atTenth === 0 && p.done >= p.total / 10) atTenth = now;
    },
  });
  return { scenario: scenario.name, seeds: outcome.runs, workers: WORKERS, seconds: outcome.elapsedSeconds, rssMiB: { atTenth, atEnd: mib(), peak } };
}

// ---- hunting ----------------------------------------------------------------------

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

function huntMedians(): HuntMedian[] {
  const medians: HuntMedian[] = [];
  for (const bug of BUGS) {
    progress(`hunting ${bug.id} (${TRIALS} trials)...`);
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

// ---- helpers ------------------------------------------------------------------------

function seedRange(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => from + k);
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

/** The scaling scenarios: the first built-in Lightning scenario with two nodes, and the first with three or more. */
function scalingScenarios(): Scenario[] {
  const nodeCount = (s: Scenario) => s.build(new Set()).nodes.length;
  const twoNode = lightningScenarios.find((s) => nodeCount(s) === 2);
  const multiNode = lightningScenarios.find((s) => nodeCount(s) >= 3);
  return [twoNode, multiNode].filter((s): s is Scenario => s !== undefined);
}

// ---- main -----------------------------------------------------------------------------

const benchStarted = performance.now();
const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', workers: WORKERS, loadAverage: loadavg()[0], compiled: import.meta.url.endsWith('.js'), workerStartSeconds: await workerStartSeconds() };
log(`lnsim bench: node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), load average ${machine.loadAverage.toFixed(2)} at start, ${machine.compiled ? 'compiled JavaScript' : 'TypeScript sources through tsx'}`);
if (machine.loadAverage > machine.cpus / 2) log(`warning: the machine is busy (load ${machine.loadAverage.toFixed(1)} on ${machine.cpus} CPUs): other processes share the cores, so rates are low and noisy; compare figures of one bench run only`);
log(`starting ${WORKERS} sweep workers (each loads the model) takes ${machine.workerStartSeconds.toFixed(2)} s; the worker figures below exclude it`);

const perScenario: { scenario: string; nodes: number; rate: Rate }[] = [];
// Real-LDK scenarios have their own section below (they load the WebAssembly and run a thousand times slower).
for (const scenario of SCENARIOS.filter((s) => s.backend !== 'ldk')) {
  progress(`${scenario.name}: ${SCENARIO_SECONDS} s on 1 thread...`);
  perScenario.push({ scenario: scenario.name, nodes: scenario.build(new Set()).nodes.length, rate: await scenarioRate(scenario) });
}
log('');
log(`Per scenario, one thread, warm (no planted bugs; ${SCENARIO_SECONDS} s each); cpu ms/run: the process's CPU time (V8's GC and compiler threads included) per run`);
log(
  table(
    ['scenario', 'nodes', 'events/run', 'runs/s', 'events/s', 'ms/run', 'cpu ms/run'],
    perScenario.map((p) => [p.scenario, String(p.nodes), int(p.rate.eventsPerRun), p.rate.runsPerSecond.toFixed(1), int(p.rate.eventsPerSecond), (1000 / p.rate.runsPerSecond).toFixed(2), p.rate.cpuMsPerRun!.toFixed(2)]),
    new Set([1, 2, 3, 4, 5, 6]),
  ),
);

const scalings: Scaling[] = [];
for (const scenario of scalingScenarios()) scalings.push(await scaling(scenario, perScenario.find((p) => p.scenario === scenario.name)!.rate));
log('');
log(`Scaling: the same seeds on 1 thread and on ${WORKERS} workers, both warm; ${WORKERS} independent processes side by side give the machine's ceiling`);
log(
  table(
    ['scenario', 'seeds', '1 thread runs/s', 'events/s', `${WORKERS} workers runs/s`, 'events/s', 'speed-up', `${WORKERS} processes runs/s`, 'ceiling', 'of ceiling', 'same digest'],
    scalings.map((s) => [
      s.scenario,
      String(s.seeds),
      s.single.runsPerSecond.toFixed(1),
      int(s.single.eventsPerSecond),
      s.workers.runsPerSecond.toFixed(1),
      int(s.workers.eventsPerSecond),
      `${s.speedUp.toFixed(2)}x`,
      s.processes.runsPerSecond.toFixed(1),
      `${s.ceiling.toFixed(2)}x`,
      `${((100 * s.speedUp) / s.ceiling).toFixed(0)}%`,
      s.sameDigest ? 'yes' : 'NO',
    ]),
    new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
  ),
);

const memoryScenario = scalingScenarios().at(-1)!;
const memory = await memorySweep(memoryScenario);
log('');
log(`Memory: ${int(memory.seeds)} seeds of ${memory.scenario} on ${memory.workers} workers in ${memory.seconds.toFixed(1)} s: resident ${memory.rssMiB.atTenth.toFixed(0)} MiB at 10%, ${memory.rssMiB.atEnd.toFixed(0)} MiB at the end, peak ${memory.rssMiB.peak.toFixed(0)} MiB`);

const medians = values['skip-hunt'] ? [] : huntMedians();
if (medians.length > 0) {
  log('');
  log(`Hunt: seeds and seconds to the first failure of the named invariant (median of ${TRIALS} trials on disjoint seed ranges, ${HUNT_BUDGET_SECONDS} s budget each, no shrinking)`);
  log(
    table(
      ['bug', 'invariant', 'caught', 'median seeds', 'min..max', 'median seconds', 'wrong invariant first'],
      medians.map((m) => [m.bug, m.invariant, `${m.caught}/${m.trials}`, m.medianSeeds === null ? '-' : String(m.medianSeeds), m.minSeeds === null ? '-' : `${m.minSeeds}..${m.maxSeeds}`, m.medianSeconds === null ? '-' : m.medianSeconds.toFixed(3), String(m.wrongInvariantFirst)]),
      new Set([2, 3, 4, 5, 6]),
    ),
  );
}
let searches: SearchComparison[] = [];
if (!values['no-searches']) {
  searches = compareSearches({ trials: TRIALS, maxRuns: SEARCH_RUNS, onBug: (r) => progress(`bench: searched ${r.bug} (${BENCH_SEARCHES.join(', ')}; ${TRIALS} trials)`) });
  log('');
  log(
    `Searches: runs to the first failure of the named invariant: plain = swarm sweep with aiming off; sweep = the default mix's sweep (each scenario's own aim setting; hunt's and npm start's search); fuzz = coverage-guided tape mutation, half its runs the sweep's seeds (median of ${TRIALS} trials, at most ${SEARCH_RUNS} runs each; '-' most trials missed; median seconds of the trials that caught it)`,
  );
  const { header, rows, totals } = searchesTable(searches, BENCH_SEARCHES, TRIALS, SEARCH_RUNS);
  log(table(header, rows, new Set(header.map((_, i) => i).filter((i) => i >= 2))));
  log(totals);
}

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
if (values.json) process.stdout.write(`${JSON.stringify({ machine, perScenario, scaling: scalings, memory, hunt: medians, searches, ldk, elapsedSeconds }, null, 2)}\n`);

