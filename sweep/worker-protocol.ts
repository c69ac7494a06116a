// Messages between the sweep engine and its worker threads (structured-clone data only).
import type { BatchResult } from './batch-runner.ts';

/** Sent once, as workerData, or in a WorkerStart to a thread started early (sweep/early-workers.ts). */
export interface WorkerInit {
  readonly scenarios: readonly string[];
  readonly bugs: readonly string[];
  /** Directory relative scenario paths are resolved against. */
  readonly cwd: string;
}

/** The first message to a thread started without workerData; batches follow. */
export interface WorkerStart {
  readonly type: 'start';
  readonly init: WorkerInit;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly result: BatchResult }
  | { readonly type: 'run-error'; readonly scenario: string; readonly seed: number; readonly message: string }
  | { readonly type: 'fatal'; readonly usage: boolean; readonly message: string };
