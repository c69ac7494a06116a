// The fingerprint's hash input, written straight into a byte buffer: the exact
// UTF-8 bytes of trace.ts's encodeRecord, without building a string per record
// (the strings, and flattening them for the hash, were most of the trace's
// cost and much of its garbage). Constant parts (the kernel's own record
// shapes; object keys, record kinds and strings seen before) are stored from
// precomputed bytes, four at a time. A trace that fits in the buffer is hashed
// by one native call at its digest. encodeRecord stays the specification; the
// trace tests (kernel-trace, trace-shapes) prove the two agree.
import * as crypto from 'node:crypto';
import { createHash, type Hash } from 'node:crypto';
import type { TraceRecord } from './trace.ts';

/** Bytes hashed per update call: per-call overhead dominates small updates. */
const CHUNK = 1 << 16;
/**
 * Room past CHUNK. Writers check `pos > CHUNK` only at each record, member and item: between two checks fewer
 * than 300 bytes are written (numbers, strings of up to LONG chars, constants, punctuation), so single bytes need
 * no bounds check of their own. Longer strings check their own room and leave pos <= CHUNK.
 */
const SLACK = 1024;
/**
 * Strings longer than this go through the native UTF-8 encoder, whose call costs about as much as copying a few
 * dozen characters one by one (measured in real runs: 64 beats 40, 24 and 16).
 */
const LONG = 64;
const PIPE = 0x7c;
const COLON = 0x3a;

/**
 * A constant's UTF-8 bytes, stored four bytes at a time (the last word's padding lands past the new position, where
 * the next write goes): its offset in POOL, which holds its byte length, then its bytes as little-endian 32-bit
 * words. One array for all constants: fewer objects and cache lines to touch than an array each.
 */
type Constant = number;
function constant(text: string): Constant {
  const bytes = Buffer.from(text, 'utf8');
  return constantOf(bytes, 0, bytes.length);
}
/** The constant of the bytes `buf[start..end)`, at the end of the pool's fixed part. */
function constantOf(buf: Uint8Array, start: number, end: number): Constant {
  const at = POOL_END;
  POOL_END += words(end - start);
  if (POOL_END > STRINGS_START) throw new Error('trace-hash: constant pool full (raise KEYS_KEPT)');
  return store(buf, start, end, at);
}
/** Pool words a constant of `bytes` bytes takes. */
const words = (bytes: number): number => 1 + ((bytes + 3) >> 2);
/** Stores the bytes `buf[start..end)` as the constant at `at`. */
function store(buf: Uint8Array, start: number, end: number, at: Constant): Constant {
  const length = end - start;
  POOL[at] = length;
  for (let w = 1; w < words(length); w++) POOL[at + w] = 0;
  for (let i = 0; i < length; i++) POOL[at + 1 + (i >> 2)] |= buf[start + i] << (8 * (i & 3));
  return at;
}
/**
 * Encoded keys of the objects walked so far. Records and messages use a few hundred distinct keys, over and
 * over: one lookup (their hash is precomputed) and a few four-byte stores beat writing the key char by char (by
 * instruction counts over whole runs: about 2.5% fewer with the cache, measured again in session 10).
 * Bounded, against data keyed by ids; keys of more than KEY_BYTES are written every time.
 */
const KEYS = new Map<string, Constant>();
const KEYS_KEPT = 4096;
const KEY_BYTES = 64;
/**
 * One place in the records' objects, where a member of them goes: the objects met at one place (a kind's data, a
 * member of it, an array's items, send messages) mostly have the same keys in the same order, so a key is found by
 * comparing it with the one met at its place before (property names are internalized: a pointer comparison) rather
 * than by a KEYS lookup. Only a cache: a key that differs is looked up and takes the place over. Each place knows
 * the next member's place and its value's objects' places: a tree of the key orders met, per kind.
 */
class Place {
  /** The key met here last, and its encoded key (-1: none, written char by char). */
  key = '';
  code: Constant = -1;
  private after: Place | undefined = undefined;
  private inner: Place | undefined = undefined;

  /** The encoded key of `key`, met here (-1 if not in KEYS), remembered here. */
  learn(key: string): Constant {
    const code = KEYS.get(key);
    if (code === undefined) return -1;
    this.key = key;
    this.code = code;
    return code;
  }

  /** The place of the member after this one. */
  next(): Place {
    return (this.after ??= newPlace());
  }

  /** The place of the objects in this member's value. */
  value(): Place {
    return (this.inner ??= newPlace());
  }
}
/** Bounds the places (against data keyed by ids): past it, new places share ELSEWHERE. */
const PLACES_KEPT = 1 << 15;
let placesMade = 0;
const newPlace = (): Place => (placesMade < PLACES_KEPT ? (placesMade++, new Place()) : ELSEWHERE);
/** The place of objects the kernel's shapes do not foresee (and of all, once PLACES_KEPT are made). */
const ELSEWHERE = new Place();

/** The records of generic shape of one kind (a few dozen kinds, from the models' code): `|kind|` and their data's place. */
interface Kind {
  readonly head: Constant;
  readonly data: Place;
}
const KINDS = new Map<string, Kind>();
const KINDS_KEPT = 1024;
/**
 * Encoded strings (`${length}:${chars}`) met before. Most strings a run writes were written before, in it or in an
 * earlier run (ids, store keys, message types, hashes: over 90% of the chars): a lookup (a string's hash is computed
 * once and kept in it) and a few four-byte stores beat writing them char by char. Shorter strings are cheaper
 * written; longer ones are rare. Bounded by its part of the pool: no more are kept once that is full, and a digest
 * empties it when it is three quarters full (a run keeps far less than a quarter).
 */
const STRINGS = new Map<string, Constant>();
const STRING_MIN = 8;
const STRING_MAX = 64;
const STRING_WORDS = 1 << 15;
/** The kernel's constants and every remembered key and kind (one fixed array: one less indirection per constant), then the strings' part. */
const STRINGS_START = 256 + (KEYS_KEPT + KINDS_KEPT) * words(KEY_BYTES);
const POOL = new Int32Array(STRINGS_START + STRING_WORDS);
let POOL_END = 0;
let STRINGS_END = STRINGS_START;
/** Keeps the encoded string `s`, whose bytes are `buf[start..end)`, in STRINGS if there is room. */
function keepString(s: string, buf: Uint8Array, start: number, end: number): void {
  // No call in a branch that is taken only once the pool is full (emptying it): the writers' compiled code, which
  // inlines this, would be deoptimised the first time it was.
  const need = words(end - start);
  if (STRINGS_END + need > POOL.length) return;
  STRINGS.set(s, store(buf, start, end, STRINGS_END));
  STRINGS_END += need;
}
/** Empties STRINGS when three quarters of its part of the pool are taken (at a digest: see STRINGS). */
function forgetStringsIfFull(): void {
  if (STRINGS_END - STRINGS_START <= (STRING_WORDS * 3) >> 2) return;
  STRINGS.clear();
  STRINGS_END = STRINGS_START;
}
/** A member's encoded key: `${key.length}:${key}=`. */
const member = (key: string): Constant => constant(`${key.length}:${key}=`);

/**
 * Data shapes of the kernel's most frequent records: sim/world.ts builds each at one site, with exactly these
 * members in this order, and says which when it appends the record. Their records are written member by member
 * from constants, without walking the object, to the same bytes (any member that is not of the usual type, or is
 * undefined, goes through the generic writers). GENERIC walks the object.
 */
export const GENERIC = 0;
/** `write`: `{ key, id, op, status }` */
export const WRITE = 1;
/** `durable`: `{ key, id }` */
export const DURABLE = 2;
/** `block`: `{ height, txs }` */
export const BLOCK = 3;
/** `send`: `{ to, message }` */
export const SEND = 4;
/** `deliver`: `{ from, type }` */
export const DELIVER = 5;
/** `timer`: `{ tag }` */
export const TIMER = 6;
/** `connect`: `{ a, b }` */
export const CONNECT = 7;
/** `disconnect`: `{ a, b, reason }` */
export const DISCONNECT = 8;
export type Shape = typeof GENERIC | typeof WRITE | typeof DURABLE | typeof BLOCK | typeof SEND | typeof DELIVER | typeof TIMER | typeof CONNECT | typeof DISCONNECT;

/** The kind of each shape's records (a record of another kind is written generically). */
export const SHAPE_KINDS: readonly string[] = ['', 'write', 'durable', 'block', 'send', 'deliver', 'timer', 'connect', 'disconnect'];
/** `|kind|`, what follows the time. */
const HEADS: readonly Constant[] = SHAPE_KINDS.map((kind) => constant(`|${kind}|`));
/** Between the node and the first member. */
const OPEN = constant('|{');
const CLOSE = constant('}\n');
const KEY = member('key');
const ID = member('id');
const OP = member('op');
const OP_PUT = constant('2:op=3:put');
const OP_DELETE = constant('2:op=6:delete');
const STATUS = member('status');
const STATUS_DURABLE = constant('6:status=7:durable');
const STATUS_PENDING = constant('6:status=7:pending');
const HEIGHT = member('height');
const TXS = member('txs');
const NO_TXS = constant('3:txs=[]');
const TO = member('to');
const MESSAGE = member('message');
const FROM = member('from');
const TYPE = member('type');
const TAG = member('tag');
const A = member('a');
const B = member('b');
const REASON = member('reason');
/** The place of the messages of `send` records. */
const MESSAGES = new Place();

/** One-shot sha256 of a buffer: Node 20.12 and later (package.json allows 20.6: older ones stream every trace). */
const hashOnce = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

/** Whether a digest streamed yet (see digest). */
let streamed = false;

/** Buffers of finished hashers, reused by the next (a sweep runs thousands of traces, one after another). */
const spare: Buffer[] = [];

export class RecordHasher {
  /**
   * Made only when the trace outgrows the buffer: most traces fit in one, hashed once at the digest by a single
   * native call (a Hash object's making, update and digest cost more than the hashing of a short trace).
   */
  private hash: Hash | undefined = undefined;
  /**
   * Never assigned again, not even when the digest hands the buffer on: compiled writers rely on these fields being
   * constant, and a second assignment (it was one per trace) threw their code away.
   */
  private readonly buf = spare.pop() ?? Buffer.allocUnsafe(CHUNK + SLACK);
  /** The same bytes, for four-byte stores. */
  private readonly view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  private pos = 0;

  // Every writer below takes the write position and returns the new one (kept in a local, not the field, while a
  // record is written).

  /** Hashes a record; `shape` names its data's members when the caller knows them (the kernel's own records). */
  add(r: TraceRecord, shape: Shape = GENERIC): void {
    let pos = this.pos;
    pos = this.room(pos, CHUNK);
    const d = r.d;
    if (shape !== GENERIC && d !== undefined && r.k === SHAPE_KINDS[shape]) pos = this.shaped(r, d, shape, pos);
    else {
      const buf = this.buf;
      pos = this.number(r.t, pos);
      const kind = KINDS.get(r.k);
      pos = kind !== undefined ? this.constant(kind.head, pos) : this.head(r.k, pos);
      if (r.n !== undefined) pos = this.raw(r.n, pos);
      buf[pos++] = PIPE;
      if (d !== undefined) pos = this.value(d, pos, kind !== undefined ? kind.data : ELSEWHERE);
      buf[pos++] = 0x0a;
    }
    this.pos = pos;
  }

  /** The sha256 of everything added (hex). */
  digest(): string {
    let digest: string;
    if (this.hash === undefined && streamed && hashOnce !== undefined) digest = hashOnce('sha256', this.buf.subarray(0, this.pos), 'hex');
    else {
      // The process's first digest streams through room and flush as a long trace's chunks do, so the writers' one
      // call of flush (in room) has feedback before they are compiled, whether or not a trace ever fills a chunk.
      streamed = true;
      this.room(this.pos, -1);
      digest = (this.hash ??= createHash('sha256')).digest('hex');
    }
    this.pos = 0;
    forgetStringsIfFull();
    // The buffer goes back to the pool: this hasher takes no more records (the trace refuses them), so it never
    // writes to it again.
    if (spare.length < 4) spare.push(this.buf);
    return digest;
  }

  /**
   * `pos`, or 0 once the buffer's first `pos` bytes are hashed when `pos` is past `past` (CHUNK; 0 at the digest).
   * Every writer and the digest flush through here: one site calls flush, given feedback by the first digest if no
   * trace filled a chunk before (a site of its own in each writer, reached only in long traces, deoptimised each
   * writer's compiled code the first time it was).
   */
  private room(pos: number, past: number): number {
    return pos > past ? this.flush(pos) : pos;
  }

  /** Hashes the buffer's first `pos` bytes; the new position (0). */
  private flush(pos: number): number {
    if (pos > 0) (this.hash ??= createHash('sha256')).update(this.buf.subarray(0, pos));
    return 0;
  }

  /** A record whose kind is the shape's and whose data has its members: what the generic writers write for it. */
  private shaped(r: TraceRecord, d: Readonly<Record<string, unknown>>, shape: Shape, pos: number): number {
    pos = this.number(r.t, pos);
    pos = this.constant(HEADS[shape], pos);
    if (r.n !== undefined) pos = this.raw(r.n, pos);
    pos = this.constant(OPEN, pos);
    switch (shape) {
      case WRITE: {
        pos = this.text(KEY, d.key, pos);
        pos = this.numeric(ID, d.id, pos);
        const op = d.op;
        pos = op === 'put' ? this.constant(OP_PUT, pos) : op === 'delete' ? this.constant(OP_DELETE, pos) : this.text(OP, op, pos);
        const status = d.status;
        pos = status === 'pending' ? this.constant(STATUS_PENDING, pos) : status === 'durable' ? this.constant(STATUS_DURABLE, pos) : this.text(STATUS, status, pos);
        break;
      }
      case DURABLE:
        pos = this.text(KEY, d.key, pos);
        pos = this.numeric(ID, d.id, pos);
        break;
      case BLOCK: {
        pos = this.numeric(HEIGHT, d.height, pos);
        const txs = d.txs;
        pos = Array.isArray(txs) && txs.length === 0 ? this.constant(NO_TXS, pos) : this.member(TXS, txs, pos, ELSEWHERE);
        break;
      }
      case SEND:
        pos = this.text(TO, d.to, pos);
        pos = this.member(MESSAGE, d.message, pos, MESSAGES);
        break;
      case DELIVER:
        pos = this.text(FROM, d.from, pos);
        pos = this.text(TYPE, d.type, pos);
        break;
      case TIMER:
        pos = this.text(TAG, d.tag, pos);
        break;
      case CONNECT:
        pos = this.text(A, d.a, pos);
        pos = this.text(B, d.b, pos);
        break;
      case DISCONNECT:
        pos = this.text(A, d.a, pos);
        pos = this.text(B, d.b, pos);
        pos = this.text(REASON, d.reason, pos);
        break;
    }
    pos = this.room(pos, CHUNK);
    return this.constant(CLOSE, pos);
  }

  /** A member expected to be a string, its encoded key given. */
  private text(key: Constant, v: unknown, pos: number): number {
    if (typeof v !== 'string') return this.member(key, v, pos, ELSEWHERE);
    pos = this.room(pos, CHUNK);
    return this.string(v, this.constant(key, pos));
  }

  /** A member expected to be a number, its encoded key given. */
  private numeric(key: Constant, v: unknown, pos: number): number {
    if (typeof v !== 'number') return this.member(key, v, pos, ELSEWHERE);
    pos = this.room(pos, CHUNK);
    pos = this.constant(key, pos);
    this.buf[pos++] = 0x6e; // n
    return this.number(v, pos);
  }

  /** Any member, its encoded key given: skipped when undefined or not data, as `object` does. */
  private member(key: Constant, v: unknown, pos: number, place: Place): number {
    const type = typeof v;
    if (type === 'undefined' || type === 'function' || type === 'symbol') return pos;
    pos = this.room(pos, CHUNK);
    return this.value(v, this.constant(key, pos), place);
  }

  /** A constant's bytes, four at a time. */
  private constant(c: Constant, pos: number): number {
    const view = this.view;
    const length = POOL[c];
    const end = c + 1 + ((length + 3) >> 2);
    for (let i = c + 1; i < end; i++) {
      view.setInt32(pos, POOL[i], true);
      pos += 4;
    }
    return pos - ((4 - length) & 3);
  }

  /** `{key=value...}`, members that are strings or numbers (most are) written inline; `place` is its first member's. */
  private object(v: object, pos: number, place: Place): number {
    pos = this.room(pos, CHUNK);
    const buf = this.buf;
    buf[pos++] = 0x7b; // {
    let at = place;
    for (const key in v) {
      const member = (v as Record<string, unknown>)[key];
      if (member === undefined) continue;
      const type = typeof member;
      if (type === 'function' || type === 'symbol') continue;
      pos = this.room(pos, CHUNK);
      const encoded = at.key === key ? at.code : at.learn(key);
      pos = encoded >= 0 ? this.constant(encoded, pos) : this.key(key, pos);
      if (type === 'string') pos = this.string(member as string, pos);
      else if (type === 'number') {
        buf[pos++] = 0x6e; // n
        pos = this.number(member as number, pos);
      } else pos = this.value(member, pos, at.value());
      at = at.next();
    }
    pos = this.room(pos, CHUNK);
    buf[pos++] = 0x7d; // }
    return pos;
  }

  /** `${key.length}:${key}=`, remembered in KEYS for the next time. */
  private key(key: string, pos: number): number {
    const keep = KEYS.size < KEYS_KEPT && key.length <= KEY_BYTES;
    // Room for the whole key first: no flush while it is written, so its bytes are all in the buffer.
    if (keep) pos = this.room(pos, CHUNK - 3 * KEY_BYTES - 16);
    const start = pos;
    const buf = this.buf;
    pos = this.number(key.length, pos);
    buf[pos++] = COLON;
    pos = this.raw(key, pos);
    buf[pos++] = 0x3d; // =
    if (keep && pos - start <= KEY_BYTES) KEYS.set(key, constantOf(buf, start, pos));
    return pos;
  }

  /** `|kind|`, remembered in KINDS for the next time. */
  private head(kind: string, pos: number): number {
    const keep = KINDS.size < KINDS_KEPT && kind.length <= KEY_BYTES - 2;
    // Room for the whole head first: no flush while it is written, so its bytes are all in the buffer.
    if (keep) pos = this.room(pos, CHUNK - 3 * KEY_BYTES - 16);
    const start = pos;
    const buf = this.buf;
    buf[pos++] = PIPE;
    pos = this.raw(kind, pos);
    buf[pos++] = PIPE;
    if (keep && pos - start <= KEY_BYTES) KINDS.set(kind, { head: constantOf(buf, start, pos), data: new Place() });
    return pos;
  }

  /** Any value; `place` is the place of the objects in it. */
  private value(v: unknown, pos: number, place: Place): number {
    if (typeof v === 'string') return this.string(v, pos);
    if (typeof v === 'number') {
      this.buf[pos] = 0x6e; // n
      return this.number(v, pos + 1);
    }
    if (typeof v !== 'object' || v === null) return this.scalar(v, pos);
    if (!Array.isArray(v)) return this.object(v, pos, place);
    const buf = this.buf;
    buf[pos++] = 0x5b; // [
    for (let i = 0; i < v.length; i++) {
      pos = this.room(pos, CHUNK);
      pos = this.value(v[i], pos, place);
    }
    pos = this.room(pos, CHUNK);
    buf[pos++] = 0x5d; // ]
    return pos;
  }

  /**
   * Any value but a string, a number or an object: null and booleans, and what records never hold. One call site
   * for all of them, and no comparison that only some of them reach: whichever comes first gives it all the feedback
   * it needs (a site per kind deoptimised the writers when a kind first came, late in a run).
   */
  private scalar(v: unknown, pos: number): number {
    if (typeof v === 'bigint') {
      this.buf[pos] = 0x62; // b
      return this.long(String(v), pos + 1);
    }
    // u: undefined, and functions and symbols, which are not data.
    const byte = v === null ? 0x7a : typeof v === 'boolean' ? (v ? 0x54 : 0x46) : 0x75; // z T F u
    this.buf[pos] = byte;
    return pos + 1;
  }

  /** A number as `${n}` writes it (at most 25 bytes): 0 to 99 here, small enough to be inlined, others by wide. */
  private number(n: number, pos: number): number {
    if ((n | 0) === n && n >= 0 && n < 100) {
      const buf = this.buf;
      if (n < 10) {
        buf[pos] = 0x30 + n;
        return pos + 1;
      }
      const q = (n / 10) | 0;
      buf[pos] = 0x30 + q;
      buf[pos + 1] = 0x30 + (n - q * 10);
      return pos + 2;
    }
    return this.wide(n, pos);
  }

  private wide(n: number, pos: number): number {
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

  /** `${s.length}:${s}` */
  private string(v: string, pos: number): number {
    const s = '' + v;
    const length = s.length;
    if (length >= STRING_MIN) {
      const cached = STRINGS.get(s);
      return cached !== undefined ? this.constant(cached, pos) : this.remember(s, pos);
    }
    if (length < 10) this.buf[pos++] = 0x30 + length;
    else pos = this.number(length, pos);
    this.buf[pos++] = COLON;
    return this.raw(s, pos);
  }

  /** `${s.length}:${s}` for a string not in STRINGS, kept there if at most STRING_MAX chars. */
  private remember(s: string, pos: number): number {
    // Room for a whole string that is kept first: no flush while it is written, so its bytes are all in the buffer.
    // Taken for every string (a longer one flushes for itself if it must), so that each string runs every access
    // here: a first long string deoptimised the compiled code.
    pos = this.room(pos, CHUNK - 3 * STRING_MAX - 16);
    const start = pos;
    const buf = this.buf;
    pos = this.number(s.length, pos);
    buf[pos++] = COLON;
    pos = this.raw(s, pos);
    if (s.length <= STRING_MAX) keepString(s, buf, start, pos);
    return pos;
  }

  /** A string's UTF-8 bytes: short ASCII ones char by char (at most LONG bytes), any other through long. */
  private raw(v: string, pos: number): number {
    const s = '' + v;
    const length = s.length;
    const start = pos;
    ascii: if (length <= LONG) {
      const buf = this.buf;
      for (let i = 0; i < length; i++) {
        // Strings reach here in half a dozen representations (internalized, flat, cons, sliced...), each its own map:
        // `s.charCodeAt` would be a megamorphic load and a generic call per character. `String.prototype.charCodeAt`
        // is a constant TurboFan inlines (a module-level alias is not: the build bundles it into a mutable `var`).
        // Likewise `'' + v` above: a value typed as a string has its length read directly, whatever its map.
        const c = String.prototype.charCodeAt.call(s, i);
        if (c >= 0x80) break ascii;
        buf[pos++] = c;
      }
      return pos;
    }
    // One call site for long and non-ASCII strings alike: whichever comes first gives it feedback.
    return this.long(s, start);
  }

  /** Any string, through the native UTF-8 encoder (up to 3 bytes per UTF-16 unit); leaves pos <= CHUNK. */
  private long(v: string, pos: number): number {
    const s = '' + v;
    const most = s.length * 3;
    if (pos + most > CHUNK) {
      pos = this.flush(pos);
      if (most > CHUNK) {
        (this.hash ??= createHash('sha256')).update(s, 'utf8');
        return 0;
      }
    }
    return pos + this.buf.write(s, pos, 'utf8');
  }
}
