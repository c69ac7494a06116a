// Values a simulated disk keeps instead of text: plain data (what JSON can
// carry), copied when written and deep-frozen, so the disk, the node that
// boots from it and the checkers that inspect it can share one value without
// serialising it. The copy follows JSON's rules, so the value's JSON text is
// exactly the text the writer would have written; that text is made only when
// a human, a torn write or a text reader needs bytes. Parts made `immutable`
// are shared by every copy instead of copied.

/** Values made by `immutable`: never copied again, by either copy below (structural sharing). */
const shared = new WeakSet<object>();

/**
 * Plain data that will never change (a signed commitment, say), frozen once as a copy: every freezeCopy and
 * thawCopy of something that holds it shares it instead of copying it, so the memory, the disk and the readers of
 * a snapshot share its unchanging parts.
 */
export function immutable<T>(value: T): T {
  const frozen = copy(value, true);
  if (typeof frozen === 'object' && frozen !== null) shared.add(frozen);
  return frozen as T;
}

/** A deep-frozen copy of plain data, with JSON's rules (undefined and function members dropped, in arrays null; non-finite numbers null). */
export function freezeCopy<T>(value: T): T {
  return copy(value, true) as T;
}

/** A mutable deep copy of plain data (e.g. of a frozen value read from disk, to work on in memory). */
export function thawCopy<T>(value: T): T {
  return copy(value, false) as T;
}

function copy(v: unknown, freeze: boolean): unknown {
  if (typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  if (v === null) return null;
  if (shared.has(v)) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      out[i] = item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : copy(item, freeze);
    }
    return freeze ? Object.freeze(out) : out;
  }
  const out: Record<string, unknown> = {};
  for (const key in v) {
    const member = (v as Record<string, unknown>)[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    // An own "__proto__" key (JSON.parse makes one) must stay data: plain assignment would set the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy(member, freeze), enumerable: true, writable: true, configurable: true });
    else out[key] = copy(member, freeze);
  }
  return freeze ? Object.freeze(out) : out;
}
