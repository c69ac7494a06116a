// The trace: every event of a run as a structured record, and a running sha256
// over all of them (the run's fingerprint). One incremental hash, digested once.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export interface TraceRecord {
  /** Index in the trace, from 0. */
  readonly i: number;
  /** Virtual time. */
  readonly t: number;
  /** Kind: send, deliver, drop, write, durable, crash, restart, block, command, fault, violation, model kinds... */
  readonly k: string;
  /** The node the event happened at, if any. */
  readonly n?: string;
  /** Kind-specific data (plain JSON). */
  readonly d?: Readonly<Record<string, unknown>>;
}

export interface TraceOptions {
  /** Keep every record in memory (replay, TUI, repro). Sweeps only hash. */
  keepRecords?: boolean;
  /** Called for each record as it is appended (invariant checkers, live views). */
  onRecord?: (record: TraceRecord) => void;
}

/** Serialized records are hashed in chunks of about this many characters: per-call hashing overhead dominates small updates. */
const HASH_CHUNK = 1 << 16;

export class Trace {
  private readonly hash = sha256.create();
  private pending: string[] = [];
  private pendingLength = 0;
  private count = 0;
  readonly records: TraceRecord[] | undefined;
  private digest: string | undefined;
  private readonly onRecord?: (record: TraceRecord) => void;

  constructor(options: TraceOptions = {}) {
    this.records = options.keepRecords ? [] : undefined;
    this.onRecord = options.onRecord;
  }

  get length(): number {
    return this.count;
  }

  append(t: number, k: string, n?: string, d?: Record<string, unknown>): TraceRecord {
    if (this.digest !== undefined) throw new Error('trace: append after the fingerprint was taken');
    const record: TraceRecord = { i: this.count++, t, k, n, d };
    const text = serializeRecord(record);
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= HASH_CHUNK) this.flush();
    this.records?.push(record);
    this.onRecord?.(record);
    return record;
  }

  /** The sha256 fingerprint of the whole trace (hex); ends the trace. */
  fingerprint(): string {
    if (this.digest === undefined) {
      this.flush();
      this.digest = bytesToHex(this.hash.digest());
    }
    return this.digest;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hash.update(utf8ToBytes(this.pending.join('')));
    this.pending = [];
    this.pendingLength = 0;
  }
}

/** The canonical text of one record: what the fingerprint covers. */
export function serializeRecord(r: TraceRecord): string {
  return `${r.t}|${r.k}|${r.n ?? ''}|${r.d === undefined ? '' : JSON.stringify(r.d)}\n`;
}

/** One readable line per record, for --print and failure messages. */
export function formatRecord(r: TraceRecord): string {
  const data = r.d === undefined ? '' : ' ' + Object.entries(r.d).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  return `#${r.i} t=${r.t} ${r.n ? r.n + ' ' : ''}${r.k}${data}`;
}
