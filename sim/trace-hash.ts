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

export class RecordHasher {
  private readonly hash: Hash = createHash('sha256');
  private readonly buf = Buffer.allocUnsafe(CHUNK + 256);
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
    if ((n | 0) !== n || this.pos + 12 > this.buf.length) return this.raw(String(n));
    if (n < 0) {
      this.buf[this.pos++] = 0x2d;
      n = -n;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let at = this.pos + digits;
    this.pos = at;
    do {
      this.buf[--at] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
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
