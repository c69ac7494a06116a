// The world: nodes, their disks, the transport between them, the chain, the
// event queue and the fault plan, advanced one event at a time. It is the only
// place where faults meet nodes.
import { Chain, type Block, type Tx } from './chain.ts';
import type { Choices } from './choices.ts';
import { Disk, type DiskValue, type DiskView, type WriteOptions, type WriteStatus } from './disk.ts';
import { FaultPlan, type FaultSettings } from './faults.ts';
import { freezeCopy } from './values.ts';
import type { ChainView, Message, NodeBehaviour, NodeEnv } from './node.ts';
import { EventQueue } from './queue.ts';
import { Trace, type TraceRecord } from './trace.ts';
import { BLOCK, CONNECT, DELIVER, DISCONNECT, DURABLE, GENERIC, SEND, SHAPE_KINDS, TIMER, WRITE, type Shape } from './trace-hash.ts';
import { Transport } from './transport.ts';

export interface Timing {
  /** Faults may happen until this time; then the calm phase. */
  readonly faultPhase: number;
  /** Length of the calm phase; the run ends after it. */
  readonly calmPhase: number;
  readonly blockInterval: number;
  /** How often the fault plan considers disconnects, block bursts and model actions. */
  readonly faultTick: number;
  /** Message latency is 1..maxLatency ticks. */
  readonly maxLatency: number;
  /** A delayed persist completes after 1..maxPersistDelay ticks. */
  readonly maxPersistDelay: number;
  /** A crashed node restarts after 1..maxRestartDelay ticks. */
  readonly maxRestartDelay: number;
  /** A dropped connection comes back after 1..maxReconnectDelay ticks. */
  readonly maxReconnectDelay: number;
}

export const DEFAULT_TIMING: Timing = {
  faultPhase: 4_000,
  calmPhase: 6_000,
  blockInterval: 100,
  faultTick: 50,
  maxLatency: 10,
  maxPersistDelay: 60,
  maxRestartDelay: 80,
  maxReconnectDelay: 60,
};

export interface ScheduledCommand {
  readonly time: number;
  readonly node: string;
  readonly command: unknown;
}

export interface Violation {
  readonly invariant: string;
  readonly message: string;
  /** Trace index of the violation record. */
  readonly event: number;
  readonly time: number;
}

/** A checker is one invariant: it watches records as they happen and/or judges the end state. */
export interface Checker {
  readonly name: string;
  /**
   * The record kinds onRecord reads; absent: every record. The world hands it no other kind, so onRecord must
   * neither change its state nor report on any other (a checker that needs to know a record came between two it
   * reads sees it in the gap of their indices, `i`).
   */
  readonly kinds?: readonly string[];
  /** Safety: return a message if this record breaks the invariant. */
  onRecord?(record: TraceRecord, world: World): string | undefined;
  /** Judged once, after the calm phase. */
  atEnd?(world: World): string | undefined;
}

export type SimEvent =
  | { kind: 'deliver'; from: string; to: string; epoch: number; message: Message }
  | { kind: 'durable'; node: string; incarnation: number; key: string; id: number }
  | { kind: 'timer'; node: string; incarnation: number; tag: string; data: unknown }
  | { kind: 'block' }
  | { kind: 'command'; node: string; command: unknown }
  | { kind: 'fault-tick' }
  | { kind: 'restart'; node: string }
  | { kind: 'reconnect'; a: string; b: string }
  | { kind: 'calm' }
  | { kind: 'end' };

export interface NodeSlot {
  readonly id: string;
  readonly behaviour: NodeBehaviour<unknown>;
  readonly disk: Disk;
  state: unknown;
  up: boolean;
  incarnation: number;
  env: NodeEnv;
  /** Writes that stalled (complete in the calm phase), in issue order. */
  stalled: { key: string; id: number }[];
  /** Per key, when its last write is due to become durable (Infinity: stalled). */
  lastTarget: Map<string, number>;
  /** Whether node faults may strike it (the fault plan's `targets`, asked once: it is asked at every handler and write). */
  readonly targeted: boolean;
}

/** The events that carry nothing: one object each, queued again and again (never changed). */
const BLOCK_EVENT: SimEvent = { kind: 'block' };
const FAULT_TICK_EVENT: SimEvent = { kind: 'fault-tick' };

/**
 * A checker that watches records, with its onRecord read once per world: read from checkers of a dozen classes at
 * every record, it was a megamorphic lookup.
 */
interface Watcher {
  readonly checker: Checker;
  readonly onRecord: NonNullable<Checker['onRecord']>;
}

/**
 * Fills `byKind` with, per kind some checker names, the watchers that read it (those naming it and those reading every
 * kind), in checker order; returns the watchers that read every kind. One pass over the kinds each checker names, once
 * per world (filtering every checker at each kind's first record cost more, run after run).
 */
function listWatchersByKind(watchers: readonly Watcher[], byKind: Map<string, Watcher[]>): readonly Watcher[] {
  // Plain loops, no iterators: inlined in the world's constructor, iterator protocols made that a costly compile.
  const lists: Watcher[][] = [];
  const everyKind: Watcher[] = [];
  for (let i = 0; i < watchers.length; i++) {
    const watcher = watchers[i];
    const kinds = watcher.checker.kinds;
    if (kinds === undefined) {
      everyKind.push(watcher);
      for (let j = 0; j < lists.length; j++) lists[j].push(watcher);
      continue;
    }
    for (let k = 0; k < kinds.length; k++) {
      let list = byKind.get(kinds[k]);
      if (list === undefined) {
        list = everyKind.slice();
        byKind.set(kinds[k], list);
        lists.push(list);
      }
      if (list.length === 0 || list[list.length - 1] !== watcher) list.push(watcher);
    }
  }
  return everyKind;
}

/** Debug switch (tests): with it off, the nodes' chain view counts no revisions (see setQuietBlocks). */
let quietBlocks = true;

/**
 * Turn off (or back on) every way nodes skip blocks: their chain view has no revision, so no node keeps anything
 * across blocks (the ln node's quiet blocks and chain-watch memos). For worlds built from now on; returns the
 * previous setting. Traces must not change: a test compares fingerprints both ways.
 */
export function setQuietBlocks(on: boolean): boolean {
  const was = quietBlocks;
  quietBlocks = on;
  return was;
}

/** The keys of a node spec's initial disk, sorted once per spec (the order the disk loads them in). */
const initialKeys = new WeakMap<object, readonly string[]>();

function sortedKeys(initial: Readonly<Record<string, DiskValue>>): readonly string[] {
  let keys = initialKeys.get(initial);
  if (keys === undefined) {
    keys = Object.freeze(Object.keys(initial).sort());
    initialKeys.set(initial, keys);
  }
  return keys;
}

/** Initial disk values of node specs, frozen once: every run of a spec shares them (they never change). */
const initialValues = new WeakMap<object, object>();

function frozenInitial(value: DiskValue): DiskValue {
  if (typeof value !== 'object') return value;
  let frozen = initialValues.get(value);
  if (frozen === undefined) {
    frozen = freezeCopy(value);
    initialValues.set(value, frozen);
  }
  return frozen;
}

/**
 * A copy of the timing in one fixed key order: scenarios build theirs by spreading, so each world would otherwise
 * hand the hot path (send, scheduleDurable, the phase ticks) objects of several hidden classes.
 */
function sameShape(t: Timing): Timing {
  return {
    faultPhase: t.faultPhase,
    calmPhase: t.calmPhase,
    blockInterval: t.blockInterval,
    faultTick: t.faultTick,
    maxLatency: t.maxLatency,
    maxPersistDelay: t.maxPersistDelay,
    maxRestartDelay: t.maxRestartDelay,
    maxReconnectDelay: t.maxReconnectDelay,
  };
}

/**
 * The txids of an empty block's record (most blocks): one frozen list, not one per block. The other blocks' lists are
 * frozen too: one hidden class for every block's list (the checkers that read them deoptimised on the mix).
 */
const NO_TXIDS: readonly string[] = Object.freeze([]);

/**
 * The node handlers inNode runs, by number: one call site per behaviour method, and no closure per event (most
 * events call a handler; the closures, and the call through them, were a measurable share of the kernel's time).
 */
const ON_MESSAGE = 0;
const ON_DURABLE = 1;
const ON_TIMER = 2;
const ON_COMMAND = 3;
const ON_CALM = 4;
const ON_CONNECT = 5;
const ON_DISCONNECT = 6;
const ON_BLOCK = 7;
const ON_FAULT = 8;
type HandlerCode = typeof ON_MESSAGE | typeof ON_DURABLE | typeof ON_TIMER | typeof ON_COMMAND | typeof ON_CALM | typeof ON_CONNECT | typeof ON_DISCONNECT | typeof ON_BLOCK | typeof ON_FAULT;

/** A handler's name, for crash records and errors (built only when one needs it). */
function handlerName(handler: HandlerCode, a: unknown, b: unknown): string {
  switch (handler) {
    case ON_MESSAGE:
      return `deliver ${(b as Message).type} from ${a as string}`;
    case ON_DURABLE:
      return `durable ${a as string}`;
    case ON_TIMER:
      return `timer ${a as string}`;
    case ON_COMMAND:
      return 'command';
    case ON_CALM:
      return 'calm';
    case ON_CONNECT:
      return `connect ${a as string}`;
    case ON_DISCONNECT:
      return `disconnect ${a as string}`;
    case ON_BLOCK:
      return `block ${(a as Block).height}`;
    case ON_FAULT:
      return `fault ${b as string}`;
  }
}

/*
 * A node's env and chain view are class instances: their live members (the time, script mode, the height) are getters
 * on the prototype. Getters in an object literal put the object in dictionary mode, and the model reads its env at
 * nearly every step. The functions stay own properties, as they were (a model may pass `env.pick` on, unbound).
 */

class KernelChainView implements ChainView {
  readonly confirmations: ChainView['confirmations'];
  readonly confirmedTx: ChainView['confirmedTx'];
  readonly spender: ChainView['spender'];
  readonly output: ChainView['output'];
  readonly inMempool: ChainView['inMempool'];
  readonly blocksAfter: ChainView['blocksAfter'];
  constructor(private readonly source: Chain) {
    this.confirmations = (txid) => source.confirmations(txid);
    this.confirmedTx = (txid) => source.confirmedTx(txid);
    this.spender = (o) => source.spender(o);
    this.output = (o) => source.output(o);
    this.inMempool = (txid) => source.inMempool(txid);
    this.blocksAfter = (height) => source.blocks.slice(height);
  }
  get height(): number {
    return this.source.height;
  }
  get revision(): number | undefined {
    return this.source.revision;
  }
}

/** The chain view with quiet blocks off (setQuietBlocks): no revision, so nodes keep nothing across blocks. */
class UncountedChainView extends KernelChainView {
  override get revision(): number | undefined {
    return undefined;
  }
}

class KernelEnv implements NodeEnv {
  constructor(
    private readonly world: World,
    readonly id: string,
    readonly chain: ChainView,
    readonly disk: DiskView,
    readonly send: NodeEnv['send'],
    readonly isConnected: NodeEnv['isConnected'],
    readonly broadcast: NodeEnv['broadcast'],
    readonly setTimer: NodeEnv['setTimer'],
    readonly pick: NodeEnv['pick'],
    readonly draw: NodeEnv['draw'],
    readonly trace: NodeEnv['trace'],
  ) {}
  get now(): number {
    return this.world.now;
  }
  get scripted(): boolean {
    return this.world.faults.isSuspended;
  }
}

/** Thrown inside a node's handler to crash it at exactly that point. */
class CrashSignal {
  constructor(readonly node: string, readonly where: string) {}
}

/** A node of the world: its behaviour and what its disk holds (durably) before the run. */
export interface NodeSpec {
  readonly id: string;
  readonly behaviour: NodeBehaviour<any>;
  /** Text, or plain data (frozen once per spec and shared by every run's disk, never copied again). */
  readonly disk?: Readonly<Record<string, DiskValue>>;
}

export interface WorldOptions {
  readonly nodes: readonly NodeSpec[];
  readonly links: readonly (readonly [string, string])[];
  readonly genesis: readonly Tx[];
  readonly timing: Timing;
  readonly faults: FaultSettings;
  readonly checkers: readonly Checker[];
  readonly commands: readonly ScheduledCommand[];
  readonly choices: Choices;
  readonly trace: Trace;
  readonly maxEvents: number;
  /** Queue neither the workload nor the phases at construction: a script runs first, then calls schedulePhases (sim/script.ts). */
  readonly deferSchedule?: boolean;
}

export class World {
  readonly chain = new Chain();
  /** Every node's view of the chain (it reads only the chain: one per world). */
  private readonly chainView: ChainView = quietBlocks ? new KernelChainView(this.chain) : new UncountedChainView(this.chain);
  readonly trace: Trace;
  readonly faults: FaultPlan;
  readonly transport: Transport;
  readonly timing: Timing;
  protected readonly queue = new EventQueue<SimEvent>();
  protected readonly slots = new Map<string, NodeSlot>();
  /** The slots in the map's order (per block and per fault tick: no iterator per loop). */
  private readonly slotList: readonly NodeSlot[];
  private readonly checkers: readonly Checker[];
  /** Per record kind a checker names, the checkers watching records that read it, in checker order. */
  private readonly watchersByKind = new Map<string, Watcher[]>();
  /** The watchers that read every kind: all that read a kind no checker names. */
  private readonly everyKindWatchers: readonly Watcher[];
  /** Per kernel record shape (trace-hash.ts), the watchers of its kind: the kernel's records find theirs by index. */
  private readonly watchersByShape: readonly (readonly Watcher[])[];
  protected readonly choices: Choices;
  private readonly maxEvents: number;
  private readonly commands: readonly ScheduledCommand[];
  protected clock = 0;
  private steps = 0;
  private finished = false;
  /**
   * Whether this world decides every write's durability itself (scheduleDurable not overridden): it may then decide
   * before the write is queued. The scripted world holds writes, and sees each one queued first.
   */
  private readonly decidesDurability = this.scheduleDurable === World.prototype.scheduleDurable;
  violation: Violation | undefined;

  constructor(options: WorldOptions) {
    this.trace = options.trace;
    this.timing = sameShape(options.timing);
    this.choices = options.choices;
    this.checkers = options.checkers;
    const watchers: Watcher[] = [];
    for (let i = 0; i < options.checkers.length; i++) {
      const checker = options.checkers[i];
      if (checker.onRecord !== undefined) watchers.push({ checker, onRecord: checker.onRecord });
    }
    this.everyKindWatchers = listWatchersByKind(watchers, this.watchersByKind);
    const byShape: (readonly Watcher[])[] = [];
    for (let shape = 0; shape < SHAPE_KINDS.length; shape++) byShape.push(this.watchersOf(SHAPE_KINDS[shape]));
    this.watchersByShape = byShape;
    this.maxEvents = options.maxEvents;
    this.faults = new FaultPlan(options.faults, options.choices);
    this.transport = new Transport(options.links);
    for (const tx of options.genesis) this.chain.genesis(tx);
    for (const { id, behaviour, disk: initial } of options.nodes) {
      const disk = new Disk();
      if (initial !== undefined) for (const key of sortedKeys(initial)) disk.load(key, frozenInitial(initial[key]));
      const slot: NodeSlot = { id, behaviour, disk, state: undefined, up: false, incarnation: 0, env: undefined!, stalled: [], lastTarget: new Map(), targeted: this.faults.targets(id) };
      this.slots.set(id, slot);
    }
    this.slotList = [...this.slots.values()];
    this.commands = options.commands;
    if (!options.deferSchedule) this.schedulePhases(0, this.timing.faultPhase);
  }

  /** Queue the workload, blocks, fault ticks, the calm phase after `faultPhase` ticks and the end, all from `start`. */
  protected schedulePhases(start: number, faultPhase: number): void {
    for (const c of this.commands) this.queue.push(start + c.time, { kind: 'command', node: c.node, command: c.command });
    this.queue.push(start + this.timing.blockInterval, BLOCK_EVENT);
    if (faultPhase > 0) this.queue.push(start + this.timing.faultTick, FAULT_TICK_EVENT);
    this.queue.push(start + faultPhase, { kind: 'calm' });
    this.queue.push(start + faultPhase + this.timing.calmPhase, { kind: 'end' });
  }

  get now(): number {
    return this.clock;
  }
  get events(): number {
    return this.trace.length;
  }
  get done(): boolean {
    return this.finished;
  }
  nodeIds(): string[] {
    return [...this.slots.keys()];
  }
  isUp(node: string): boolean {
    return this.slot(node).up;
  }
  /** A node's memory (undefined while it is down). */
  state<S>(node: string): S | undefined {
    const slot = this.slot(node);
    return slot.up ? (slot.state as S) : undefined;
  }
  disk(node: string): Disk {
    return this.slot(node).disk;
  }
  /** The model's picture of a node's memory; undefined while it is down, and while it boots (its state does not exist yet). */
  snapshot(node: string): unknown {
    const slot = this.slot(node);
    return slot.up && slot.state !== undefined && slot.behaviour.snapshot ? slot.behaviour.snapshot(slot.state) : undefined;
  }

  /** Boot every node and connect the links. */
  start(): void {
    for (const slot of this.slots.values()) this.boot(slot);
    for (const [a, b] of this.transport.pairs()) this.connect(a, b);
  }

  /** Run to the end, a violation, or the event limit. */
  run(stopAfterEvent?: number): void {
    while (!this.finished) {
      if (stopAfterEvent !== undefined && this.trace.length > stopAfterEvent) return;
      this.step();
    }
  }

  /**
   * Run as `run` does, turning the event loop every `yieldEvery` steps: for nodes whose memory is freed only
   * when the loop turns (WebAssembly bindings with finalizers). Yielding never changes what the run does.
   */
  async runAsync(stopAfterEvent?: number, yieldEvery = 100): Promise<void> {
    let steps = 0;
    while (!this.finished) {
      if (stopAfterEvent !== undefined && this.trace.length > stopAfterEvent) return;
      this.step();
      if (++steps % yieldEvery === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Process one queued event. */
  step(): void {
    const event = this.queue.popEvent();
    if (event === undefined) {
      this.finish();
      return;
    }
    this.clock = this.queue.lastTime;
    if (++this.steps > this.maxEvents) {
      this.fail('step-limit', `the run exceeded ${this.maxEvents} events without finishing (runaway loop?)`);
      return;
    }
    this.dispatch(event);
  }

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case 'deliver': {
        if (!this.transport.isCurrent(event.from, event.to, event.epoch)) {
          this.record('drop', event.to, { from: event.from, type: event.message.type, reason: 'disconnected' });
          return;
        }
        const slot = this.slot(event.to);
        this.record('deliver', event.to, { from: event.from, type: event.message.type }, DELIVER);
        this.inNode(slot, ON_MESSAGE, event.from, event.message);
        return;
      }
      case 'durable': {
        const slot = this.slot(event.node);
        if (slot.incarnation !== event.incarnation) return;
        // Nothing done when the write is no longer pending (a later write's completion took it along).
        const done = slot.disk.complete(event.key, event.id);
        for (const w of done) {
          this.record('durable', slot.id, { key: w.key, id: w.id }, DURABLE);
          if (w.tag !== undefined) {
            const tag = w.tag;
            this.inNode(slot, ON_DURABLE, tag, undefined);
            if (!slot.up || this.finished) return;
          }
        }
        return;
      }
      case 'timer': {
        const slot = this.slot(event.node);
        if (slot.incarnation !== event.incarnation || !slot.up) return;
        this.record('timer', slot.id, { tag: event.tag }, TIMER);
        this.inNode(slot, ON_TIMER, event.tag, event.data);
        return;
      }
      case 'block': {
        this.mineBlock();
        this.queue.push(this.clock + this.timing.blockInterval, BLOCK_EVENT);
        return;
      }
      case 'command': {
        const slot = this.slot(event.node);
        if (!slot.up) {
          this.record('command-skipped', slot.id, { command: event.command as Record<string, unknown>, reason: 'node down' });
          return;
        }
        this.record('command', slot.id, { command: event.command as Record<string, unknown> });
        this.inNode(slot, ON_COMMAND, event.command, undefined);
        return;
      }
      case 'fault-tick': {
        this.faultTick();
        if (!this.faults.isCalm) this.queue.push(this.clock + this.timing.faultTick, FAULT_TICK_EVENT);
        return;
      }
      case 'restart': {
        const slot = this.slot(event.node);
        if (!slot.up) this.boot(slot);
        if (slot.up) for (const peer of this.transport.peersOf(slot.id)) this.scheduleReconnect(slot.id, peer);
        return;
      }
      case 'reconnect': {
        this.connect(event.a, event.b);
        return;
      }
      case 'calm': {
        this.enterCalm();
        return;
      }
      case 'end': {
        this.finish();
        return;
      }
    }
  }

  protected enterCalm(): void {
    this.faults.enterCalm();
    this.record('calm', undefined, {});
    for (const slot of this.slots.values()) {
      if (!slot.up) this.boot(slot);
    }
    for (const slot of this.slots.values()) {
      for (const { key, id } of slot.stalled) this.queue.push(this.clock + 1, { kind: 'durable', node: slot.id, incarnation: slot.incarnation, key, id });
      slot.stalled = [];
      slot.lastTarget.clear();
      if (slot.up && slot.behaviour.onCalm) this.inNode(slot, ON_CALM, undefined, undefined);
    }
    for (const [a, b] of this.transport.pairs()) this.queue.push(this.clock + 1, { kind: 'reconnect', a, b });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.violation) return;
    this.record('end', undefined, { height: this.chain.height });
    for (const checker of this.checkers) {
      if (this.violation || !checker.atEnd) continue;
      const message = checker.atEnd(this);
      if (message !== undefined) this.fail(checker.name, message);
    }
  }

  /** Record a violation and stop the run. */
  fail(invariant: string, message: string): void {
    if (this.violation) return;
    const record = this.trace.append(this.clock, 'violation', undefined, { invariant, message });
    this.violation = { invariant, message, event: record.i, time: this.clock };
    this.finished = true;
  }

  // ---- nodes ----------------------------------------------------------------

  protected boot(slot: NodeSlot): void {
    slot.incarnation++;
    slot.env = this.makeEnv(slot);
    slot.up = true;
    this.record(slot.incarnation === 1 ? 'start' : 'restart', slot.id, { incarnation: slot.incarnation });
    try {
      slot.state = slot.behaviour.boot(slot.env);
    } catch (e) {
      if (e instanceof CrashSignal) return this.crash(slot, e.where);
      this.fail('model-assertion', `${slot.id} while booting: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Run a node handler (`a`, `b`: its arguments); a crash fault may strike before it or inside it (after a disk write). */
  private inNode(slot: NodeSlot, handler: HandlerCode, a: unknown, b: unknown): void {
    if (!slot.up || this.finished) return;
    if (slot.targeted && this.faults.fires('crash', this.faults.labelled ? `${slot.id} before ${handlerName(handler, a, b)}` : '', slot.id)) return this.crash(slot, `before ${handlerName(handler, a, b)}`);
    try {
      const behaviour = slot.behaviour;
      switch (handler) {
        case ON_MESSAGE:
          behaviour.onMessage(slot.state, slot.env, a as string, b as Message);
          break;
        case ON_DURABLE:
          behaviour.onDurable(slot.state, slot.env, a as string);
          break;
        case ON_TIMER:
          behaviour.onTimer(slot.state, slot.env, a as string, b);
          break;
        case ON_COMMAND:
        case ON_FAULT:
          behaviour.onCommand(slot.state, slot.env, a);
          break;
        case ON_CALM:
          behaviour.onCalm!(slot.state, slot.env);
          break;
        case ON_CONNECT:
          behaviour.onConnect(slot.state, slot.env, a as string);
          break;
        case ON_DISCONNECT:
          behaviour.onDisconnect(slot.state, slot.env, a as string);
          break;
        case ON_BLOCK:
          behaviour.onBlock(slot.state, slot.env, a as Block);
          break;
      }
    } catch (e) {
      if (e instanceof CrashSignal) return this.crash(slot, e.where);
      // A model that throws has broken one of its own assertions: a finding, with a repro, not a harness crash.
      this.fail('model-assertion', `${slot.id} while handling ${handlerName(handler, a, b)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private crash(slot: NodeSlot, where: string): void {
    const keep = this.faults.settings.kinds.crashKeepsPending;
    const torn = this.faults.settings.kinds.tornWrite;
    const outcome = slot.disk.crash((key, writes) => {
      let durableCount = 0;
      if (keep !== undefined) {
        while (durableCount < writes.length && this.choices.chance('faults', keep, `crash ${slot.id} keeps write ${writes[durableCount].id} ${key}`)) durableCount++;
      }
      const next = writes[durableCount];
      const tornNext = torn !== undefined && next !== undefined && next.multiPart && this.choices.chance('faults', torn, `crash ${slot.id} tears write ${next.id} ${key}`);
      return { durableCount, tornNext };
    });
    slot.up = false;
    slot.state = undefined;
    slot.stalled = [];
    slot.lastTarget.clear();
    this.record('crash', slot.id, { where, ...outcome });
    for (const peer of this.transport.peersOf(slot.id)) this.disconnect(slot.id, peer, 'crash');
    const delay = this.faults.quiet ? 1 : 1 + this.faults.pick(this.timing.maxRestartDelay, `restart delay ${slot.id}`);
    this.queue.push(this.clock + delay, { kind: 'restart', node: slot.id });
  }

  protected makeEnv(slot: NodeSlot): NodeEnv {
    const world = this;
    const incarnation = slot.incarnation;
    const disk: DiskView = {
      read: (key) => slot.disk.read(key),
      readValue: (key) => slot.disk.readValue(key),
      keys: (prefix) => slot.disk.keys(prefix),
      count: (prefix) => slot.disk.count(prefix),
      // No options: undefined, as the disk reads them (no `{}` per write).
      write: (key, value, options) => world.write(slot, key, value, options),
      delete: (key, options) => world.write(slot, key, undefined, options),
      rename: (from, to, options) => world.rename(slot, from, to, options),
    };
    return new KernelEnv(
      world,
      slot.id,
      this.chainView,
      disk,
      (to, message) => world.send(slot.id, to, message),
      (peer) => world.transport.isUp(slot.id, peer),
      (tx) => {
        const result = world.chain.broadcast(tx);
        world.record('broadcast', slot.id, { txid: tx.txid, label: tx.label ?? '', result });
        return result;
      },
      (delay, tag, data) => {
        world.queue.push(world.clock + Math.max(1, delay), { kind: 'timer', node: slot.id, incarnation, tag, data });
      },
      (n, label) => (n <= 1 || !world.faults.fires('reorder', world.faults.labelled ? `${slot.id} ${label}` : '') ? 0 : 1 + world.faults.pick(n - 1, () => `reorder ${slot.id} ${label}`)),
      // A script leaves the application nothing to chance: the smallest answer, and no draw.
      (n, label) => (world.faults.isSuspended ? 0 : world.choices.int('app', n, world.faults.labelled ? `${slot.id} ${label}` : '')),
      (kind, data) => {
        world.record(kind, slot.id, data);
      },
    );
  }

  // ---- disk -----------------------------------------------------------------

  private write(slot: NodeSlot, key: string, value: DiskValue | undefined, options: WriteOptions | undefined): WriteStatus {
    const disk = slot.disk;
    let id: number;
    let status: 'durable' | 'pending' | 'stalled' | 'held';
    if (this.decidesDurability) {
      // Decided before the write is queued (the same draws, in the same order): a write durable at once, most of
      // them, never enters the disk's queue.
      const queuedBehind = disk.pendingCount(key) > 0;
      const target = this.durableTarget(slot, key, disk.nextWriteId, queuedBehind);
      if (target === this.clock && !queuedBehind) {
        id = disk.writeDurable(key, value);
        status = 'durable';
      } else {
        id = disk.enqueue(key, value, options).id;
        status = this.scheduleLater(slot, key, id, target);
      }
    } else {
      id = disk.enqueue(key, value, options).id;
      status = this.scheduleDurable(slot, key, id);
    }
    this.record('write', slot.id, { key, id, op: value === undefined ? 'delete' : 'put', status }, WRITE);
    if (slot.targeted && this.faults.fires('crash', this.faults.labelled ? `${slot.id} after write ${key}` : '', slot.id)) throw new CrashSignal(slot.id, `after write ${key}#${id}`);
    return status === 'durable' ? 'durable' : 'pending';
  }

  private rename(slot: NodeSlot, from: string, to: string, options: WriteOptions | undefined): WriteStatus {
    const value = slot.disk.current(from);
    if (value === undefined) throw new Error(`disk: rename of missing key ${from} at ${slot.id}`);
    const target = slot.disk.enqueue(to, value, { ...options, multiPart: false });
    slot.disk.enqueue(from, undefined, {}, { key: to, id: target.id });
    const status = this.scheduleDurable(slot, to, target.id);
    this.record('rename', slot.id, { from, to, id: target.id, status });
    if (slot.targeted && this.faults.fires('crash', this.faults.labelled ? `${slot.id} after rename ${to}` : '', slot.id)) throw new CrashSignal(slot.id, `after rename ${to}#${target.id}`);
    return status === 'durable' ? 'durable' : 'pending';
  }

  /**
   * Decide when a write becomes durable: now, later, or not before the calm phase.
   * Writes to one key complete in issue order, so a write never completes before
   * an earlier write to the same key (and waits behind a stalled one).
   */
  protected scheduleDurable(slot: NodeSlot, key: string, id: number): 'durable' | 'pending' | 'stalled' | 'held' {
    const queuedBehind = slot.disk.pendingCount(key) > 1;
    const target = this.durableTarget(slot, key, id, queuedBehind);
    // A write durable at once leaves lastTarget as it is: what it holds for the key is not after now (the key's
    // earlier writes are all durable), and no later write's target is before now, so max() in durableTarget reads the same.
    if (target === this.clock && !queuedBehind) {
      slot.disk.complete(key, id);
      return 'durable';
    }
    return this.scheduleLater(slot, key, id, target);
  }

  /** When write `id` to `key` is to become durable (Infinity: it stalls); `queuedBehind`: an earlier write to the key is pending. */
  private durableTarget(slot: NodeSlot, key: string, id: number, queuedBehind: boolean): number {
    let target = this.clock;
    const targeted = slot.targeted;
    const label = this.faults.labelled ? `${slot.id} ${key}#${id}` : '';
    if (targeted && (this.faults.fires('persistStall', label) || this.faults.keyStalls(key, label, slot.id))) target = Infinity;
    else if (targeted && this.faults.fires('persistDelay', label)) target = this.clock + 1 + this.faults.pick(this.timing.maxPersistDelay, `persist delay ${label}`);
    if (queuedBehind) {
      const earlier = slot.lastTarget.get(key);
      if (earlier !== undefined) target = Math.max(target, earlier);
    }
    return target;
  }

  /** Queue the durable event of a write not durable at once (or list it as stalled). */
  private scheduleLater(slot: NodeSlot, key: string, id: number, target: number): 'pending' | 'stalled' {
    slot.lastTarget.set(key, target);
    if (target === Infinity) {
      slot.stalled.push({ key, id });
      return 'stalled';
    }
    this.queue.push(target, { kind: 'durable', node: slot.id, incarnation: slot.incarnation, key, id });
    return 'pending';
  }

  // ---- transport ------------------------------------------------------------

  protected send(from: string, to: string, message: Message): void {
    const link = this.transport.connection(from, to);
    if (link === undefined || !link.up) {
      this.record('drop', from, { to, type: message.type, reason: 'not connected' });
      return;
    }
    const latency = this.faults.isSuspended ? 1 : 1 + this.choices.int('net', this.timing.maxLatency, this.faults.labelled ? `latency ${from}->${to}` : '');
    const at = this.transport.deliveryOn(link, from, this.clock + latency);
    this.record('send', from, { to, message: message as unknown as Record<string, unknown> }, SEND);
    this.queue.push(at, { kind: 'deliver', from, to, epoch: link.epoch, message });
  }

  protected connect(a: string, b: string): void {
    if (this.transport.isUp(a, b) || !this.slot(a).up || !this.slot(b).up) return;
    this.transport.up(a, b);
    this.record('connect', undefined, { a, b }, CONNECT);
    const sa = this.slot(a);
    const sb = this.slot(b);
    this.inNode(sa, ON_CONNECT, b, undefined);
    if (this.transport.isUp(a, b)) this.inNode(sb, ON_CONNECT, a, undefined);
  }

  protected disconnect(a: string, b: string, reason: string): void {
    if (!this.transport.isUp(a, b)) return;
    this.transport.down(a, b);
    this.record('disconnect', undefined, { a, b, reason }, DISCONNECT);
    for (const [self, peer] of [[a, b], [b, a]] as const) {
      const slot = this.slot(self);
      if (slot.up) this.inNode(slot, ON_DISCONNECT, peer, undefined);
    }
    if (reason !== 'crash') this.scheduleReconnect(a, b);
  }

  private scheduleReconnect(a: string, b: string): void {
    const delay = this.faults.quiet ? 1 : 1 + this.faults.pick(this.timing.maxReconnectDelay, `reconnect delay ${a}-${b}`);
    this.queue.push(this.clock + delay, { kind: 'reconnect', a, b });
  }

  // ---- chain and fault ticks ------------------------------------------------

  protected mineBlock(): void {
    const block = this.chain.mine();
    this.record('block', undefined, { height: block.height, txs: block.txs.length === 0 ? NO_TXIDS : Object.freeze(block.txs.map((t) => t.txid)) }, BLOCK);
    this.deliverBlock(block);
  }

  private deliverBlock(block: Block): void {
    for (const slot of this.slotList) {
      if (this.finished) return;
      if (slot.up) this.inNode(slot, ON_BLOCK, block, undefined);
    }
  }

  private faultTick(): void {
    if (this.faults.isCalm) return;
    // The links are listed only when one is to go down (most ticks: no list).
    const up = this.transport.countUp();
    if (up > 0 && this.faults.fires('disconnect', 'tick')) {
      const { a, b } = this.transport.linksUp()[this.faults.pick(up, 'disconnect which link')];
      this.disconnect(a, b, 'fault');
    }
    if (this.faults.fires('blockBurst', 'tick')) {
      const count = 2 + this.faults.pick(5, 'block burst size');
      this.record('fault', undefined, { kind: 'block-burst', count });
      for (let i = 0; i < count && !this.finished; i++) this.mineBlock();
    }
    for (const name of this.faults.actionNames) {
      if (this.finished) return;
      if (!this.faults.actionFires(name, 'tick')) continue;
      const candidates: { slot: NodeSlot; command: unknown; label: string }[] = [];
      for (const slot of this.slotList) {
        if (!slot.up || !slot.behaviour.faultActions) continue;
        for (const action of slot.behaviour.faultActions(slot.state, slot.env)) if (action.kind === name) candidates.push({ slot, command: action.command, label: action.label });
      }
      if (candidates.length === 0) continue;
      const chosen = candidates[this.faults.pick(candidates.length, `action ${name} which`)];
      this.record('fault', chosen.slot.id, { kind: name, label: chosen.label });
      this.inNode(chosen.slot, ON_FAULT, chosen.command, name);
    }
  }

  // ---- helpers --------------------------------------------------------------

  /**
   * Appends a record and runs the checkers on it. `shape` (trace-hash.ts) when `data` is one of the kernel's known
   * shapes: exactly its members, in its order (test/trace-shapes.test.ts checks real runs), to hash it faster.
   */
  protected record(kind: string, node: string | undefined, data: Record<string, unknown> | undefined, shape: Shape = GENERIC): void {
    if (this.finished && kind !== 'end') return;
    const record = this.trace.append(this.clock, kind, node, data, shape);
    const watchers = shape === GENERIC ? this.watchersOf(kind) : this.watchersByShape[shape];
    for (let i = 0; i < watchers.length; i++) {
      if (this.violation) return;
      const watcher = watchers[i];
      const message = watcher.onRecord.call(watcher.checker, record, this);
      if (message !== undefined) {
        this.fail(watcher.checker.name, message);
        return;
      }
    }
  }

  /** The watchers that read records of `kind`, in checker order. */
  private watchersOf(kind: string): readonly Watcher[] {
    return this.watchersByKind.get(kind) ?? this.everyKindWatchers;
  }

  protected slot(node: string): NodeSlot {
    const slot = this.slots.get(node);
    if (!slot) throw new Error(`world: unknown node ${node}`);
    return slot;
  }
}
