// The world as it stood at any event of a trace, for the replay view. A
// World cannot be copied or rewound, so the state at event i is obtained by
// re-running the deterministic simulation up to i and capturing a window of
// states around it on the way; windows are cached, so stepping within one is
// free and only a jump elsewhere costs a re-run.
import type { SimSpec } from '../sim/runner.ts';
import { runSim } from '../sim/runner.ts';
import type { TraceRecord } from '../sim/trace.ts';
import type { Checker, World } from '../sim/world.ts';

/** One write that is not durable yet. */
export interface PendingView {
  readonly key: string;
  readonly id: number;
  readonly op: 'put' | 'delete';
  /** Parsed JSON when the value is JSON, else the raw string; absent for a delete. */
  readonly value?: unknown;
  readonly tag?: string;
  readonly multiPart: boolean;
}

export interface NodeView {
  readonly id: string;
  readonly up: boolean;
  /** It has booted at least once (before that it is down without ever having run). */
  readonly started: boolean;
  /** The model's snapshot of memory (plain JSON); undefined while down. */
  readonly memory: unknown;
  /** Up, but its boot has not returned yet: no memory to show. */
  readonly booting: boolean;
  /** Whether the model offers a snapshot at all. */
  readonly hasSnapshot: boolean;
  /** Durable disk content by key, values parsed as JSON where they are JSON. */
  readonly disk: Readonly<Record<string, unknown>>;
  readonly pending: readonly PendingView[];
}

/** The world right after the record `event` was appended. */
export interface WorldView {
  readonly event: number;
  readonly nodes: readonly NodeView[];
}

/** Re-runs the simulation up to `lastEvent`, calling `observe` at each record with the live world. */
export type ReplayTo = (lastEvent: number, observe: (record: TraceRecord, world: World) => void) => World;

/** A ReplayTo for a spec and a tape (or seed): the observer runs as the first checker, before the real ones. */
export function replayToFor(spec: SimSpec, run: { tape?: readonly number[]; seed?: number }): ReplayTo {
  return (lastEvent, observe) => {
    const observer: Checker = {
      name: 'replay-observer',
      onRecord(record, world) {
        observe(record, world);
        return undefined;
      },
    };
    const observed: SimSpec = { ...spec, checkers: () => [observer, ...spec.checkers()] };
    return runSim(observed, { ...run, stopAfterEvent: lastEvent }).world;
  };
}

export interface WorldStatesOptions {
  /** Events captured per re-run, centred on the event asked for. Default 256. */
  readonly window?: number;
  /** Windows kept in memory (least recently used are dropped). Default 8. */
  readonly maxWindows?: number;
}

export class WorldStates {
  private readonly windows: { lo: number; hi: number; views: WorldView[] }[] = [];
  private readonly window: number;
  private readonly maxWindows: number;
  private readonly parsed = new ParseCache();
  /** Re-runs done so far (for tests and the status line). */
  reruns = 0;

  constructor(
    private readonly replayTo: ReplayTo,
    /** Number of records in the trace. */
    private readonly events: number,
    options: WorldStatesOptions = {},
  ) {
    this.window = Math.max(2, options.window ?? 256);
    this.maxWindows = Math.max(1, options.maxWindows ?? 8);
  }

  /** The cached state at `event`, or undefined if it needs a re-run. */
  peek(event: number): WorldView | undefined {
    for (let w = 0; w < this.windows.length; w++) {
      const win = this.windows[w];
      if (event >= win.lo && event <= win.hi) {
        if (w > 0) this.windows.unshift(...this.windows.splice(w, 1));
        return win.views[event - win.lo];
      }
    }
    return undefined;
  }

  /** The state at `event`, re-running the simulation if it is not cached (the window also covers event - 1, for differences). */
  load(event: number): WorldView {
    const cached = this.peek(event);
    if (cached && (event === 0 || this.peek(event - 1))) return cached;
    const last = Math.max(0, this.events - 1);
    const target = Math.min(Math.max(0, event), last);
    const lo = Math.max(0, target - Math.floor(this.window / 2));
    const hi = Math.min(last, lo + this.window - 1);
    const views: (WorldView | undefined)[] = new Array(hi - lo + 1);
    this.reruns++;
    const started = new Set<string>();
    const world = this.replayTo(hi, (record, live) => {
      if (record.k === 'start' && record.n !== undefined) started.add(record.n);
      if (record.i >= lo && record.i <= hi) views[record.i - lo] = captureWorld(live, record.i, started, this.parsed);
    });
    // Records no checker sees (the violation record, appended as the run stops)
    // leave the world as the run ended.
    for (let i = 0; i < views.length; i++) if (views[i] === undefined) views[i] = captureWorld(world, lo + i, started, this.parsed);
    this.windows.unshift({ lo, hi, views: views as WorldView[] });
    if (this.windows.length > this.maxWindows) this.windows.pop();
    return views[target - lo]!;
  }
}

/** A plain-JSON picture of every node, taken from the live world. */
export function captureWorld(world: World, event: number, started: ReadonlySet<string>, parsed: ParseCache = new ParseCache()): WorldView {
  const nodes = world.nodeIds().map((id): NodeView => {
    const up = world.isUp(id);
    const booting = up && world.state(id) === undefined;
    const raw = up && !booting ? safeSnapshot(world, id) : undefined;
    const disk = world.disk(id);
    const durable: Record<string, unknown> = {};
    for (const [key, value] of disk.durableEntries()) durable[key] = parsed.get(value);
    const pending = disk.pendingWrites().map((w): PendingView => ({
      key: w.key,
      id: w.id,
      op: w.value === undefined ? 'delete' : 'put',
      ...(w.value === undefined ? {} : { value: typeof w.value === 'string' ? parsed.get(w.value) : w.value }),
      ...(w.tag === undefined ? {} : { tag: w.tag }),
      multiPart: w.multiPart,
    }));
    return { id, up, started: up || started.has(id), booting, memory: toPlainJson(raw), hasSnapshot: raw !== undefined, disk: durable, pending };
  });
  return { event, nodes };
}

/** The model's snapshot; a snapshot function that throws is shown, not fatal. */
function safeSnapshot(world: World, id: string): unknown {
  try {
    return world.snapshot(id);
  } catch (e) {
    return `(the model's snapshot failed: ${e instanceof Error ? e.message : String(e)})`;
  }
}

/** Disk values as the TUI shows them: parsed JSON where they are JSON, else the raw string. Memoised (values repeat from event to event). */
export class ParseCache {
  private readonly cache = new Map<string, unknown>();
  get(raw: string): unknown {
    if (this.cache.has(raw)) return this.cache.get(raw);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: shown as the raw string
    }
    if (this.cache.size > 20_000) this.cache.clear();
    this.cache.set(raw, value);
    return value;
  }
}

/** A deep copy as plain JSON (the model's snapshot may share live objects); anything unserialisable becomes a note. */
export function toPlainJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value));
  } catch (e) {
    return `(snapshot not serialisable: ${e instanceof Error ? e.message : String(e)})`;
  }
}
