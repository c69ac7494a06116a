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

/** The JSON text of values never changed once made (an invoice, a command, fee parameters), per value. */
const fixedTexts = new WeakMap<object, string>();

function fixedText(value: object): string {
  let text = fixedTexts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    fixedTexts.set(value, text);
  }
  return text;
}

/**
 * JSON.stringify(record), the same text, for a record saved again and again whose members named in `fixed` hold
 * objects never changed once set: their text is made once per object, not at every save. Keys are plain identifiers
 * (written without escaping); members that are undefined are left out, as JSON.stringify leaves them.
 */
export function recordText(record: object, fixed: readonly string[]): string {
  let text = '{';
  for (const key in record) {
    const value = (record as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const member = value !== null && typeof value === 'object' && fixed.includes(key) ? fixedText(value) : JSON.stringify(value);
    text += text.length === 1 ? `"${key}":${member}` : `,"${key}":${member}`;
  }
  return `${text}}`;
}
