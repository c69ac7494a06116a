// Messages between the sweep engine and its worker threads (structured-clone data only).
import type { BatchResult } from './batch-runner.ts';

/** Sent once, as workerData. */
export interface WorkerInit {
  readonly scenarios: readonly string[];
  readonly bugs: readonly string[];
  /** Directory relative scenario paths are resolved against. */
  readonly cwd: string;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly result: BatchResult }
  | { readonly type: 'run-error'; readonly scenario: string; readonly seed: number; readonly message: string }
  | { readonly type: 'fatal'; readonly usage: boolean; readonly message: string };
