// Arrays built item by item, for code V8 optimises: Array.prototype.map's result is "packed" when the interpreter
// builds it but "holey" when optimised code does (V8 then allocates `new Array(length)` and fills it), so the same
// data would reach its readers in two hidden classes, and code compiled for one is deoptimised by the other.

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
 * items.push(item) for an array that holds objects (or strings), returning the array to keep: an empty one is replaced
 * by `[item]`. An empty array read from disk (or made as EMPTY's copy) is of small integers, and optimised code that met
 * only such arrays at a push checks for one and is deoptimised by the first object; a `[item]` literal holds objects
 * from its creation, so the push only ever meets arrays of objects. Only for arrays no one else keeps a reference to.
 */
export function append<T>(items: T[], item: T): T[] {
  if (items.length === 0) return [item];
  items.push(item);
  return items;
}

/** Never changed: a `[]` literal inside packedMap would start its arrays as what earlier ones came to hold. */
const EMPTY: unknown[] = [];
