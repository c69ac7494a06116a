// Persist-then-act: a node writes a record and runs the follow-up (usually a
// send) only once the write is durable, so that after a crash its disk always
// holds at least what its peers have been told.
import type { DiskValue } from '../../../sim/disk.ts';
import type { NodeEnv } from '../../../sim/node.ts';

export interface DurableCallbacks {
  next: number;
  readonly waiting: Map<string, () => void>;
}

export function newDurableCallbacks(): DurableCallbacks {
  return { next: 0, waiting: new Map() };
}

/** Write `value` (text, or a value the disk copies) under `key` (delete when undefined), then run `after` once it is durable. */
export function persist(env: NodeEnv, callbacks: DurableCallbacks, key: string, value: DiskValue | undefined, after?: () => void): void {
  const tag = `p${callbacks.next++}`;
  const status = value === undefined ? env.disk.delete(key, { tag }) : env.disk.write(key, value, { tag });
  // Durable at once (the usual case): run it now, never parked in the map. The kernel reports a write durable only
  // later (a durable event), never from inside write, and a crash in write throws: the same as parking it first.
  if (status === 'durable') after?.();
  else if (after) callbacks.waiting.set(tag, after);
}

/** The kernel reports a tagged write durable. */
export function runDurable(callbacks: DurableCallbacks, tag: string): void {
  const after = callbacks.waiting.get(tag);
  if (!after) return;
  callbacks.waiting.delete(tag);
  after();
}
