// V8 settings for sweeps. V8's flags are per process: set from the sweep's
// thread before its first worker starts, they reach every worker isolate (each
// reads them when created) and this thread's later compiles. They change how
// V8 optimises code, never what it computes: traces are the same with or
// without them.
import { setFlagsFromString } from 'node:v8';

/**
 * Flags a sweep sets, each with why. A sweep's first thousands of runs per thread pay for TurboFan compiling the
 * model (and re-compiling it after deopts) on background threads that compete with the workers for the cores.
 */
export const SWEEP_V8_FLAGS: readonly string[] = [
  // An eighth of V8's budget (460 bytes of bytecode) for inlining one callee: smaller optimised functions compile
  // faster and cost less to throw away after a deopt, and TurboFan's compiles are about a quarter of a worker's CPU
  // over `npm start` (~2.1 s of 6,500 runs). 120 measured ~5% less CPU than the default over a whole `npm start`;
  // 60 less again than 120 in 11 of 11 alternated pairs (0.4-7%, ~3% typical), although it runs ~1.3% more
  // instructions (calls that were inlined): the compiles it saves are memory-bound work.
  '--max-inlined-bytecode-size=60',
  // Twice V8's interrupt budget (67,584): a function must run twice as long before V8 considers optimising it, so
  // code that runs about once per run stays in baseline code instead of costing a TurboFan compile. Over one
  // worker's share of `npm start` (6,512 runs in the sweep's own batches, instruction counts under valgrind with
  // --single-threaded, so compiles are counted): 897 -> 714 compiles, 98 -> 61 deopts, 1.9% fewer instructions.
  '--interrupt-budget=135168',
  // No loop peeling (TurboFan copies a loop's first iteration out of the loop, to hoist its checks): the copies make
  // every optimised function with a loop bigger to compile, and the model's loops are short (a channel's HTLCs, a
  // record's members). Instructions under valgrind (--single-threaded, so compiles count): 2.7% fewer over a
  // thread's first 520 runs, the same per warm run (-0.15% over runs 521-1,950); TurboFan's compile time for a
  // thread's share of `npm start` 15-20% lower (--trace-opt); less CPU in 6 of 6 alternated single-thread pairs.
  '--no-turbo-loop-peeling',
  // A worker's young generation near its full size from the start (16 MB semi-spaces; its limit of 64 MB, see
  // WORKER_YOUNG_GENERATION_MB, allows about 21) instead of growing from 1 MB: a warming-up worker's first
  // scavenges come less often. Less CPU in 5 of 6 alternated `npm start` pairs (-0.9% wall on the means; 4 more rounds -1.7%).
  '--min-semi-space-size=16',
  // Measured on top of it and left out (whole-process CPU over a thread's first 6,500 runs, alternated 3-7 times;
  // none won in every round): --max-inlined-bytecode-size-cumulative=460, --max-inlined-bytecode-size-small=0 and
  // =12 (less CPU in 6 of 7 rounds, yet ~45% more TurboFan compile ms when traced), --invocation-count-for-osr=2000,
  // --minimum-invocations-after-ic-update=150 and =1500 (both more CPU); on top of no loop peeling, by instructions
  // over a thread's first 520 runs, --no-turbo-loop-rotation, --no-turbo-loop-variable and --no-turbo-splitting
  // (all within 0.2%), --max-inlined-bytecode-size=40 (0.7% fewer, within noise in timings), and
  // --turbo-force-mid-tier-regalloc, --turboshaft and --no-turbo-escape (more compile time or CPU).
];

let applied = false;

/**
 * Set SWEEP_V8_FLAGS once per process, before the sweep's first worker starts. A flag given on node's own command
 * line (or in NODE_OPTIONS) wins: `node --max-inlined-bytecode-size=460 bin/lnsim.js run` runs with V8's default.
 */
export function applySweepV8Flags(): void {
  if (applied) return;
  applied = true;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName);
  for (const flag of SWEEP_V8_FLAGS) if (!given.includes(flagName(flag))) setFlagsFromString(flag);
}

/** '--max-inlined-bytecode-size=60' -> 'max_inlined_bytecode_size' (V8 takes - and _ alike; --no-x names x). */
function flagName(arg: string): string {
  return arg.replace(/^--(no-)?/, '').split('=')[0].replace(/-/g, '_');
}
