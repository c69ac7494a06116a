// The trace: every event of a run as a structured record, and a running sha256
// over all of them (the run's fingerprint). Each record is hashed in a compact
// canonical encoding (encodeRecord), written as bytes by RecordHasher and fed
// to node:crypto's sha256 in large chunks: one incremental hash, digested once.
// Humans never see that encoding: they read formatRecord's lines.
import { GENERIC, RecordHasher, type Shape } from './trace-hash.ts';

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

export class Trace {
  private readonly hash = new RecordHasher();
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

  /** Appends a record; `shape` (trace-hash.ts) names the data's members when the caller knows them, to hash it faster. */
  append(t: number, k: string, n?: string, d?: Record<string, unknown>, shape: Shape = GENERIC): TraceRecord {
    if (this.digest !== undefined) throw new Error('trace: append after the fingerprint was taken');
    const record: TraceRecord = { i: this.count++, t, k, n, d };
    this.hash.add(record, shape);
    this.records?.push(record);
    this.onRecord?.(record);
    return record;
  }

  /** The sha256 fingerprint of the whole trace (hex); ends the trace. */
  fingerprint(): string {
    this.digest ??= this.hash.digest();
    return this.digest;
  }
}

/**
 * The canonical encoding of one record: what the fingerprint covers (as UTF-8). Compact and
 * unambiguous (strings and keys carry their length), cheaper than JSON text. The specification
 * RecordHasher writes as bytes.
 */
export function encodeRecord(r: TraceRecord): string {
  return `${r.t}|${r.k}|${r.n ?? ''}|${r.d === undefined ? '' : encodeValue(r.d)}\n`;
}

/** Plain data: strings as length:chars, numbers as n<number>, objects as {key=value...} in property order (undefined and function members skipped, as JSON does). */
export function encodeValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return `${v.length}:${v}`;
    case 'number':
      return `n${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'u';
    case 'object': {
      if (v === null) return 'z';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += encodeValue(v[i]);
        return `${out}]`;
      }
      let out = '{';
      for (const key in v) {
        const member = (v as Record<string, unknown>)[key];
        if (member !== undefined && typeof member !== 'function' && typeof member !== 'symbol') out += `${key.length}:${key}=${encodeValue(member)}`;
      }
      return `${out}}`;
    }
    case 'bigint':
      return `b${v}`;
    default:
      return 'u'; // functions and symbols are not data (JSON drops them too)
  }
}

/** One readable line per record, for --print and failure messages. */
export function formatRecord(r: TraceRecord): string {
  const data = r.d === undefined ? '' : ' ' + Object.entries(r.d).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  return `#${r.i} t=${r.t} ${r.n ? r.n + ' ' : ''}${r.k}${data}`;
}
