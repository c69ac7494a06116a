// Where batches run: on worker threads, or in this thread (one worker, or a
// sweep too small to pay for thread start-up). Both answer `run(batch)`.
import type { Worker } from 'node:worker_threads';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { loadScenario, UsageError } from '../api.ts';
import { BatchRunner, SweepRunError, type BatchResult } from './batch-runner.ts';
import type { Batch } from './plan.ts';
import type { WorkerInit, WorkerReply } from './worker-protocol.ts';
import { applySweepV8Flags } from './v8-flags.ts';
import { newWorkerThread, takeEarlyWorker } from './early-workers.ts';
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
  applySweepV8Flags();
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

export { WORKER_YOUNG_GENERATION_MB } from './early-workers.ts';

/** Batches a worker thread may hold at once: while it runs one, the next waits in its queue, so it never idles for a round trip. */
export const WORKER_QUEUE_DEPTH = 2;

/** One worker thread running batches in the order they are sent (up to WORKER_QUEUE_DEPTH queued). */
export class WorkerExecutor implements Executor {
  private readonly worker: Worker;
  /** Batches sent and not yet answered, oldest first: the worker answers them in this order. */
  private readonly pending: { resolve: (result: BatchResult) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  private closed = false;
  private onReady: { resolve: () => void; reject: (e: Error) => void } | undefined;
  /** Settles once the worker has loaded its scenarios. */
  readonly ready: Promise<void>;

  constructor(init: WorkerInit) {
    // A thread started early (bin/lnsim.js) if one is waiting: it has loaded the model already.
    this.worker = takeEarlyWorker(init) ?? newWorkerThread(init);
    this.ready = new Promise<void>((resolve, reject) => {
      this.onReady = { resolve, reject };
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
    if (this.pending.length >= WORKER_QUEUE_DEPTH) return Promise.reject(new Error(`sweep worker: at most ${WORKER_QUEUE_DEPTH} batches at a time`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(batch);
    });
  }

  /** Stop the thread at once; batches in flight reject with SweepAborted. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new SweepAborted());
    await this.worker.terminate();
  }

  private onReply(reply: WorkerReply): void {
    switch (reply.type) {
      case 'ready':
        this.onReady?.resolve();
        this.onReady = undefined;
        return;
      case 'done': {
        const pending = this.pending.shift();
        if (pending) pending.resolve(reply.result);
        else this.fail(new Error('sweep worker: answered a batch it was not sent'));
        return;
      }
      case 'run-error':
        this.fail(new SweepRunError(reply.scenario, reply.seed, reply.message));
        return;
      case 'fatal':
        this.fail(reply.usage ? new UsageError(reply.message) : new Error(`sweep worker failed: ${reply.message}`));
        return;
    }
  }

  /** The first failure sticks: every batch in flight, and every later one, rejects with it. */
  private fail(error: Error): void {
    this.failure ??= error;
    this.onReady?.reject(error);
    this.onReady = undefined;
    for (const pending of this.pending.splice(0)) pending.reject(error);
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
