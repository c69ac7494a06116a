// Values a simulated disk keeps instead of text: plain data (what JSON can
// carry), copied when written and deep-frozen, so the disk, the node that
// boots from it and the checkers that inspect it can share one value without
// serialising it. The copy follows JSON's rules, so the value's JSON text is
// exactly the text the writer would have written; that text is made only when
// a human, a torn write or a text reader needs bytes. Parts made `immutable`
// are shared by every copy instead of copied, and a copy made against the
// previous value of the same key shares every part that did not change (a
// node rewrites its manager often, changing a little of it each time).
//
// An undefined member of an object is kept as it is (JSON.stringify leaves it
// out, so the text is the same): a model gives its records every member from
// creation, optional ones undefined, so each kind of record keeps one hidden
// class, and a copy of it one too (see copy).

/** Hands back the object it is given instead of a new one: a subclass's fields are then added to that object. */
class ReturnsItsArgument {
  constructor(value: object) {
    return value as ReturnsItsArgument;
  }
}

/**
 * The mark of values made by `immutable` and `adopt`: never copied again, by either copy below (structural sharing).
 * A private field, added to the value itself (Shared.mark) while it is still extensible: JSON, for-in, Object.keys,
 * reflection and equality tests never see it. Always before the value is frozen: adding a private field to a frozen
 * object is refused by runtimes that ship TC39's "nonextensible applies to private" (stage 3). A WeakSet did this
 * job: adding to it cost about half a microsecond a value (a commitment, an onion: some forty a run), and its weak
 * entries weighed on every garbage collection. Testing the mark is slower than the WeakSet's test was (a megamorphic
 * lookup, tens of nanoseconds), and still far cheaper in all.
 */
class Shared extends ReturnsItsArgument {
  #shared = true;
  static mark(value: object): void {
    // Node 20 would still take it on a frozen value; newer runtimes throw. Fail here, on every runtime, instead.
    if (!Object.isExtensible(value)) throw new Error('values: a shared value must be marked before it is frozen');
    if (!(#shared in value)) new Shared(value);
  }
  static has(value: object): boolean {
    return #shared in value;
  }
}

/**
 * Plain data that will never change (a signed commitment, say), frozen once as a copy: every freezeCopy and
 * thawCopy of something that holds it shares it instead of copying it, so the memory, the disk and the readers of
 * a snapshot share its unchanging parts.
 */
export function immutable<T>(value: T): T {
  // Copied thawed, then frozen by adopt once marked (see Shared). The copy shares the marked parts of `value`, and
  // `value` itself if it is marked: adopt hands those back as they are.
  const thawed = copy(value, false);
  return (typeof thawed === 'object' && thawed !== null ? adopt(thawed) : thawed) as T;
}

/**
 * As immutable, for plain data the caller has just built and hands over (nothing else holds it): frozen where it is
 * instead of copied. Its parts that are frozen already must be deep-frozen (parts of other immutable values). Data
 * that a copy would change (a function member, an undefined item or a hole in an array, a non-finite number) is
 * copied as immutable copies it instead.
 */
export function adopt<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return immutable(value);
  // Frozen but not marked (frozen by someone else): it cannot take the mark, so it is copied.
  if (Object.isFrozen(value)) return Shared.has(value) ? value : immutable(value);
  // One walk checks the data and lists its parts not frozen yet; they are frozen only once all of it passed.
  unfrozen.length = 0;
  if (!asJson(value)) {
    unfrozen.length = 0;
    return immutable(value);
  }
  return markAndFreeze(value);
}

/** Marks `value` (unfrozen[0]) while it is extensible, then freezes the parts adopt listed, innermost first. */
function markAndFreeze<T extends object>(value: T): T {
  Shared.mark(value);
  for (let i = unfrozen.length - 1; i >= 0; i--) Object.freeze(unfrozen[i]);
  unfrozen.length = 0;
  return value;
}

/** Parts of the data adopt is checking that are not frozen yet, outermost first (reused: adopt never nests). */
const unfrozen: object[] = [];

/** Whether JSON keeps every member of this plain data as it is (frozen parts are taken as checked); lists the others in `unfrozen`. */
function asJson(v: object): boolean {
  if (Object.isFrozen(v)) return true;
  unfrozen.push(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!memberAsJson(v[i])) return false; // a hole reads as undefined
    return true;
  }
  for (const key in v) {
    const member = (v as Record<string, unknown>)[key];
    if (member !== undefined && !memberAsJson(member)) return false; // an undefined member is kept (see copy)
  }
  return true;
}

function memberAsJson(member: unknown): boolean {
  if (typeof member === 'object') return member === null || asJson(member);
  return !dropped(member) && !(typeof member === 'number' && !Number.isFinite(member));
}

/**
 * A deep-frozen copy of plain data, with JSON's rules (function members dropped, in arrays null; undefined items of
 * arrays null; non-finite numbers null) except that an undefined member of an object is kept (JSON's text leaves it
 * out all the same). `previous`: an earlier result of freezeCopy (the value this one replaces); every part of
 * the copy equal to the part of `previous` at the same place (same keys in the same order, same items) is that part,
 * shared instead of copied. The result is the same data either way.
 */
export function freezeCopy<T>(value: T, previous?: unknown): T {
  return (previous === undefined ? copy(value, true) : copyAgainst(value, previous)) as T;
}

/** A mutable deep copy of plain data (e.g. of a frozen value read from disk, to work on in memory). */
export function thawCopy<T>(value: T): T {
  return copy(value, false) as T;
}

function copy(v: unknown, freeze: boolean): unknown {
  if (typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  if (v === null) return null;
  if (Shared.has(v)) return v;
  if (Array.isArray(v)) {
    const out = newArray();
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      out.push(dropped(item) ? null : copy(item, freeze));
    }
    return freeze ? Object.freeze(out) : out;
  }
  const fast = shapeOf(v as Record<string, unknown>);
  if (fast !== undefined) {
    const copied = copyShaped(fast, v as Record<string, unknown>, freeze);
    if (copied !== undefined) return copied;
  }
  const out = cloneMembers(v as Record<string, unknown>);
  let clean = true;
  for (const key in out) {
    const member = out[key];
    if (typeof member === 'object') {
      if (member !== null) setMember(out, key, copy(member, freeze));
    } else if (member !== undefined && dropped(member)) clean = false;
    else if (typeof member === 'number' && !Number.isFinite(member)) out[key] = null;
  }
  const result = clean ? out : withoutDropped(out);
  return freeze ? Object.freeze(result) : result;
}

/** What JSON leaves out of an object and writes as null in an array. */
function dropped(member: unknown): boolean {
  return member === undefined || typeof member === 'function' || typeof member === 'symbol';
}

/** `out` without its dropped members (rare: a function member), in the same order; undefined ones are kept. */
function withoutDropped(out: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key in out) if (out[key] === undefined || !dropped(out[key])) setMember(kept, key, out[key]);
  return kept;
}

/**
 * freezeCopy against `prev`, a deep-frozen value (or anything else: then nothing is shared at this level). Only the
 * common cases are here (a primitive, the same part, a record of a compiled shape): the array and generic object
 * paths are functions of their own, so this one, hot and recursive, stays small to compile, and a deopt in a rarer
 * path throws away only that path's code.
 */
function copyAgainst(v: unknown, prev: unknown): unknown {
  if (typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  if (v === null) return null;
  // The same object as the frozen previous part: deep-frozen already.
  if (v === prev) return v;
  if (Array.isArray(v)) {
    if (!Array.isArray(prev)) return Shared.has(v) ? v : copy(v, true);
    // Empty then and empty now (most of a record's lists, most of the time): no mark to look up, no call.
    if (v.length === 0 && prev.length === 0) return prev;
    return Shared.has(v) ? v : arrayAgainst(v, prev);
  }
  if (Shared.has(v)) return v;
  if (typeof prev !== 'object' || prev === null || Array.isArray(prev)) return copy(v, true);
  const old = prev as Record<string, unknown>;
  const fast = shapeOf(v as Record<string, unknown>);
  if (fast !== undefined) {
    const copied = copyShapedAgainst(fast, v as Record<string, unknown>, old);
    if (copied !== undefined) return copied;
  }
  return objectAgainst(v as Record<string, unknown>, old);
}

/** copyAgainst of an array against a previous array: `prev` itself if every item is its item at the same place. */
function arrayAgainst(v: readonly unknown[], prev: readonly unknown[]): unknown {
  const length = v.length;
  let same = prev.length === length;
  let out: unknown[] | undefined = same ? undefined : newArray();
  for (let i = 0; i < length; i++) {
    const item = v[i];
    const was = i < prev.length ? prev[i] : undefined;
    // The previous item at its place (a number, a string, a shared part): taken as it is, no call.
    const c = item === was && item !== undefined ? item : dropped(item) ? null : copyAgainst(item, was);
    if (same) {
      if (c === prev[i]) continue;
      same = false;
      out = newArray();
      for (let j = 0; j < i; j++) out.push(prev[j]);
    }
    out!.push(c);
  }
  return same ? prev : Object.freeze(out!);
}

/** copyAgainst of an object whose keys are not a compiled shape's, or not `old`'s (or that has a function member). */
function objectAgainst(v: Record<string, unknown>, old: Record<string, unknown>): unknown {
  // For-in below would also list inherited enumerable keys, which JSON leaves out: such an object is copied whole.
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return copy(v, true);
  const oldKeys = Object.keys(old);
  let same = true;
  let clean = true;
  let n = 0;
  let out: Record<string, unknown> | undefined;
  for (const key in v) {
    const member = v[key];
    // The previous value has this key at the same place: its part there is what this member is compared with.
    const placed = n < oldKeys.length && oldKeys[n] === key;
    const before = placed ? old[key] : undefined;
    let c: unknown;
    // Most members are numbers and strings that did not change: no call for them.
    if (typeof member === 'object') c = member === null || member === before ? member : copyAgainst(member, before);
    else if (member !== undefined && dropped(member)) {
      clean = false;
      continue;
    } else c = typeof member === 'number' && !Number.isFinite(member) ? null : member;
    n++;
    if (same) {
      if (placed && c === before) continue;
      same = false;
      // A copy of every member in order (see cloneMembers); the ones so far are the previous value's, and only
      // those that are objects differ from the copy's (the rest were equal).
      out = cloneMembers(v);
      for (let j = 0; j < n - 1; j++) {
        const part = old[oldKeys[j]];
        if (typeof part === 'object') setMember(out, oldKeys[j], part);
      }
    }
    // The copy holds `member` already: only a copied (or shared) object, or a number made null, is stored again.
    if (c !== member) setMember(out!, key, c);
  }
  if (same) return n === oldKeys.length ? old : keptPrefix(old, oldKeys, n);
  return Object.freeze(clean ? out! : withoutDropped(out!));
}

/** `old`'s first `n` members (the new value has exactly them: the rest went away), frozen. */
function keptPrefix(old: Record<string, unknown>, oldKeys: readonly string[], n: number): unknown {
  const out: Record<string, unknown> = {};
  for (let j = 0; j < n; j++) setMember(out, oldKeys[j], old[oldKeys[j]]);
  return Object.freeze(out);
}

/**
 * A kind of record, known by its list of keys once it has been met often (see shapeOf), with functions compiled for
 * it (see compile): its copy, its copy against a previous value, its clone. They read the members by name, in code
 * that only ever sees this kind of record (and its frozen copies): far cheaper than reading them by a key from
 * for-in, which V8 does through a global cache. And they build the copy with an object literal: V8 builds a spread
 * copy's hidden class apart from the ones literals share, so freezing it costs microseconds (a fresh frozen hidden
 * class each time) where freezing an object made by a literal costs tens of nanoseconds; a literal's copy also has
 * the hidden class of the model's own record, so code that reads both stays monomorphic.
 */
interface Shape {
  readonly keys: readonly string[];
  seen: number;
  /** copy's object branch: members through `member`; DROP if one is a function (the generic path drops it). */
  copy?: (v: Record<string, unknown>, member: (m: unknown) => unknown, drop: unknown) => unknown;
  /**
   * copyAgainst's object branch for `v` of this shape: `old` itself if every member is its member of the same name
   * (whose keys the caller then compares with the shape's), DROP as above.
   * `member` is copyAgainst itself, too big to be inlined: each member that changed is a call, where an inlined
   * helper at every member made the shapes' compiles of a many-membered record the kernel's costliest.
   */
  against?: (v: Record<string, unknown>, old: Record<string, unknown>, member: (m: unknown, was: unknown) => unknown, drop: unknown) => unknown;
  /** A fresh object of the same members. */
  clone?: (v: Record<string, unknown>) => Record<string, unknown>;
}

/** A Shape with its functions. */
type Compiled = Required<Shape>;

/** What a shape's function returns when a member is a function: the caller takes the generic path. */
const DROP = Symbol('drop');

function frozenMember(m: unknown): unknown {
  if (typeof m === 'object') return m === null ? null : copy(m, true);
  if (m !== undefined && dropped(m)) return DROP;
  return typeof m === 'number' && !Number.isFinite(m) ? null : m;
}

function thawedMember(m: unknown): unknown {
  if (typeof m === 'object') return m === null ? null : copy(m, false);
  if (m !== undefined && dropped(m)) return DROP;
  return typeof m === 'number' && !Number.isFinite(m) ? null : m;
}

/** copy's object branch over a compiled shape; undefined if a member is a function. */
function copyShaped(shape: Compiled, v: Record<string, unknown>, freeze: boolean): unknown {
  const out = shape.copy(v, freeze ? frozenMember : thawedMember, DROP);
  if (out === DROP) return undefined;
  return freeze ? Object.freeze(out) : out;
}

/**
 * copyAgainst's object branch for `v` of a compiled shape; undefined for the generic path (a function member, or
 * `old` not of this shape although every member is its member of the same name). Each member is shared with `old`'s
 * of the same name, whatever `old`'s keys: the copy is `v`'s members either way. `old`'s keys are compared only
 * when `old` itself would be the copy (a record that changed since its last write, the most common, skips that).
 */
function copyShapedAgainst(shape: Compiled, v: Record<string, unknown>, old: Record<string, unknown>): unknown {
  const out = shape.against(v, old, copyAgainst, DROP);
  if (out === DROP) return undefined;
  if (out !== old) return Object.freeze(out);
  return keysAre(old, shape.keys) ? old : undefined;
}

/**
 * A fresh object with `v`'s own members, in order (their values as they are: the caller copies what it must): built
 * by its shape's literal when it has one, else spread. (An object built key by key from {} becomes a slow dictionary
 * past a dozen or so keys: a channel has twenty-five.)
 */
function cloneMembers(v: Record<string, unknown>): Record<string, unknown> {
  const shape = shapeOf(v);
  return shape === undefined ? { ...v } : shape.clone(v);
}

/** Shapes by first key (for-in finds it without listing the keys). Bounded: see shapeOf. */
const shapes = new Map<string, Shape[]>();
let shapeCount = 0;
/** A key list is compiled once met this often: a dictionary's key list (keys that are data) rarely comes back so often. */
const COMPILE_AFTER = 4;
/** At most this many key lists are tracked per process; others take the generic path. */
const MAX_SHAPES = 2000;
const MAX_KEYS = 64;

/**
 * The compiled shape of `v`'s key list, if it has one (counting the meeting towards compiling it). Found without
 * listing the keys: the first key picks the candidates, and for-in compares `v`'s keys with a candidate's in order (a
 * record met again has the same keys: the first candidate is nearly always it).
 */
function shapeOf(v: Record<string, unknown>): Compiled | undefined {
  let first: string | undefined;
  for (const key in v) {
    first = key;
    break;
  }
  if (first === undefined) return undefined;
  const list = shapes.get(first);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const shape = list[i];
      if (!keysAre(v, shape.keys)) continue;
      if (i > 0) {
        // One place nearer the front: the kinds met most are tried first.
        list[i] = list[i - 1];
        list[i - 1] = shape;
      }
      if (shape.clone === undefined && ++shape.seen >= COMPILE_AFTER) compile(shape);
      return shape.clone === undefined ? undefined : (shape as Compiled);
    }
  }
  if (shapeCount >= MAX_SHAPES) return undefined;
  const keys = Object.keys(v);
  if (keys.length > MAX_KEYS || keys[0] !== first || !compilable(keys)) return undefined;
  shapeCount++;
  const shape: Shape = { keys, seen: 1 };
  if (list === undefined) shapes.set(first, [shape]);
  else list.push(shape);
  return undefined;
}

/**
 * Whether `v`'s own keys are `keys`, in order. For-in lists them without allocating; it also lists inherited
 * enumerable keys, so it answers only for a plain object (whose prototype has none).
 */
function keysAre(v: object, keys: readonly string[]): boolean {
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return sameKeys(keys, Object.keys(v));
  let n = 0;
  for (const key in v) {
    if (n === keys.length || keys[n] !== key) return false;
    n++;
  }
  return n === keys.length;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Keys a literal reproduces as members in this order: not "__proto__" (a literal would set the prototype), not
 * array-index-like (objects order those first; a record has none).
 */
function compilable(keys: readonly string[]): boolean {
  for (const key of keys) {
    if (key === '__proto__') return false;
    const c = key.charCodeAt(0);
    if (c >= 48 && c <= 57) return false;
  }
  return true;
}

function compile(shape: Shape): void {
  // Keys are quoted by JSON.stringify: in the generated source every key is a string literal, never code.
  const quoted = shape.keys.map((key) => JSON.stringify(key));
  const literal = (value: (i: number) => string) => `{ ${quoted.map((q, i) => `${q}: ${value(i)}`).join(', ')} }`;
  // copy: every member through `member`.
  shape.copy = new Function('v', 'member', 'drop', `${quoted.map((q, i) => `const m${i} = member(v[${q}]); if (m${i} === drop) return drop;`).join('\n')}\nreturn ${literal((i) => `m${i}`)};`) as Compiled['copy'];
  // against: a member the same as the previous value's at its place is taken as it is (a primitive, or the previous
  // value's frozen part); any other goes through `member` (copyAgainst), which shares what it can of the previous
  // part, unless it is a function or a symbol (DROP). Checked by typeof: no feedback to gather, no deopt when one comes.
  shape.against = new Function(
    'v',
    'o',
    'member',
    'drop',
    `let same = true;\n${quoted.map((q, i) => `let m${i} = v[${q}]; const w${i} = o[${q}]; if (m${i} !== w${i}) { if (typeof m${i} === 'function' || typeof m${i} === 'symbol') return drop; m${i} = member(m${i}, w${i}); if (m${i} !== w${i}) same = false; }`).join('\n')}\nreturn same ? o : ${literal((i) => `m${i}`)};`,
  ) as Compiled['against'];
  shape.clone = new Function('v', `return ${literal((i) => `v[${quoted[i]}]`)};`) as Compiled['clone'];
}

/**
 * An empty array to push a copy's items into, with the elements kind a model's own arrays have: packed (not the
 * "holey" `new Array(length)`), of small integers until something else is pushed. A slice, not a `[]` literal: V8
 * remembers what a literal's arrays came to hold and starts its next ones that way, so an empty or all-integer array
 * copied after arrays of objects would have another hidden class than the model's, and code that sees both of them
 * is deoptimised.
 */
function newArray(): unknown[] {
  return EMPTY.slice();
}

/** Never changed (see newArray). */
const EMPTY: unknown[] = [];

function setMember(out: Record<string, unknown>, key: string, value: unknown): void {
  // An own "__proto__" key (JSON.parse makes one) must stay data: plain assignment would set the prototype.
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
