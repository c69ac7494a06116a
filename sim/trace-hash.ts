// The fingerprint's hash input, written straight into a byte buffer: the exact
// UTF-8 bytes of trace.ts's encodeRecord, without building a string per record
// (the strings, and flattening them for the hash, were most of the trace's
// cost and much of its garbage). encodeRecord stays the specification; the
// trace test proves the two agree.
import { createHash, type Hash } from 'node:crypto';
import type { TraceRecord } from './trace.ts';

/** Bytes hashed per update call: per-call overhead dominates small updates. */
const CHUNK = 1 << 16;
/**
 * Room past CHUNK. Writers check `pos > CHUNK` only at each record, member and item: between two checks fewer
 * than 100 bytes are written (numbers, strings of up to LONG chars, punctuation), so single bytes need no bounds
 * check of their own. Longer strings check their own room and leave pos <= CHUNK.
 */
const SLACK = 256;
/**
 * Strings longer than this go through the native UTF-8 encoder, whose call costs about as much as copying two
 * dozen characters one by one (and reading a rope, as most long strings are, char by char costs more).
 */
const LONG = 24;
const PIPE = 0x7c;
const COLON = 0x3a;
const EMPTY = Buffer.alloc(0);

/** Buffers of finished hashers, reused by the next (a sweep runs thousands of traces, one after another). */
const spare: Buffer[] = [];

export class RecordHasher {
  private readonly hash: Hash = createHash('sha256');
  private buf = spare.pop() ?? Buffer.allocUnsafe(CHUNK + SLACK);
  private pos = 0;

  // Every writer below takes the write position and returns the new one (kept in a local, not the field, while a
  // record is written).

  add(r: TraceRecord): void {
    let pos = this.pos;
    if (pos > CHUNK) pos = this.flush(pos);
    pos = this.number(r.t, pos);
    this.buf[pos++] = PIPE;
    pos = this.raw(r.k, pos);
    this.buf[pos++] = PIPE;
    if (r.n !== undefined) pos = this.raw(r.n, pos);
    this.buf[pos++] = PIPE;
    if (r.d !== undefined) pos = this.value(r.d, pos);
    this.buf[pos++] = 0x0a;
    this.pos = pos;
  }

  /** The sha256 of everything added (hex). */
  digest(): string {
    this.pos = this.flush(this.pos);
    // The buffer goes back to the pool; this hasher takes no more records (the trace refuses them).
    if (spare.length < 4) spare.push(this.buf);
    this.buf = EMPTY;
    return this.hash.digest('hex');
  }

  /** Hashes the buffer's first `pos` bytes; the new position (0). */
  private flush(pos: number): number {
    if (pos > 0) this.hash.update(this.buf.subarray(0, pos));
    return 0;
  }

  /** `{key=value...}`, members that are strings or numbers (most are) written inline. */
  private object(v: object, pos: number): number {
    if (pos > CHUNK) pos = this.flush(pos);
    const buf = this.buf;
    buf[pos++] = 0x7b; // {
    for (const key in v) {
      const member = (v as Record<string, unknown>)[key];
      if (member === undefined) continue;
      const type = typeof member;
      if (type === 'function' || type === 'symbol') continue;
      if (pos > CHUNK) pos = this.flush(pos);
      pos = this.number(key.length, pos);
      buf[pos++] = COLON;
      pos = this.raw(key, pos);
      buf[pos++] = 0x3d; // =
      if (type === 'string') {
        pos = this.number((member as string).length, pos);
        buf[pos++] = COLON;
        pos = this.raw(member as string, pos);
      } else if (type === 'number') {
        buf[pos++] = 0x6e; // n
        pos = this.number(member as number, pos);
      } else pos = this.value(member, pos);
    }
    if (pos > CHUNK) pos = this.flush(pos);
    buf[pos++] = 0x7d; // }
    return pos;
  }

  private value(v: unknown, pos: number): number {
    const buf = this.buf;
    switch (typeof v) {
      case 'string':
        pos = this.number(v.length, pos);
        buf[pos++] = COLON;
        return this.raw(v, pos);
      case 'number':
        buf[pos++] = 0x6e; // n
        return this.number(v, pos);
      case 'boolean':
        buf[pos++] = v ? 0x54 : 0x46; // T F
        return pos;
      case 'object': {
        if (v === null) {
          buf[pos++] = 0x7a; // z
          return pos;
        }
        if (!Array.isArray(v)) return this.object(v, pos);
        buf[pos++] = 0x5b; // [
        for (let i = 0; i < v.length; i++) {
          if (pos > CHUNK) pos = this.flush(pos);
          pos = this.value(v[i], pos);
        }
        if (pos > CHUNK) pos = this.flush(pos);
        buf[pos++] = 0x5d; // ]
        return pos;
      }
      case 'bigint':
        buf[pos++] = 0x62; // b
        return this.long(String(v), pos);
      default:
        buf[pos++] = 0x75; // u: undefined, and functions and symbols, which are not data
        return pos;
    }
  }

  /** A number as `${n}` writes it (at most 25 bytes). */
  private number(n: number, pos: number): number {
    const buf = this.buf;
    // Integers of 31 bits (times, ids, counts) digit by digit; anything else through String().
    if ((n | 0) !== n || n === -2147483648) {
      const s = String(n);
      for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
      return pos;
    }
    if (n < 0) {
      buf[pos++] = 0x2d;
      n = -n;
    }
    if (n < 10) {
      buf[pos++] = 0x30 + n;
      return pos;
    }
    const digits = n < 100 ? 2 : n < 1_000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : n < 1_000_000 ? 6 : n < 10_000_000 ? 7 : n < 100_000_000 ? 8 : n < 1_000_000_000 ? 9 : 10;
    const end = pos + digits;
    let at = end;
    while (n > 0) {
      const q = (n / 10) | 0;
      buf[--at] = 0x30 + (n - q * 10);
      n = q;
    }
    return end;
  }

  /** A string's UTF-8 bytes: short ASCII ones char by char (at most LONG bytes), any other through long. */
  private raw(s: string, pos: number): number {
    const length = s.length;
    if (length > LONG) return this.long(s, pos);
    const buf = this.buf;
    const start = pos;
    for (let i = 0; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.long(s, start);
      buf[pos++] = c;
    }
    return pos;
  }

  /** Any string, through the native UTF-8 encoder (up to 3 bytes per UTF-16 unit); leaves pos <= CHUNK. */
  private long(s: string, pos: number): number {
    const most = s.length * 3;
    if (pos + most > CHUNK) {
      pos = this.flush(pos);
      if (most > CHUNK) {
        this.hash.update(s, 'utf8');
        return 0;
      }
    }
    return pos + this.buf.write(s, pos, 'utf8');
  }
}
