// The plugin's datastore: one entry per purchase (JIT scid), active while the
// purchase is in play, then finalized. What is written when (DESIGN 3.5):
// payment hash at session start; channel + funding at channel_ready, before
// the session sees it; preimage at settle; funding txid at broadcast.
// Finalize is create-or-replace of the final entry, then delete of the active.
import type { NodeEnv } from '../../../sim/node.ts';
import { BUG } from '../bugs.ts';
import { persist } from '../nodes/durable.ts';
import type { LspState } from './state.ts';

export interface DatastoreEntry {
  readonly scid: string;
  readonly hash: string;
  readonly channel?: string;
  readonly funding?: string;
  readonly preimage?: string;
  readonly broadcastTxid?: string;
}

export type Outcome = 'succeeded' | 'abandoned' | 'expired';

export const ACTIVE_PREFIX = 'ds/active/';
export const FINAL_PREFIX = 'ds/final/';

export function readActive(env: NodeEnv, scid: string): DatastoreEntry | undefined {
  const text = env.disk.read(ACTIVE_PREFIX + scid);
  return text === undefined ? undefined : decodeEntry(text);
}

export function readFinal(env: NodeEnv, scid: string): { entry: DatastoreEntry; outcome: Outcome } | undefined {
  const text = env.disk.read(FINAL_PREFIX + scid);
  return text === undefined ? undefined : (JSON.parse(text) as { entry: DatastoreEntry; outcome: Outcome });
}

// Decoding is pure and the same entry texts are read again and again (recovery, every session step, the liveness
// check at the end): remembered, up to a bound, and frozen, since every run of the thread shares it.
const MEMO_LIMIT = 4_096;
const decoded = new Map<string, DatastoreEntry | undefined>();

const OPTIONAL_FIELDS = ['channel', 'funding', 'preimage', 'broadcastTxid'] as const;

/** A decodable entry, or undefined (a legacy or damaged record). */
export function decodeEntry(text: string): DatastoreEntry | undefined {
  let entry = decoded.get(text);
  if (entry === undefined && !decoded.has(text)) {
    if (decoded.size >= MEMO_LIMIT) decoded.clear();
    entry = decodeText(text);
    decoded.set(text, entry);
  }
  return entry;
}

function decodeText(text: string): DatastoreEntry | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const e = data as Record<string, unknown>;
  if (typeof e.scid !== 'string' || typeof e.hash !== 'string') return undefined;
  for (let i = 0; i < OPTIONAL_FIELDS.length; i++) {
    const value = e[OPTIONAL_FIELDS[i]];
    if (value !== undefined && typeof value !== 'string') return undefined;
  }
  return Object.freeze(e) as unknown as DatastoreEntry;
}

export function writeActive(state: LspState, env: NodeEnv, entry: DatastoreEntry, after?: () => void): void {
  const text = JSON.stringify(entry);
  rememberWritten(text, entry);
  persist(env, state.cb, ACTIVE_PREFIX + entry.scid, text, after);
}

/**
 * The entry just written, as decodeText would read its text back (its defined members, in order, frozen): the LSP
 * reads its active entry again at its next steps, most often before anything else is written. Only entries of
 * string members are remembered this way; any other is left to decodeText.
 */
function rememberWritten(text: string, entry: DatastoreEntry): void {
  if (decoded.has(text) || typeof entry.scid !== 'string' || typeof entry.hash !== 'string') return;
  const read: Record<string, string> = {};
  for (const key in entry) {
    const value = (entry as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || key === '__proto__') return;
    read[key] = value;
  }
  if (decoded.size >= MEMO_LIMIT) decoded.clear();
  decoded.set(text, Object.freeze(read) as unknown as DatastoreEntry);
}

/**
 * Move the purchase's entry to finalized: write the final entry, then (once
 * it is durable) delete the active one. Idempotent: the final entry is
 * created or replaced, so a finalize repeated after a crash succeeds.
 * cln-finalize-create writes it must-create, so a repeat fails and the
 * active entry is never deleted.
 */
export function finalize(state: LspState, env: NodeEnv, entry: DatastoreEntry, outcome: Outcome): void {
  const finalKey = FINAL_PREFIX + entry.scid;
  if (state.opts.bugs.has(BUG.finalizeCreate) && env.disk.read(finalKey) !== undefined) {
    env.trace('datastore-finalize-failed', { scid: entry.scid, reason: 'final entry exists (must-create)' });
    return;
  }
  env.trace('datastore-finalize', { scid: entry.scid, hash: entry.hash, outcome });
  // The active entry goes only once the final one is durable: never neither.
  persist(env, state.cb, finalKey, JSON.stringify({ entry, outcome }), () => persist(env, state.cb, ACTIVE_PREFIX + entry.scid, undefined));
}

/** Whether the purchase already has (or had) its channel: then it never gets another session. */
export function purchaseFunded(env: NodeEnv, scid: string): boolean {
  const active = readActive(env, scid);
  if (active?.channel !== undefined) return true;
  const final = readFinal(env, scid);
  return final !== undefined && final.outcome !== 'expired';
}
