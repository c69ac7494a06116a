// The fingerprint's hash input, written straight into a byte buffer: the exact
// UTF-8 bytes of trace.ts's encodeRecord, without building a string per record
// (the strings, and flattening them for the hash, were most of the trace's
// cost and much of its garbage). encodeRecord stays the specification; the
// trace test proves the two agree.
import { createHash, type Hash } from 'node:crypto';
import type { TraceRecord } from './trace.ts';

/** Bytes hashed per update call: per-call overhead dominates small updates. */
const CHUNK = 1 << 16;
const PIPE = 0x7c;
const COLON = 0x3a;
const EMPTY = Buffer.alloc(0);

/** Buffers of finished hashers, reused by the next (a sweep runs thousands of traces, one after another). */
const spare: Buffer[] = [];

export class RecordHasher {
  private readonly hash: Hash = createHash('sha256');
  private buf = spare.pop() ?? Buffer.allocUnsafe(CHUNK + 256);
  private pos = 0;

  add(r: TraceRecord): void {
    this.number(r.t);
    this.byte(PIPE);
    this.raw(r.k);
    this.byte(PIPE);
    if (r.n !== undefined) this.raw(r.n);
    this.byte(PIPE);
    if (r.d !== undefined) this.value(r.d);
    this.byte(0x0a);
    if (this.pos >= CHUNK) this.flush();
  }

  /** The sha256 of everything added (hex). */
  digest(): string {
    this.flush();
    // The buffer goes back to the pool; this hasher takes no more records (the trace refuses them).
    if (spare.length < 4) spare.push(this.buf);
    this.buf = EMPTY;
    return this.hash.digest('hex');
  }

  private flush(): void {
    if (this.pos > 0) this.hash.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  private byte(b: number): void {
    if (this.pos >= this.buf.length) this.flush();
    this.buf[this.pos++] = b;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.number(v.length);
        this.byte(COLON);
        this.raw(v);
        return;
      case 'number':
        this.byte(0x6e); // n
        this.number(v);
        return;
      case 'boolean':
        this.byte(v ? 0x54 : 0x46); // T F
        return;
      case 'object': {
        if (v === null) return this.byte(0x7a); // z
        if (Array.isArray(v)) {
          this.byte(0x5b);
          for (let i = 0; i < v.length; i++) this.value(v[i]);
          return this.byte(0x5d);
        }
        this.byte(0x7b);
        for (const key in v) {
          const member = (v as Record<string, unknown>)[key];
          if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
          this.number(key.length);
          this.byte(COLON);
          this.raw(key);
          this.byte(0x3d); // =
          this.value(member);
        }
        return this.byte(0x7d);
      }
      case 'bigint':
        this.byte(0x62); // b
        return this.raw(String(v));
      default:
        return this.byte(0x75); // u: undefined, and functions and symbols, which are not data
    }
  }

  /** A number as `${n}` writes it. */
  private number(n: number): void {
    // Integers of 31 bits (times, ids, counts) digit by digit; anything else through String().
    if ((n | 0) !== n || n === -2147483648 || this.pos + 12 > this.buf.length) return this.raw(String(n));
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 0x2d;
      n = -n;
    }
    if (n < 10) {
      buf[this.pos++] = 0x30 + n;
      return;
    }
    const digits = n < 100 ? 2 : n < 1_000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : n < 1_000_000 ? 6 : n < 10_000_000 ? 7 : n < 100_000_000 ? 8 : n < 1_000_000_000 ? 9 : 10;
    let at = this.pos + digits;
    this.pos = at;
    while (n > 0) {
      const q = (n / 10) | 0;
      buf[--at] = 0x30 + (n - q * 10);
      n = q;
    }
  }

  /** A string's UTF-8 bytes. */
  private raw(s: string): void {
    const length = s.length;
    if (this.pos + length > this.buf.length) {
      this.flush();
      if (length * 3 > this.buf.length) {
        this.hash.update(s, 'utf8');
        return;
      }
    }
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: let the UTF-8 encoder write the rest (up to 3 bytes per UTF-16 unit).
        this.pos = pos;
        const rest = s.slice(i);
        if (pos + rest.length * 3 > buf.length) {
          this.flush();
          if (rest.length * 3 > buf.length) {
            this.hash.update(rest, 'utf8');
            return;
          }
        }
        this.pos += buf.write(rest, this.pos, 'utf8');
        return;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }
}
