// Scripted runs: a list of steps drives the world exactly, as a functional
// test or chanmon_consistency's opcodes do ("hold B's monitor writes", "deliver
// one message A→B", "crash B losing its pending writes"). While the script runs
// the fault plan is suspended: no fault fires, messages take one tick, the
// application draws nothing, and a step runs the world until nothing is left to
// happen before the next step starts. After the last step the world either
// settles (the calm phase at once) or explores: the scenario's fault phase,
// drawn from the seed, then the calm phase, so a sweep explores around the
// scripted prefix. Lightning-free: steps act through disk keys, links, nodes
// and commands; scenarios/steps compiles the typed vocabulary into these.
import type { Message } from './node.ts';
import type { TraceRecord } from './trace.ts';
import type { Shape } from './trace-hash.ts';
import { World, type NodeSlot, type WorldOptions } from './world.ts';

/** At a scripted crash, which of the node's pending writes reached the disk anyway: all, none, or the first N in issue order. */
export type KeepWrites = 'all' | 'none' | number;

export interface ScriptStep {
  /** How the trace, the TUI and error messages name the step, e.g. "hold B's monitor writes of ab". */
  readonly label: string;
  /** Act on the world. Returns why the step cannot act (nothing held to complete...), or undefined. */
  run(world: ScriptedWorld): string | undefined;
}

export interface Script {
  readonly steps: readonly ScriptStep[];
  /**
   * After the last step: 'settle' starts the calm phase at once (then every invariant is judged); 'explore' runs the
   * scenario's fault phase (faults, workload and timings drawn from the seed), then the calm phase.
   */
  readonly then: 'settle' | 'explore';
  /** Runs after the last step, before the world leaves script mode (undo node-level holds, say). */
  readonly epilogue?: (world: ScriptedWorld) => void;
  /** Events one step may take to settle before the run fails as a runaway ('step-limit'). Default 50,000. */
  readonly maxEventsPerStep?: number;
  /** Sees every trace record of the run (what `expect` steps judge). */
  readonly observe?: (record: TraceRecord) => void;
}

/** The violation a step that cannot act is reported as (a definition's dry run turns it into a usage error). */
export const SCRIPT_INVARIANT = 'script';

interface WriteHold {
  readonly node: string;
  readonly id: string;
  readonly matches: (key: string) => boolean;
}

interface HeldMessage {
  readonly message: Message;
  readonly epoch: number;
}

const direction = (from: string, to: string) => `${from}>${to}`;
const linkOf = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export class ScriptedWorld extends World {
  private holds: WriteHold[] = [];
  /** Per node, writes held by a hold, in issue order (some may have become durable or been lost since). */
  private readonly held = new Map<string, { key: string; id: number }[]>();
  private readonly heldLinks = new Set<string>();
  private readonly heldMessages = new Map<string, HeldMessage[]>();
  /** Links a step disconnected: they stay down until a step reconnects them (or the script ends). */
  private readonly severed = new Set<string>();
  private scripting = true;
  private observer: ((record: TraceRecord) => void) | undefined;

  constructor(options: WorldOptions) {
    super({ ...options, deferSchedule: true });
    this.faults.suspend();
  }

  /** Feed every record from now on to `observe` (set before start). */
  observeWith(observe: ((record: TraceRecord) => void) | undefined): void {
    this.observer = observe;
  }

  protected override record(kind: string, node: string | undefined, data: Record<string, unknown> | undefined, shape?: Shape): void {
    const before = this.events;
    super.record(kind, node, data, shape);
    if (this.observer && this.events > before) this.observer({ i: before, t: this.now, k: kind, n: node, d: data });
  }

  /** Whether the script still drives the world. */
  get inScript(): boolean {
    return this.scripting;
  }

  /** Process events until nothing is queued. False if it stopped early (violation, `stopAfterEvent`, runaway). */
  settle(limit: number, stopAfterEvent?: number): boolean {
    let count = 0;
    while (!this.done && this.queue.size > 0) {
      if (stopAfterEvent !== undefined && this.events > stopAfterEvent) return false;
      if (++count > limit) {
        this.fail('step-limit', `a scripted step did not settle within ${limit} events (a node keeps itself busy?)`);
        return false;
      }
      this.step();
    }
    return !this.done;
  }

  /** The trace record that starts step n. */
  markStep(n: number, label: string): void {
    this.record('step', undefined, { n, step: label });
  }

  knows(node: string): boolean {
    return this.slots.has(node);
  }

  // ---- disk -----------------------------------------------------------------

  /** From now on, writes of `node` whose key `matches` stay pending until a step completes them. `id` names the hold. */
  holdWrites(node: string, id: string, matches: (key: string) => boolean): void {
    this.slot(node);
    if (!this.holds.some((h) => h.node === node && h.id === id)) this.holds.push({ node, id, matches });
  }

  /** Stop holding new writes (the writes already held stay held until completed). */
  unholdWrites(node: string, id: string): void {
    this.holds = this.holds.filter((h) => !(h.node === node && h.id === id));
  }

  isHolding(node: string, id: string): boolean {
    return this.holds.some((h) => h.node === node && h.id === id);
  }

  /** Writes of `node` still held, in issue order, optionally only those whose key matches. */
  heldWrites(node: string, matches: (key: string) => boolean = () => true): { key: string; id: number }[] {
    const slot = this.slot(node);
    const list = (this.held.get(node) ?? []).filter((w) => slot.disk.isPending(w.key, w.id));
    this.held.set(node, list);
    return list.filter((w) => matches(w.key));
  }

  /** Make a held write durable now (with every earlier write to its key); the node hears of it as of any persist. */
  completeWrite(node: string, write: { key: string; id: number }): void {
    const slot = this.slot(node);
    this.queue.push(this.now, { kind: 'durable', node, incarnation: slot.incarnation, key: write.key, id: write.id });
  }

  protected override scheduleDurable(slot: NodeSlot, key: string, id: number): 'durable' | 'pending' | 'stalled' | 'held' {
    if (!this.scripting) return super.scheduleDurable(slot, key, id);
    const list = this.held.get(slot.id) ?? [];
    // A write queued behind a held write to the same key is held too (writes to one key complete in order).
    const behindHeld = list.some((w) => w.key === key && slot.disk.isPending(w.key, w.id));
    if (!behindHeld && !this.holds.some((h) => h.node === slot.id && h.matches(key))) return super.scheduleDurable(slot, key, id);
    list.push({ key, id });
    this.held.set(slot.id, list);
    return 'held';
  }

  // ---- messages -------------------------------------------------------------

  /** From now on, messages from → to wait until a step delivers or drops them. */
  holdMessages(from: string, to: string): void {
    this.heldLinks.add(direction(from, to));
  }

  /** Stop holding from → to and deliver whatever is held, in order. */
  releaseMessages(from: string, to: string): void {
    this.heldLinks.delete(direction(from, to));
    this.deliverHeld(from, to, Infinity);
  }

  isHoldingMessages(from: string, to: string): boolean {
    return this.heldLinks.has(direction(from, to));
  }

  heldMessageTypes(from: string, to: string): string[] {
    return (this.heldMessages.get(direction(from, to)) ?? []).map((m) => m.message.type);
  }

  /** Deliver up to `count` held messages from → to, oldest first. Returns how many. */
  deliverHeld(from: string, to: string, count: number): number {
    const queue = this.heldMessages.get(direction(from, to)) ?? [];
    const taken = queue.splice(0, Math.min(count, queue.length));
    for (const m of taken) this.queue.push(this.now, { kind: 'deliver', from, to, epoch: m.epoch, message: m.message });
    return taken.length;
  }

  /** Drop up to `count` held messages from → to, oldest first (lost as if never sent). Returns how many. */
  dropHeld(from: string, to: string, count: number): number {
    const queue = this.heldMessages.get(direction(from, to)) ?? [];
    const taken = queue.splice(0, Math.min(count, queue.length));
    for (const m of taken) this.record('drop', to, { from, type: m.message.type, reason: 'script' });
    return taken.length;
  }

  protected override send(from: string, to: string, message: Message): void {
    if (!this.scripting || !this.heldLinks.has(direction(from, to)) || !this.transport.isUp(from, to)) return super.send(from, to, message);
    this.record('send', from, { to, message: message as unknown as Record<string, unknown>, held: true });
    const key = direction(from, to);
    const queue = this.heldMessages.get(key) ?? [];
    queue.push({ message, epoch: this.transport.epoch(from, to) });
    this.heldMessages.set(key, queue);
  }

  protected override disconnect(a: string, b: string, reason: string): void {
    super.disconnect(a, b, reason);
    // What was held on the connection dies with it, as in-flight messages do.
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const queue = this.heldMessages.get(direction(from, to)) ?? [];
      for (const m of queue.splice(0)) this.record('drop', to, { from, type: m.message.type, reason: 'disconnected' });
    }
  }

  protected override connect(a: string, b: string): void {
    if (this.scripting && this.severed.has(linkOf(a, b))) return;
    super.connect(a, b);
  }

  /** Disconnect a link until a step reconnects it. Returns why it cannot, or undefined. */
  disconnectLink(a: string, b: string): string | undefined {
    if (!this.transport.peersOf(a).includes(b)) return `${a} and ${b} share no link`;
    if (!this.transport.isUp(a, b)) return `${a} and ${b} are not connected`;
    this.severed.add(linkOf(a, b));
    this.disconnect(a, b, 'script');
    return undefined;
  }

  reconnectLink(a: string, b: string): string | undefined {
    if (!this.transport.peersOf(a).includes(b)) return `${a} and ${b} share no link`;
    if (this.transport.isUp(a, b)) return `${a} and ${b} are already connected`;
    this.severed.delete(linkOf(a, b));
    if (!this.isUp(a) || !this.isUp(b)) return `${!this.isUp(a) ? a : b} is down: restart it first`;
    this.connect(a, b);
    return undefined;
  }

  // ---- nodes ----------------------------------------------------------------

  /** Crash `node` now; `keep` says which of its pending writes reached the disk. It stays down until restartNode. */
  crashNode(node: string, keep: KeepWrites, where: string): string | undefined {
    const slot = this.slot(node);
    if (!slot.up) return `${node} is already down`;
    const pending = slot.disk.pendingWrites().map((w) => w.id).sort((x, y) => x - y);
    const count = keep === 'all' ? pending.length : keep === 'none' ? 0 : Math.min(keep, pending.length);
    const kept = new Set(pending.slice(0, count));
    const outcome = slot.disk.crash((_key, writes) => {
      let durableCount = 0;
      while (durableCount < writes.length && kept.has(writes[durableCount].id)) durableCount++;
      return { durableCount, tornNext: false };
    });
    slot.up = false;
    slot.state = undefined;
    slot.stalled = [];
    slot.lastTarget.clear();
    this.held.delete(node);
    this.record('crash', node, { where, ...outcome });
    for (const peer of this.transport.peersOf(node)) this.disconnect(node, peer, 'crash');
    return undefined;
  }

  /** Boot a crashed node from its disk and connect it to its peers (except links a step disconnected). */
  restartNode(node: string): string | undefined {
    const slot = this.slot(node);
    if (slot.up) return `${node} is running: crash it first`;
    this.boot(slot);
    if (slot.up) for (const peer of this.transport.peersOf(node)) this.connect(node, peer);
    return undefined;
  }

  /** Hand a command to a node (workload: pay, close...). */
  command(node: string, command: unknown): string | undefined {
    if (!this.isUp(node)) return `${node} is down: restart it first`;
    this.queue.push(this.now, { kind: 'command', node, command });
    return undefined;
  }

  // ---- chain ----------------------------------------------------------------

  mine(blocks: number): void {
    for (let i = 0; i < blocks && !this.done; i++) this.mineBlock();
  }

  // ---- the end of the script ------------------------------------------------

  /**
   * Leave script mode: holds end; held writes complete ('settle') or stall until the calm phase or a crash
   * ('explore'); held messages are delivered; crashed nodes restart and severed links reconnect; then the phases.
   */
  endScript(then: Script['then']): void {
    if (!this.scripting) return;
    this.scripting = false;
    this.holds = [];
    this.severed.clear();
    const next = this.now + 1;
    for (const node of [...this.held.keys()]) {
      const slot = this.slot(node);
      for (const w of this.heldWrites(node)) {
        if (then === 'settle') this.queue.push(next, { kind: 'durable', node, incarnation: slot.incarnation, key: w.key, id: w.id });
        else {
          slot.stalled.push(w);
          slot.lastTarget.set(w.key, Infinity);
        }
      }
    }
    this.held.clear();
    for (const key of [...this.heldMessages.keys()]) {
      const [from, to] = key.split('>');
      for (const m of this.heldMessages.get(key)!.splice(0)) this.queue.push(next, { kind: 'deliver', from, to, epoch: m.epoch, message: m.message });
    }
    this.heldLinks.clear();
    for (const node of this.nodeIds()) if (!this.isUp(node)) this.queue.push(next, { kind: 'restart', node });
    for (const [a, b] of this.transport.pairs()) if (!this.transport.isUp(a, b)) this.queue.push(next, { kind: 'reconnect', a, b });
    this.record('script-end', undefined, { then });
    this.faults.resume();
    this.schedulePhases(this.now, then === 'settle' ? 0 : this.timing.faultPhase);
  }
}

/**
 * Run a script on a started world: settle the boot, then each step (marked in the trace) and the world after it.
 * Returns false if the run stopped inside the script (a violation, a step that cannot act, or `stopAfterEvent`).
 */
export function runScript(world: ScriptedWorld, script: Script, stopAfterEvent?: number): boolean {
  const limit = script.maxEventsPerStep ?? 50_000;
  if (!world.settle(limit, stopAfterEvent)) return false;
  for (const [index, step] of script.steps.entries()) {
    if (stopAfterEvent !== undefined && world.events > stopAfterEvent) return false;
    world.markStep(index + 1, step.label);
    if (world.done) return false;
    const problem = step.run(world);
    if (problem !== undefined) {
      world.fail(SCRIPT_INVARIANT, `step ${index + 1} (${step.label}): ${problem}`);
      return false;
    }
    if (!world.settle(limit, stopAfterEvent)) return false;
  }
  script.epilogue?.(world);
  world.endScript(script.then);
  return true;
}
