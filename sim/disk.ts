// Simulated disk of one node: a key-value store with explicit durability.
// A write is visible to its own process at once (the page cache) but becomes
// durable only when the fault plan says so. Writes to one key become durable
// in issue order (a per-key queue, as a careful async store does); writes to
// different keys complete in any order. A crash drops every write not yet
// durable, except those the crash decides were already on the platter; a
// non-atomic (multi-part) write may be left torn.
//
// A key holds text, or a value: plain data the disk copies and deep-freezes
// when it is written (sim/values.ts) and keeps as is, so a node that boots
// from it and the checkers that inspect it read it without parsing. A value
// becomes JSON text only when text is asked for (a human, a torn write).
import { freezeCopy } from './values.ts';

/** What a key holds: text, or plain data kept as a frozen value. */
export type DiskValue = string | object;

export type WriteStatus = 'durable' | 'pending';

export interface WriteOptions {
  /** Tag passed back to the node when the write becomes durable (async persistence completions). */
  tag?: string;
  /** The value is written in several parts that can tear at a crash (no temp-file + rename). */
  multiPart?: boolean;
}

export interface PendingWrite {
  readonly id: number;
  readonly key: string;
  /** undefined: a delete. */
  readonly value: DiskValue | undefined;
  readonly tag?: string;
  readonly multiPart: boolean;
  /** A delete that is part of a rename: durable only once this write (the rename's target) is. */
  readonly after?: { readonly key: string; readonly id: number };
}

/** What a node sees of its disk. */
export interface DiskView {
  /** The latest content written (durable or not), as the running process sees it, as text (a value as its JSON). */
  read(key: string): string | undefined;
  /**
   * The same content decoded: a value as it was written (deep-frozen: thawCopy it to change it), text parsed as
   * JSON. Never change what it returns.
   */
  readValue(key: string): unknown;
  /** Keys with the prefix, sorted, as the running process sees them. */
  keys(prefix: string): string[];
  /** How many keys have the prefix (keys(prefix).length, without listing them). */
  count(prefix: string): number;
  /** Start a write (a value is copied now); durable now ('durable') or later with a durable event carrying `tag` ('pending'). */
  write(key: string, value: DiskValue, options?: WriteOptions): WriteStatus;
  delete(key: string, options?: WriteOptions): WriteStatus;
  /** Atomic rename: `to` takes `from`'s current value, `from` disappears; never torn. */
  rename(from: string, to: string, options?: WriteOptions): WriteStatus;
}

/** How a crash resolves the pending writes of one key: how many of them (in order) made it, and whether the next one tore. */
export interface CrashResolution {
  durableCount: number;
  tornNext: boolean;
}

export class Disk {
  private readonly durable = new Map<string, DiskValue>();
  private durableVersion = 0;
  /** Per counted key prefix, how many keys under it the running process sees (see count). */
  private readonly prefixCounts = new Map<string, Counted>();
  /** The same counts as a list: recount walks it on every key that appears or goes away (no iterator per write). */
  private readonly countedList: Counted[] = [];
  /** Rename deletes waiting on their target: target write id → the delete. */
  private readonly linkedDeletes = new Map<number, { key: string; id: number }>();
  /**
   * Per key, writes not yet durable, in issue order. A key whose writes all became durable keeps an empty list
   * (NO_WRITES) rather than leaving the map: most writes are durable at once, and deleting a small Map's last key
   * makes V8 shrink its table, a runtime call and a new table per write. Cleared when nothing is pending and it
   * has grown past EMPTIED_KEPT keys.
   */
  private readonly pending = new Map<string, PendingWrite[]>();
  /** How many keys have writes pending (non-empty lists in `pending`). */
  private keysPending = 0;
  private nextId = 1;

  /** Content as the running process sees it: text or value, as written. */
  current(key: string): DiskValue | undefined {
    const queue = this.pending.get(key);
    if (queue && queue.length > 0) return queue[queue.length - 1].value;
    return this.durable.get(key);
  }

  /** Content as the running process sees it, as text. */
  read(key: string): string | undefined {
    return textOf(this.current(key));
  }

  /** Content as the running process sees it, decoded (see DiskView.readValue). */
  readValue(key: string): unknown {
    return valueOf(this.current(key));
  }

  /** Content that would survive a crash right now, as text. */
  readDurable(key: string): string | undefined {
    return textOf(this.durable.get(key));
  }

  /** Content that would survive a crash right now: text or value, as written. */
  durableContent(key: string): DiskValue | undefined {
    return this.durable.get(key);
  }

  /** Content that would survive a crash right now, decoded (see DiskView.readValue). */
  readDurableValue(key: string): unknown {
    return valueOf(this.durable.get(key));
  }

  keys(prefix: string): string[] {
    const out: string[] = [];
    // Nothing pending: the process sees exactly the durable keys (the durable map holds no undefined).
    if (this.keysPending === 0) {
      for (const key of this.durable.keys()) if (hasPrefix(key, prefix)) out.push(key);
      return sorted(out);
    }
    for (const key of this.durable.keys()) if (hasPrefix(key, prefix) && this.current(key) !== undefined) out.push(key);
    for (const key of this.pending.keys()) if (!this.durable.has(key) && hasPrefix(key, prefix) && this.current(key) !== undefined) out.push(key);
    return sorted(out);
  }

  /** Kept up to date once asked for: a node counts its stored monitor updates after each one completes. */
  count(prefix: string): number {
    const list = this.countedList;
    // A few prefixes (one per channel, say): compared in turn, cheaper than hashing the caller's freshly built string.
    if (list.length <= FEW_PREFIXES) {
      for (let i = 0; i < list.length; i++) if (list[i].prefix === prefix) return list[i].n;
    } else {
      const counted = this.prefixCounts.get(prefix);
      if (counted !== undefined) return counted.n;
    }
    const n = this.countVisible(prefix);
    const entry: Counted = { prefix, n };
    this.prefixCounts.set(prefix, entry);
    this.countedList.push(entry);
    return n;
  }

  private countVisible(prefix: string): number {
    let n = 0;
    for (const key of this.durable.keys()) if (hasPrefix(key, prefix) && this.current(key) !== undefined) n++;
    for (const key of this.pending.keys()) if (!this.durable.has(key) && hasPrefix(key, prefix) && this.current(key) !== undefined) n++;
    return n;
  }

  durableKeys(prefix: string): string[] {
    const out: string[] = [];
    for (const key of this.durable.keys()) if (hasPrefix(key, prefix)) out.push(key);
    return sorted(out);
  }

  /**
   * Durable content before the run, as a write that completed at once (it takes a write id): text, or a value
   * already frozen by freezeCopy (kept as is, not copied).
   */
  load(key: string, value: DiskValue): void {
    const write: PendingWrite = { id: this.nextId++, key, value, multiPart: false };
    const before = this.current(key);
    this.applyDurable(write.key, write.value);
    if (before === undefined && this.current(key) !== undefined) this.recount(key, 1);
  }

  /** Queue a write; the caller (the world) decides when it completes. */
  enqueue(key: string, value: DiskValue | undefined, options?: WriteOptions, after?: { key: string; id: number }): PendingWrite {
    // Copied against what the key holds now (current(key), with the queue looked up once for both uses), so the
    // parts that did not change are shared, not copied again.
    const queue = this.pending.get(key);
    const before = queue !== undefined && queue.length > 0 ? queue[queue.length - 1].value : this.durable.get(key);
    const stored = this.replacing(key, before, value);
    const write: PendingWrite = { id: this.nextId++, key, value: stored, tag: options?.tag, multiPart: options?.multiPart ?? false, after };
    if (after) this.linkedDeletes.set(after.id, { key, id: write.id });
    // A new queue as a one-element literal: `[]` then push would allocate room for 17.
    if (queue === undefined || queue.length === 0) {
      this.pending.set(key, [write]);
      this.keysPending++;
    } else queue.push(write);
    return write;
  }

  /**
   * A write durable at once, to a key with no write pending (the caller checks): what enqueue then complete do,
   * without queueing it (most writes are durable at once). Returns its id.
   */
  writeDurable(key: string, value: DiskValue | undefined): number {
    this.applyDurable(key, this.replacing(key, this.durable.get(key), value));
    return this.nextId++;
  }

  /**
   * What a write of `value` over `before` (what the process sees at `key`) stores: a value copied against `before`,
   * so unchanged parts are shared. Counts the key in or out when it appears or goes away.
   */
  private replacing(key: string, before: DiskValue | undefined, value: DiskValue | undefined): DiskValue | undefined {
    if ((before === undefined) !== (value === undefined)) this.recount(key, value === undefined ? -1 : 1);
    return typeof value === 'object' ? freezeCopy(value, before) : value;
  }

  /** The id the next write will take. */
  get nextWriteId(): number {
    return this.nextId;
  }

  pendingCount(key: string): number {
    return this.pending.get(key)?.length ?? 0;
  }

  /** Whether `id` is still pending on `key`. */
  isPending(key: string, id: number): boolean {
    return indexOf(this.pending.get(key), id) >= 0;
  }

  /**
   * Make `id` durable, together with every earlier write to the same key (per-key order). Returns the writes of
   * `key` that became durable; a rename's delete of its source becomes durable with its target, silently.
   */
  complete(key: string, id: number): PendingWrite[] {
    const queue = this.pending.get(key);
    const index = indexOf(queue, id);
    if (index < 0) return [];
    // All of the key's writes (most often its only one): the queue itself is the answer, no copy.
    const all = index + 1 === queue!.length;
    const done = all ? queue! : queue!.splice(0, index + 1);
    for (const w of done) this.applyDurable(w.key, w.value);
    if (all) this.emptied(key);
    if (this.linkedDeletes.size === 0) return done;
    for (const w of done) {
      const linked = this.linkedDeletes.get(w.id);
      if (!linked) continue;
      this.linkedDeletes.delete(w.id);
      this.complete(linked.key, linked.id);
    }
    return done;
  }

  /** All of `key`'s writes became durable (see pending). */
  private emptied(key: string): void {
    if (--this.keysPending === 0 && this.pending.size > EMPTIED_KEPT) this.pending.clear();
    else this.pending.set(key, NO_WRITES);
  }

  /** Every pending write, ordered by key then issue order. */
  pendingWrites(): PendingWrite[] {
    const out: PendingWrite[] = [];
    for (const key of [...this.pending.keys()].sort()) out.push(...this.pending.get(key)!);
    return out;
  }

  /** Crash: resolve each key's pending writes with `resolve`, then forget the rest. Returns what happened, for the trace. */
  crash(resolve: (key: string, writes: readonly PendingWrite[]) => CrashResolution): { durable: number[]; lost: number[]; torn: number[] } {
    const report = { durable: [] as number[], lost: [] as number[], torn: [] as number[] };
    const madeIt = new Set<number>();
    // Rename deletes follow their target, so keys without them are resolved first. Plain loops, no spreads, filters
    // or destructuring: this runs at every crash, and iterator protocols made it one of the kernel's costliest compiles.
    const keys = sorted(Array.from(this.pending.keys()));
    const linked: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const queue = this.pending.get(keys[i])!;
      // An emptied key (see pending) has nothing to resolve.
      if (queue.length === 0) continue;
      if (hasLinked(queue)) linked.push(keys[i]);
      else this.crashKey(keys[i], resolve, madeIt, report);
    }
    for (let i = 0; i < linked.length; i++) this.crashKey(linked[i], resolve, madeIt, report);
    this.pending.clear();
    this.keysPending = 0;
    this.linkedDeletes.clear();
    // What the process sees is now what was durable: count again.
    const counted = this.countedList;
    for (let i = 0; i < counted.length; i++) counted[i].n = this.countVisible(counted[i].prefix);
    return report;
  }

  /** A crash's resolution of one key's pending writes (see crash). */
  private crashKey(key: string, resolve: (key: string, writes: readonly PendingWrite[]) => CrashResolution, madeIt: Set<number>, report: { durable: number[]; lost: number[]; torn: number[] }): void {
    const writes = this.pending.get(key)!;
    const resolution = resolve(key, writes);
    let durableCount = resolution.durableCount;
    let tornNext = resolution.tornNext;
    for (let i = 0; i < Math.min(durableCount, writes.length); i++) {
      const after = writes[i].after;
      if (after && !madeIt.has(after.id)) {
        durableCount = i;
        tornNext = false;
        break;
      }
    }
    const count = Math.max(0, Math.min(durableCount, writes.length));
    for (let i = 0; i < count; i++) madeIt.add(writes[i].id);
    for (let i = 0; i < count; i++) {
      this.applyDurable(key, writes[i].value);
      report.durable.push(writes[i].id);
    }
    for (let i = count; i < writes.length; i++) {
      const w = writes[i];
      if (i === count && tornNext && w.multiPart && w.value !== undefined) {
        this.durable.set(key, tear(textOf(this.durable.get(key)) ?? '', textOf(w.value)!));
        this.changed();
        report.torn.push(w.id);
      } else {
        report.lost.push(w.id);
      }
    }
  }

  /** The whole durable content as text, sorted by key (TUI, invariants). */
  durableEntries(): [string, string][] {
    return [...this.durable.entries()].map(([key, value]): [string, string] => [key, textOf(value)!]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Changes whenever the durable content changes: lets observers cache what they decoded from it. */
  get version(): number {
    return this.durableVersion;
  }

  private changed(): void {
    this.durableVersion++;
  }

  /** A key appeared (+1) or went away (-1) as the running process sees it. */
  private recount(key: string, delta: number): void {
    const list = this.countedList;
    for (let i = 0; i < list.length; i++) if (hasPrefix(key, list[i].prefix)) list[i].n += delta;
  }

  private applyDurable(key: string, value: DiskValue | undefined): void {
    this.changed();
    if (value === undefined) this.durable.delete(key);
    else this.durable.set(key, value);
  }
}

/**
 * The list of a key whose writes all became durable (see Disk.pending): one for all, never written to. Empty, but
 * with the hidden class of the lists that hold writes (a `[]` literal is an array of small integers to V8, and
 * the loops over queues compiled for one would be deoptimised by the other).
 */
const NO_WRITES: PendingWrite[] = [undefined as unknown as PendingWrite].slice(1);
/** How many keys `pending` may keep with nothing pending before it is cleared (each one makes its slow paths walk further). */
const EMPTIED_KEPT = 64;

/** Up to this many counted prefixes, count finds one by comparing it with each. */
const FEW_PREFIXES = 8;

/** How many keys under a prefix the running process sees. */
interface Counted {
  readonly prefix: string;
  n: number;
}

/** Whether a key's pending writes hold a rename's delete (it waits on its target). */
function hasLinked(writes: readonly PendingWrite[]): boolean {
  for (let i = 0; i < writes.length; i++) if (writes[i].after !== undefined) return true;
  return false;
}

/** Where write `id` is in `queue` (-1: not there). A loop, not findIndex: no closure per call. */
function indexOf(queue: readonly PendingWrite[] | undefined, id: number): number {
  if (queue !== undefined) for (let i = 0; i < queue.length; i++) if (queue[i].id === id) return i;
  return -1;
}

/** JSON text of stored values, made once per value when first asked for. */
const texts = new WeakMap<object, string>();

function textOf(stored: DiskValue | undefined): string | undefined {
  if (typeof stored !== 'object') return stored;
  let text = texts.get(stored);
  if (text === undefined) {
    text = JSON.stringify(stored);
    texts.set(stored, text);
  }
  return text;
}

function valueOf(stored: DiskValue | undefined): unknown {
  return typeof stored === 'string' ? JSON.parse(stored) : stored;
}

/** A torn multi-part write: the first half of the new content over the rest of the old. */
function tear(oldValue: string, newValue: string): string {
  const cut = Math.max(1, Math.floor(newValue.length / 2));
  return newValue.slice(0, cut) + oldValue.slice(cut);
}

/**
 * Whether `key` starts with `prefix`, as key.startsWith(prefix) answers. A loop, not startsWith: on the keys the
 * models build (joined strings) startsWith costs three times as much, and it is asked for every key that appears,
 * goes away or is listed, and by the fault plan at every write. Compared from the end, where keys of one kind
 * differ (`monitor-update/ab/`, `monitor-update/ac/`). `'' + v` and `String.prototype.charCodeAt` as in
 * trace-hash.ts's raw: each char read inline, whatever the string's representation.
 */
export function hasPrefix(key: string, prefix: string): boolean {
  const s = '' + key;
  const p = '' + prefix;
  const n = p.length;
  if (s.length < n) return false;
  for (let i = n - 1; i >= 0; i--) if (String.prototype.charCodeAt.call(s, i) !== String.prototype.charCodeAt.call(p, i)) return false;
  return true;
}

/** Sorts a list of keys in place; none or one is left as is (sort copies the list to a work area even then). */
function sorted(keys: string[]): string[] {
  return keys.length > 1 ? keys.sort() : keys;
}
