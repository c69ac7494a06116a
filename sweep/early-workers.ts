// Sweep worker threads started before the command line has loaded. A thread
// takes about a tenth of a second to load the compiled model, and the CLI's
// own thread as long to load it and dry-run the scripted scenarios: started
// first (bin/lnsim.js, for `run`), the threads load while the CLI does, on the
// cores it leaves idle. They wait, unreferenced (they keep no process alive),
// for the sweep to hand them their scenarios; those it does not need are
// stopped once it has its executors. Light imports only: this module loads
// before everything else.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { applySweepV8Flags } from './v8-flags.ts';
import type { WorkerInit, WorkerStart } from './worker-protocol.ts';

// Compiled (dist/, see scripts/build.mjs): the worker's own JavaScript. From the
// TypeScript sources (vitest, tsx): a plain-JS entry that registers tsx first.
const WORKER_ENTRY = import.meta.url.endsWith('.js') ? new URL('./worker.js', import.meta.url) : new URL('./worker-boot.mjs', import.meta.url);

/**
 * The young generation of a sweep worker's heap (V8's default is 48 MB). A run's world is garbage a few
 * milliseconds later; a larger nursery lets more of it die there instead of being copied and promoted. With two
 * busy workers on two cores, where GC helper threads take time from the workers, 64 MB measured a few percent
 * less CPU per run and a higher rate than the default; much larger nurseries were slower (cache misses).
 */
export const WORKER_YOUNG_GENERATION_MB = 64;

/**
 * A new sweep worker thread. With `init` it loads those scenarios at once; without, it loads the model and waits
 * for a WorkerStart message.
 */
export function newWorkerThread(init: WorkerInit | undefined): Worker {
  // Before the isolate exists: it reads V8's flags when created.
  applySweepV8Flags();
  // No inherited flags (vitest's, a debugger's): the entry registers tsx itself when it needs it.
  return new Worker(WORKER_ENTRY, { workerData: init, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
}

interface EarlyWorker {
  readonly worker: Worker;
  /** It failed or exited before a sweep took it. */
  dead: boolean;
  /** Marks it dead: its 'error' and 'exit' listener until a sweep takes it. */
  readonly gone: () => void;
}

const waiting: EarlyWorker[] = [];

/**
 * Threads worth starting early for `lnsim run ARGS`: as many as --workers asks, else one per core. A sweep too small
 * for threads (it runs in its own) still starts them: their loading then costs CPU on cores it leaves idle.
 */
export function earlyWorkerCount(args: readonly string[]): number {
  if (args.includes('--help') || args.includes('-h')) return 0;
  for (let i = 0; i < args.length; i++) {
    const given = args[i] === '--workers' ? args[i + 1] : args[i].startsWith('--workers=') ? args[i].slice('--workers='.length) : undefined;
    // A bad value starts none: the CLI then says what is wrong with it.
    if (given !== undefined) return /^\d+$/.test(given) ? Number(given) : 0;
  }
  return availableParallelism();
}

/** Starts `count` threads (none for fewer than 2: one worker means the sweep's own thread). */
export function startEarlyWorkers(count: number): void {
  if (count < 2) return;
  for (let i = 0; i < count; i++) {
    const early: EarlyWorker = { worker: newWorkerThread(undefined), dead: false, gone: () => (early.dead = true) };
    early.worker.unref();
    // Until a sweep takes it, a failure only marks it: the sweep starts a thread of its own instead (and sees the
    // failure there, if it is not a passing one).
    early.worker.on('error', early.gone);
    early.worker.on('exit', early.gone);
    waiting.push(early);
  }
}

/** A waiting thread, sent `init` (its scenarios), referenced again; undefined when none is left. */
export function takeEarlyWorker(init: WorkerInit): Worker | undefined {
  for (let early = waiting.shift(); early !== undefined; early = waiting.shift()) {
    if (early.dead) continue;
    // Only its own listeners go: the sweep's executor adds its own.
    early.worker.off('error', early.gone);
    early.worker.off('exit', early.gone);
    early.worker.ref();
    early.worker.postMessage({ type: 'start', init } satisfies WorkerStart);
    return early.worker;
  }
  return undefined;
}

/** Stops the threads no sweep took; how many there were. */
export function releaseEarlyWorkers(): number {
  const left = waiting.splice(0);
  for (const early of left) void early.worker.terminate();
  return left.length;
}
