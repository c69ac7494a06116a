// Where batches run: on worker threads, or in this thread (one worker, or a
// sweep too small to pay for thread start-up). Both answer `run(batch)`.
import { Worker } from 'node:worker_threads';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { loadScenario, UsageError } from '../api.ts';
import { BatchRunner, SweepRunError, type BatchResult } from './batch-runner.ts';
import type { Batch } from './plan.ts';
import type { WorkerInit, WorkerReply } from './worker-protocol.ts';
// Type-checks the worker module, which nothing imports (it is loaded by path in each thread).
import type {} from './worker.ts';

/** A batch that was cut off because the sweep stopped (Ctrl-C, stop-on-first, another worker's error). */
export class SweepAborted extends Error {
  constructor() {
    super('sweep stopped');
  }
}

export interface Executor {
  run(batch: Batch): Promise<BatchResult>;
  close(): Promise<void>;
}

/** Runs batches in this thread, yielding to the event loop between batches (progress display, Ctrl-C). */
export async function inProcessExecutor(init: WorkerInit): Promise<Executor> {
  const scenarios = await Promise.all(init.scenarios.map((spec) => loadScenario(spec, init.cwd)));
  const runner = new BatchRunner(scenarios, init.bugs);
  // After a batch left this thread suspect, later batches run on a fresh worker thread.
  let replacement: ReplacingExecutor | undefined;
  return {
    async run(batch) {
      if (replacement) return replacement.run(batch);
      await yieldToEventLoop();
      const result = await runner.run(batch);
      if (result.suspect) {
        replacement = new ReplacingExecutor(init);
      }
      return result;
    },
    async close() {
      await replacement?.close();
    },
  };
}

// Compiled (dist/, see scripts/build.mjs): the worker's own JavaScript. From the
// TypeScript sources (vitest, tsx): a plain-JS entry that registers tsx first.
const WORKER_ENTRY = import.meta.url.endsWith('.js') ? new URL('./worker.js', import.meta.url) : new URL('./worker-boot.mjs', import.meta.url);

/** One worker thread running one batch at a time. */
export class WorkerExecutor implements Executor {
  private readonly worker: Worker;
  /** The reply awaited: the ready signal, then one batch result at a time. */
  private pending: { resolve: (result: BatchResult | undefined) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private closed = false;
  /** Settles once the worker has loaded its scenarios. */
  readonly ready: Promise<void>;

  constructor(init: WorkerInit) {
    // No inherited flags (vitest's, a debugger's): the entry registers tsx itself when it needs it.
    this.worker = new Worker(WORKER_ENTRY, { workerData: init, execArgv: [] });
    this.ready = new Promise<void>((resolve, reject) => {
      this.pending = { resolve: () => resolve(), reject };
    });
    // Failures before anyone awaits `ready` surface through startWorkers.
    this.ready.catch(() => {});
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`sweep worker exited unexpectedly (code ${code})`));
    });
  }

  run(batch: Batch): Promise<BatchResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('sweep worker: one batch at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve: (result) => (result ? resolve(result) : reject(new Error('sweep worker: answered a batch with no result'))), reject };
      this.worker.postMessage(batch);
    });
  }

  /** Stop the thread at once; a batch in flight rejects with SweepAborted. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new SweepAborted());
    await this.worker.terminate();
  }

  private onReply(reply: WorkerReply): void {
    const pending = this.pending;
    this.pending = undefined;
    switch (reply.type) {
      case 'ready':
        pending?.resolve(undefined);
        return;
      case 'done':
        pending?.resolve(reply.result);
        return;
      case 'run-error':
        this.fail(new SweepRunError(reply.scenario, reply.seed, reply.message), pending);
        return;
      case 'fatal':
        this.fail(reply.usage ? new UsageError(reply.message) : new Error(`sweep worker failed: ${reply.message}`), pending);
        return;
    }
  }

  private fail(error: Error, pending = this.pending): void {
    this.pending = undefined;
    this.failure ??= error;
    pending?.reject(error);
  }
}

/** A worker thread that is replaced by a fresh one whenever a batch leaves it suspect. */
class ReplacingExecutor implements Executor {
  private current: WorkerExecutor;

  constructor(private readonly init: WorkerInit, current?: WorkerExecutor) {
    this.current = current ?? new WorkerExecutor(init);
  }

  static around(worker: WorkerExecutor, init: WorkerInit): ReplacingExecutor {
    return new ReplacingExecutor(init, worker);
  }

  async run(batch: Batch): Promise<BatchResult> {
    await this.current.ready;
    const result = await this.current.run(batch);
    if (result.suspect) {
      await this.current.close();
      this.current = new WorkerExecutor(this.init);
    }
    return result;
  }

  close(): Promise<void> {
    return this.current.close();
  }
}

/** Start `count` workers and wait until every one has loaded the scenarios. */
export async function startWorkers(count: number, init: WorkerInit): Promise<Executor[]> {
  const workers = Array.from({ length: count }, () => new WorkerExecutor(init));
  try {
    await Promise.all(workers.map((w) => w.ready));
  } catch (e) {
    await Promise.all(workers.map((w) => w.close()));
    throw e;
  }
  // Each keeps its started thread; a batch that leaves a thread suspect gets it replaced.
  return workers.map((w) => ReplacingExecutor.around(w, init));
}
