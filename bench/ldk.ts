// LDK figures for `npm run bench`: runs/s and payments/s of real LDK scenarios
// on one thread and on every worker, and memory over a long in-process sweep
// (the WebAssembly frees memory only when the event loop turns; it must stay
// flat). Wall-clock time is read here only, around whole runs.
import { loadScenario } from '../api.ts';
import { runSimAsync } from '../sim/runner.ts';
import { runSweep } from '../sweep/index.ts';

export interface LdkThroughput {
  readonly scenario: string;
  readonly seeds: number;
  readonly singleRunsPerSecond: number;
  readonly paymentsPerSecond: number;
  readonly paymentsPerRun: number;
  readonly workers: number;
  readonly parallelRunsPerSecond: number;
  readonly sameDigest: boolean;
  readonly violations: number;
}

export interface LdkMemory {
  readonly scenario: string;
  readonly seeds: number;
  /** Resident set size (MB) after each tenth of the seeds. */
  readonly rssMb: readonly number[];
  readonly runsPerSecond: number;
}

export async function ldkThroughput(name: string, seeds: number, workers: number): Promise<LdkThroughput> {
  const scenario = await loadScenario(name);
  const spec = scenario.build(new Set());
  let payments = 0;
  const started = performance.now();
  for (let seed = 1; seed <= seeds; seed++) await runSimAsync(spec, { seed, onRecord: (r) => void (r.k === 'pay' && payments++) });
  const singleSeconds = (performance.now() - started) / 1000;
  const single = await runSweep({ scenarios: [name], bugs: [], from: 1, seeds, workers: 1 });
  const parallel = await runSweep({ scenarios: [name], bugs: [], from: 1, seeds, workers });
  return {
    scenario: name,
    seeds,
    singleRunsPerSecond: seeds / singleSeconds,
    paymentsPerSecond: payments / singleSeconds,
    paymentsPerRun: payments / seeds,
    workers: parallel.workers || 1,
    parallelRunsPerSecond: parallel.runs / parallel.elapsedSeconds,
    sameDigest: single.digest === parallel.digest,
    violations: single.violations,
  };
}

export async function ldkMemory(name: string, seeds: number): Promise<LdkMemory> {
  const scenario = await loadScenario(name);
  const spec = scenario.build(new Set());
  const rssMb: number[] = [];
  const started = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    await runSimAsync(spec, { seed });
    if (seed % Math.max(1, Math.floor(seeds / 10)) === 0) rssMb.push(Math.round(process.memoryUsage().rss / 1e6));
  }
  return { scenario: name, seeds, rssMb, runsPerSecond: seeds / ((performance.now() - started) / 1000) };
}
