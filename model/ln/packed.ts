// Arrays built item by item, for code V8 optimises: Array.prototype.map's result is "packed" when the interpreter
// builds it but "holey" when optimised code does (V8 then allocates `new Array(length)` and fills it), so the same
// data would reach its readers in two hidden classes, and code compiled for one is deoptimised by the other.
import { adopt } from '../../sim/values.ts';

/** As items.map(f), its result always packed. Starts as EMPTY's copy (small integers until an object is pushed), as
 * the model's `[]` arrays and disk copies (sim/values.ts newArray) do. */
export function packedMap<T, U>(items: readonly T[], f: (item: T) => U): U[] {
  const out = EMPTY.slice() as U[];
  for (let i = 0; i < items.length; i++) out.push(f(items[i]));
  return out;
}

/** As [...items], its result always packed and of the kind packedMap's are. */
export function packedCopy<T>(items: readonly T[]): T[] {
  const out = EMPTY.slice() as T[];
  for (let i = 0; i < items.length; i++) out.push(items[i]);
  return out;
}

/**
 * items.push(item) for a record's list (of objects, strings or ids), returning the array to keep: an empty one (NONE,
 * below, which is frozen) is replaced by `[item]`. An empty array read from disk (or made as EMPTY's copy) is of small integers, and optimised code that met
 * only such arrays at a push checks for one and is deoptimised by the first object; a `[item]` literal holds objects
 * from its creation, so the push only ever meets arrays of objects. Only for arrays no one else keeps a reference to.
 */
export function append<T>(items: T[], item: T): T[] {
  if (items.length === 0) return [item];
  items.push(item);
  return items;
}

/**
 * The empty list a record's list is set to when it empties (see kept), and starts as: frozen and shared (adopted), so
 * every manager write shares it at once instead of comparing a fresh empty array with the previous copy's. Such a
 * list only grows by append (which replaces an empty list) and is emptied by assigning NONE, never in place.
 */
export const NONE: never[] = adopt([]);

/** `items` as a record keeps it: NONE if it is empty (a filter's result, say). */
export function kept<T>(items: T[]): T[] {
  return items.length === 0 ? NONE : items;
}

/** Never changed: a `[]` literal inside packedMap would start its arrays as what earlier ones came to hold. */
const EMPTY: unknown[] = [];
