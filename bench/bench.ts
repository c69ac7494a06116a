// npm run bench: how fast the kernel runs each scenario, how the sweep scales
// from 1 to all cores, what memory a long sweep holds, and how fast hunting
// finds each planted bug. Benchmarks are the one place wall-clock time
// belongs: every figure is performance.now() around whole simulations, never
// inside one. `npm run bench` runs the compiled JavaScript (scripts/build.mjs).
//
// Options: USAGE below (`npm run bench -- --help` prints it).
//
// Scaling is measured fairly: the single thread, every worker and every
// independent process first run the same number of warm-up seeds (seconds of
// them: V8 keeps optimising the model for that long), then all three run the
// same seeds (the processes half each, side by side: the machine's own
// ceiling), alternating, twice by default, the best of each counting. Worker
// start-up is timed on its own and is in no sample.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { BUGS, defaultMix, SCENARIOS } from '../api.ts';
import { hunt } from '../scenarios/hunt.ts';
import { BENCH_SEARCHES, compareSearches, searchesTable, type SearchComparison } from './searches.ts';
import { scenarios as lightningScenarios } from '../scenarios/ln/index.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { BatchResult } from '../sweep/batch-runner.ts';
import { inProcessExecutor, startWorkers, WORKER_QUEUE_DEPTH, WORKER_YOUNG_GENERATION_MB, type Executor } from '../sweep/executors.ts';
import { batches } from '../sweep/plan.ts';
import { runSweep } from '../sweep/index.ts';
import type { SoloResult } from './solo.ts';
import { ldkMemory, ldkThroughput, type LdkMemory, type LdkThroughput } from './ldk.ts';

const USAGE = [
  'npm run bench                          tables (a few minutes, and several more for the searches section)',
  'npm run bench -- --json                one JSON object',
  'npm run bench -- --seconds 4           seconds per scaling sample (default 8)',
  'npm run bench -- --warm-seconds 4      the 1 thread\'s warm-up before the scaling samples; every worker and process then warms on as many seeds (default 1.25 x --seconds)',
  'npm run bench -- --repeats 3           scaling samples of each kind, alternating (default 2; the best counts)',
  'npm run bench -- --scenario-seconds 1  seconds per scenario in the per-scenario table, after half as long warming up (default 2)',
  'npm run bench -- --memory-seeds 100000 seeds of the memory sweep (default 20,000; 100,000 takes some 4 minutes on 2 cores)',
  'npm run bench -- --warmup-seeds 300    seeds of the default mix in the warm-up section, on fresh workers (default 300, or --memory-seeds if fewer; 0 skips it)',
  'npm run bench -- --trials 5            hunt trials per bug (default 3)',
  'npm run bench -- --hunt-budget 20      seconds per hunt trial (default 5)',
  'npm run bench -- --skip-hunt           throughput and memory only',
  'npm run bench -- --search-runs 300     runs per trial in the searches section (default 600)',
  'npm run bench -- --no-searches         skip the searches section (plain vs default sweep vs fuzz)',
  'npm run bench -- --ldk-seeds 40        seeds per real-LDK scenario (default 20; 0 skips the LDK section)',
  'npm run bench -- --ldk-memory 2000     seeds of the in-process LDK memory sweep (default 100)',
  'npm run bench -- --help                this text',
].join('\n');

const OPTIONS = {
  json: { type: 'boolean' },
  seconds: { type: 'string' },
  'warm-seconds': { type: 'string' },
  repeats: { type: 'string' },
  'scenario-seconds': { type: 'string' },
  'memory-seeds': { type: 'string' },
  'warmup-seeds': { type: 'string' },
  trials: { type: 'string' },
  'hunt-budget': { type: 'string' },
  'search-runs': { type: 'string' },
  'no-searches': { type: 'boolean' },
  'skip-hunt': { type: 'boolean' },
  'ldk-seeds': { type: 'string' },
  'ldk-memory': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** The command line, or a one-line error naming the bad option and where the list is (never a stack trace). */
function parseCommandLine(): ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'] {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (e) {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}; 'npm run bench -- --help' lists the options\n`);
    process.exit(2);
  }
}

const values = parseCommandLine();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
/** A numeric option: a finite number of at least `min`, or a one-line error naming it. */
function numberOption(name: keyof typeof OPTIONS, fallback: number, min = 0): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(n) || n < min) {
    process.stderr.write(`bench: --${name} ${String(text)} is not a number of at least ${min}; give e.g. --${name} ${fallback}\n`);
    process.exit(2);
  }
  return n;
}
const SAMPLE_SECONDS = numberOption('seconds', 8, 0.01);
const WARM_SECONDS = numberOption('warm-seconds', 1.25 * SAMPLE_SECONDS);
const REPEATS = Math.max(1, Math.round(numberOption('repeats', 2, 1)));
const SCENARIO_SECONDS = numberOption('scenario-seconds', 2, 0.01);
const MEMORY_SEEDS = numberOption('memory-seeds', 20_000);
// A quick bench (small --memory-seeds) keeps a short warm-up section too.
const WARMUP_SEEDS = numberOption('warmup-seeds', Math.min(300, MEMORY_SEEDS));
/** Slices of the warm-up curve: its runs cut into this many equal parts. */
const WARMUP_SLICES = 6;
const TRIALS = numberOption('trials', 3, 1);
const HUNT_BUDGET_SECONDS = numberOption('hunt-budget', 5, 0.01);
const SEARCH_RUNS = numberOption('search-runs', 600, 1);
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
  // Warm for half as long as the sample (V8 optimises a scenario's code over its first seconds).
  const warmStarted = performance.now();
  for (let from = WARM_FROM; performance.now() - warmStarted < (SCENARIO_SECONDS * 1000) / 2; from += BATCH) await executor.run({ index: 0, scenario: 0, round: 0, seeds: seedRange(from, BATCH) });
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

/** One timed sample of the scaling seeds. */
interface Sample {
  readonly seconds: number;
  readonly runsPerSecond: number;
  readonly eventsPerSecond: number;
  /** CPU time per run, in ms, of every thread of the processes involved (V8's GC and compiler threads included). */
  readonly cpuMsPerRun: number;
}

interface Scaling {
  readonly scenario: string;
  /** Seeds of every timed sample: the 1 thread, the workers and the processes (split evenly) all run these. */
  readonly seeds: number;
  /** Seeds each thread and process ran before its first timed sample (far from the timed ones). */
  readonly warmSeeds: number;
  /** Starting the workers (each loads the model) until all were ready: in no sample. */
  readonly workerStartSeconds: number;
  /** Every sample, in the order taken (the three kinds alternate, the order reversed every other repeat). */
  readonly samples: { readonly single: Sample[]; readonly workers: Sample[]; readonly processes: Sample[] };
  /** The best sample of each kind (the fewest disturbances by other load). */
  readonly single: Sample;
  readonly workers: Sample & { readonly count: number };
  readonly processes: Sample & { readonly count: number };
  /** workers / single. */
  readonly speedUp: number;
  /** processes / single: what this machine gives independent programs. */
  readonly ceiling: number;
  /** Every 1-thread and worker sample saw the same traces. */
  readonly sameDigest: boolean;
}

function sampleOf(runs: number, events: number, seconds: number, cpuMs: number): Sample {
  return { seconds, runsPerSecond: runs / seconds, eventsPerSecond: events / seconds, cpuMsPerRun: cpuMs / runs };
}

const best = (samples: readonly Sample[]) => samples.reduce((a, b) => (b.runsPerSecond > a.runsPerSecond ? b : a));

/**
 * Run a seed range over warm executors as the sweep engine does: batches pulled as each executor frees up,
 * WORKER_QUEUE_DEPTH queued per worker thread; digests merged in seed order.
 */
async function timedSweep(executors: readonly Executor[], from: number, seeds: number): Promise<{ sample: Sample; digest: string }> {
  const source = batches({ scenarios: ['x'], bugs: [], from, seeds }, BATCH);
  const results: BatchResult[] = [];
  const depth = executors.length > 1 ? WORKER_QUEUE_DEPTH : 1;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    executors.flatMap((executor) =>
      Array.from({ length: depth }, async () => {
        for (let next = source.next(); !next.done; next = source.next()) results.push(await executor.run(next.value));
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const hash = createHash('sha256');
  let events = 0;
  for (const result of results.sort((a, b) => a.index - b.index)) {
    for (const run of result.runs) {
      hash.update(`${run.seed}\t${run.fingerprint}\n`);
      events += run.events;
    }
  }
  return { sample: sampleOf(seeds, events, seconds, (used.user + used.system) / 1000), digest: hash.digest('hex') };
}

/** Warm executors on far-away seeds (others than the 1 thread's), `seeds` each, side by side. */
async function warm(executors: readonly Executor[], seeds: number): Promise<void> {
  await Promise.all(
    executors.map(async (executor, k) => {
      for (let done = 0; done < seeds; done += BATCH) await executor.run({ index: 0, scenario: 0, round: 0, seeds: seedRange(WARM_FROM + (k + 1) * seeds + done, Math.min(BATCH, seeds - done)) });
    }),
  );
}

async function scaling(scenario: Scenario): Promise<Scaling> {
  const init = { scenarios: [scenario.name], bugs: [], cwd: process.cwd() };
  const started = performance.now();
  const workers = await startWorkers(WORKERS, init);
  const workerStartSeconds = (performance.now() - started) / 1000;
  const solos = await Promise.all(Array.from({ length: WORKERS }, () => SoloProcess.start(scenario.name)));
  try {
    // The 1 thread warms for WARM_SECONDS (V8 keeps optimising the model's code for seconds); the seeds it ran
    // are the warm-up of every worker and process too, and its rate over the last half sets the sample's seeds.
    progress(`${scenario.name}: warming 1 thread for ${WARM_SECONDS} s...`);
    const single = await inProcessExecutor(init);
    let warmSeeds = 0;
    let halfway = { at: 0, seeds: 0 };
    const warmStarted = performance.now();
    while (warmSeeds < BATCH || performance.now() - warmStarted < WARM_SECONDS * 1000) {
      await single.run({ index: 0, scenario: 0, round: 0, seeds: seedRange(WARM_FROM + warmSeeds, BATCH) });
      warmSeeds += BATCH;
      if (halfway.at === 0 && performance.now() - warmStarted >= (WARM_SECONDS * 1000) / 2) halfway = { at: performance.now(), seeds: warmSeeds };
    }
    const warmRate = halfway.at > 0 && warmSeeds > halfway.seeds ? ((warmSeeds - halfway.seeds) * 1000) / (performance.now() - halfway.at) : (warmSeeds * 1000) / (performance.now() - warmStarted);
    const seeds = Math.max(WORKERS * BATCH, Math.round(warmRate * SAMPLE_SECONDS));
    progress(`${scenario.name}: warming ${WORKERS} workers and ${WORKERS} processes (${warmSeeds} seeds each)...`);
    await warm(workers, warmSeeds);
    await Promise.all(solos.map((solo, k) => solo.run(WARM_FROM + (k + 1) * warmSeeds, warmSeeds)));

    const samples = { single: [] as Sample[], workers: [] as Sample[], processes: [] as Sample[] };
    const digests = new Set<string>();
    const kinds = {
      single: async () => {
        const { sample, digest } = await timedSweep([single], 1, seeds);
        samples.single.push(sample);
        digests.add(digest);
      },
      workers: async () => {
        const { sample, digest } = await timedSweep(workers, 1, seeds);
        samples.workers.push(sample);
        digests.add(digest);
      },
      processes: async () => {
        // Each process runs its share of the same seeds; the sample ends when the last one finishes.
        const share = Math.ceil(seeds / WORKERS);
        const begun = performance.now();
        const results = await Promise.all(solos.map((solo, k) => solo.run(1 + k * share, Math.min(share, seeds - k * share))));
        const seconds = (performance.now() - begun) / 1000;
        samples.processes.push(sampleOf(seeds, results.reduce((s, r) => s + r.events, 0), seconds, results.reduce((s, r) => s + r.cpuMs, 0)));
      },
    };
    const order = ['single', 'workers', 'processes'] as const;
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const kind of repeat % 2 === 0 ? order : [...order].reverse()) {
        progress(`${scenario.name}: ${seeds} seeds on ${kind === 'single' ? '1 thread' : `${WORKERS} ${kind}`} (repeat ${repeat + 1}/${REPEATS})...`);
        await kinds[kind]();
      }
    }
    const one = best(samples.single);
    const many = best(samples.workers);
    const apart = best(samples.processes);
    return {
      scenario: scenario.name,
      seeds,
      warmSeeds,
      workerStartSeconds,
      samples,
      single: one,
      workers: { ...many, count: WORKERS },
      processes: { ...apart, count: WORKERS },
      speedUp: many.runsPerSecond / one.runsPerSecond,
      ceiling: apart.runsPerSecond / one.runsPerSecond,
      sameDigest: digests.size === 1,
    };
  } finally {
    await Promise.all([...workers.map((w) => w.close()), ...solos.map((s) => s.close())]);
  }
}

/**
 * Another process of this program (bench/solo.ts --serve) that runs seeds when asked, alone in its process:
 * several side by side measure what the machine gives independent programs. It runs with the workers' heap
 * settings, so the ceiling differs from the workers only in being separate processes.
 */
class SoloProcess {
  private readonly replies: ((line: string) => void)[] = [];
  private buffered = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString();
      for (let end = this.buffered.indexOf('\n'); end >= 0; end = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        this.replies.shift()?.(line);
      }
    });
  }

  static async start(scenario: string): Promise<SoloProcess> {
    const self = import.meta.url;
    const compiled = self.endsWith('.js');
    const entry = fileURLToPath(new URL(compiled ? './solo.js' : './solo.ts', self));
    const semiSpaceMb = Math.round(WORKER_YOUNG_GENERATION_MB / 3);
    const args = [`--max-semi-space-size=${semiSpaceMb}`, ...(compiled ? [] : ['--import', 'tsx']), entry, '--serve', scenario];
    const solo = new SoloProcess(spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
    await solo.reply();
    return solo;
  }

  async run(from: number, seeds: number): Promise<SoloResult> {
    const answer = this.reply();
    this.child.stdin!.write(`${JSON.stringify({ from, seeds })}\n`);
    return JSON.parse(await answer) as SoloResult;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin!.end();
    });
  }

  private reply(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench: solo process exited with ${code}`));
      this.child.once('exit', onExit);
      this.replies.push((line) => {
        this.child.off('exit', onExit);
        resolve(line);
      });
    });
  }
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
  /** The whole sweep as `lnsim run` runs it: worker start-up and warm-up included. */
  readonly runsPerSecond: number;
  readonly eventsPerSecond: number;
  /** Resident set of the whole process (every worker included), sampled as the sweep runs. */
  readonly rssMiB: { readonly atTenth: number; readonly atHalf: number; readonly atEnd: number; readonly peak: number; readonly tenths: readonly number[] };
}

async function memorySweep(scenario: Scenario): Promise<Memory> {
  progress(`memory: ${int(MEMORY_SEEDS)} seeds of ${scenario.name} on ${WORKERS} workers...`);
  const mib = () => process.memoryUsage.rss() / 2 ** 20;
  let peak = mib();
  const tenths: number[] = [];
  const outcome = await runSweep({
    scenarios: [scenario.name],
    bugs: [],
    from: 1,
    seeds: MEMORY_SEEDS,
    workers: WORKERS,
    onProgress: (p) => {
      const now = mib();
      peak = Math.max(peak, now);
      while (tenths.length < 10 && p.done >= (p.total * (tenths.length + 1)) / 10) tenths.push(now);
    },
  });
  // The last tenth's sample: after runSweep returns its workers are gone.
  const atEnd = tenths.at(-1) ?? mib();
  return {
    scenario: scenario.name,
    seeds: outcome.runs,
    workers: WORKERS,
    seconds: outcome.elapsedSeconds,
    runsPerSecond: outcome.runs / outcome.elapsedSeconds,
    eventsPerSecond: outcome.events / outcome.elapsedSeconds,
    rssMiB: { atTenth: tenths[0] ?? atEnd, atHalf: tenths[4] ?? atEnd, atEnd, peak, tenths: tenths.map((x) => Math.round(x)) },
  };
}

// ---- warm-up: what a fresh sweep pays before V8 has optimised the model -------------

interface WarmupSlice {
  /** Runs of the sweep at the slice's end. */
  readonly runs: number;
  readonly seconds: number;
  readonly runsPerSecond: number;
  /** CPU time of the whole process (workers, V8's compiler and GC threads) per run over the slice. */
  readonly cpuMsPerRun: number;
}

interface Warmup {
  readonly seeds: number;
  readonly scenarios: number;
  readonly workers: number;
  /** Consecutive slices of the sweep's runs, in completion order; the first includes starting the workers. */
  readonly slices: readonly WarmupSlice[];
}

/**
 * The default mix (what `npm start` sweeps) on fresh workers, as `lnsim run` runs it: CPU per run slice by slice.
 * The first thousands of runs of a thread pay V8's optimising compiler (and its re-compiles after deopts) on top
 * of the runs; the last slice is close to warm, so the curve shows what warm-up costs a whole sweep.
 */
async function warmupCurve(): Promise<Warmup> {
  const scenarios = defaultMix().map((s) => s.name);
  progress(`warm-up: ${int(WARMUP_SEEDS)} seeds of the default mix (${scenarios.length} scenarios) on ${WORKERS} fresh workers...`);
  const total = WARMUP_SEEDS * scenarios.length;
  const slices: WarmupSlice[] = [];
  let last = { runs: 0, at: performance.now(), cpu: process.cpuUsage() };
  const cut = (runs: number) => {
    const now = performance.now();
    const used = process.cpuUsage(last.cpu);
    const seconds = (now - last.at) / 1000;
    slices.push({ runs, seconds, runsPerSecond: (runs - last.runs) / seconds, cpuMsPerRun: (used.user + used.system) / 1000 / (runs - last.runs) });
    last = { runs, at: now, cpu: process.cpuUsage() };
  };
  await runSweep({
    scenarios,
    bugs: [],
    from: WARM_FROM,
    seeds: WARMUP_SEEDS,
    workers: WORKERS,
    onProgress: (p) => {
      if (p.done >= (total * (slices.length + 1)) / WARMUP_SLICES && p.done > last.runs) cut(p.done);
    },
  });
  return { seeds: WARMUP_SEEDS, scenarios: scenarios.length, workers: WORKERS, slices };
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
log(`Per scenario, one thread, warm (no planted bugs; ${SCENARIO_SECONDS} s each after ${SCENARIO_SECONDS / 2} s of warm-up); cpu ms/run: the process's CPU time (V8's GC and compiler threads included) per run`);
log(
  table(
    ['scenario', 'nodes', 'events/run', 'runs/s', 'events/s', 'ms/run', 'cpu ms/run'],
    perScenario.map((p) => [p.scenario, String(p.nodes), int(p.rate.eventsPerRun), p.rate.runsPerSecond.toFixed(1), int(p.rate.eventsPerSecond), (1000 / p.rate.runsPerSecond).toFixed(2), p.rate.cpuMsPerRun!.toFixed(2)]),
    new Set([1, 2, 3, 4, 5, 6]),
  ),
);

const scalings: Scaling[] = [];
for (const scenario of scalingScenarios()) scalings.push(await scaling(scenario));
log('');
log(`Scaling: the same seeds on 1 thread, on ${WORKERS} workers and on ${WORKERS} independent processes side by side (the machine's ceiling), all warm; best of ${REPEATS} alternating samples each; cpu ms/run counts every thread (GC and compiler included)`);
log(
  table(
    ['scenario', 'seeds', 'warm-up', '1 thread runs/s', 'events/s', 'cpu ms/run', `${WORKERS} workers runs/s`, 'events/s', 'cpu ms/run', 'speed-up', `${WORKERS} processes runs/s`, 'cpu ms/run', 'ceiling', 'of ceiling', 'same digest'],
    scalings.map((s) => [
      s.scenario,
      String(s.seeds),
      String(s.warmSeeds),
      s.single.runsPerSecond.toFixed(1),
      int(s.single.eventsPerSecond),
      s.single.cpuMsPerRun.toFixed(2),
      s.workers.runsPerSecond.toFixed(1),
      int(s.workers.eventsPerSecond),
      s.workers.cpuMsPerRun.toFixed(2),
      `${s.speedUp.toFixed(2)}x`,
      s.processes.runsPerSecond.toFixed(1),
      s.processes.cpuMsPerRun.toFixed(2),
      `${s.ceiling.toFixed(2)}x`,
      `${((100 * s.speedUp) / s.ceiling).toFixed(0)}%`,
      s.sameDigest ? 'yes' : 'NO',
    ]),
    new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
  ),
);
for (const s of scalings) {
  const each = (samples: readonly Sample[]) => samples.map((x) => x.runsPerSecond.toFixed(1)).join(' ');
  log(`  ${s.scenario}: runs/s of every sample: 1 thread ${each(s.samples.single)}; workers ${each(s.samples.workers)}; processes ${each(s.samples.processes)}; starting the ${WORKERS} workers took ${s.workerStartSeconds.toFixed(2)} s (in no sample)`);
}

const memoryScenario = scalingScenarios().at(-1)!;
const memory = await memorySweep(memoryScenario);
log('');
log(`Memory: ${int(memory.seeds)} seeds of ${memory.scenario} on ${memory.workers} workers (--memory-seeds N) in ${memory.seconds.toFixed(1)} s, ${memory.runsPerSecond.toFixed(1)} runs/s, ${int(memory.eventsPerSecond)} events/s (worker start-up and warm-up included): resident ${memory.rssMiB.atTenth.toFixed(0)} MiB at 10%, ${memory.rssMiB.atHalf.toFixed(0)} MiB at 50%, ${memory.rssMiB.atEnd.toFixed(0)} MiB at the end, peak ${memory.rssMiB.peak.toFixed(0)} MiB`);
log(`  resident MiB after each tenth: ${memory.rssMiB.tenths.join(' ')}`);

const warmup = WARMUP_SEEDS > 0 ? await warmupCurve() : undefined;
if (warmup) {
  log('');
  log(`Warm-up: ${int(warmup.seeds)} seeds of the default mix (${warmup.scenarios} scenarios, ${int(warmup.seeds * warmup.scenarios)} runs) on ${warmup.workers} fresh workers, as npm start runs them (--warmup-seeds N); cpu ms/run counts every thread (V8's compiler and GC included); the first slice includes starting the workers`);
  log(
    table(
      ['runs', 'seconds', 'runs/s', 'cpu ms/run'],
      warmup.slices.map((x, i) => [`${int(i === 0 ? 1 : warmup.slices[i - 1].runs + 1)}..${int(x.runs)}`, x.seconds.toFixed(1), x.runsPerSecond.toFixed(1), x.cpuMsPerRun.toFixed(2)]),
      new Set([1, 2, 3]),
    ),
  );
  const first = warmup.slices[0];
  const lastSlice = warmup.slices.at(-1)!;
  if (first && lastSlice !== first) log(`  the first slice costs ${(first.cpuMsPerRun / lastSlice.cpuMsPerRun).toFixed(2)}x the CPU per run of the last`);
}

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

const LDK_SEEDS = numberOption('ldk-seeds', 20);
const ldk: { throughput: LdkThroughput[]; memory: LdkMemory | undefined } = { throughput: [], memory: undefined };
if (LDK_SEEDS > 0) {
  for (const name of ['ldk-two-node-payments', 'ldk-forward-async-persist']) {
    progress(`bench: ${name}: ${LDK_SEEDS} seeds of real LDK, 1 thread then ${WORKERS} workers...`);
    ldk.throughput.push(await ldkThroughput(name, LDK_SEEDS, WORKERS));
  }
  const memorySeeds = numberOption('ldk-memory', 100);
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
if (values.json) process.stdout.write(`${JSON.stringify({ machine, perScenario, scaling: scalings, memory, warmup, hunt: medians, searches, ldk, elapsedSeconds }, null, 2)}\n`);

