// The ChannelManager's own bookkeeping: events queued for the application, the dirty flag that schedules a
// background pass, and the manager writes (whose durability says which events will not replay).
import { backgroundPassDelay } from '../../application.ts';
import type { LnEvent } from '../types.ts';
import { type LnNode, type LnState, MANAGER_KEY } from './state.ts';
import { append } from '../packed.ts';

/** Queue an event for the application (handled, at least once, by the next background pass); returns its seq. */
export function pushEvent(node: LnNode, event: LnEvent): number {
  const seq = ++node.state.mgr.nextEventSeq;
  node.state.mgr.events = append(node.state.mgr.events, { seq, event });
  node.env.trace('event', { seq, ...event });
  markDirty(node);
  return seq;
}

/** The manager's next sequence number: events, and the order of commitment_signed and revoke_and_ack, share one counter. */
export function nextSeq(state: LnState): number {
  return ++state.mgr.nextEventSeq;
}

/** The manager changed: the next background pass persists it. */
export function markDirty(node: LnNode): void {
  node.state.dirty = true;
  scheduleBackground(node);
}

/** Arm the background processor once; each pass waits a delay plus a drawn jitter (a slow application). */
export function scheduleBackground(node: LnNode): void {
  if (!node.state.backgroundScheduled) {
    node.state.backgroundScheduled = true;
    node.env.setTimer(backgroundPassDelay(node.env, node.params), 'background');
  }
}

/** Persist the manager; `handled`: the events this write records as handled. */
export function writeManager(node: LnNode, handled: number[]): void {
  const n = ++node.state.managerWriteCount;
  const tag = `mgr/${n}`;
  node.state.managerWrites.push({ n, handled });
  if (node.env.disk.write(MANAGER_KEY, node.state.mgr, { tag }) === 'durable') managerDurable(node.state, tag);
}

/** A manager write is durable: the events it records as handled will not replay. */
export function managerDurable(state: LnState, tag: string): void {
  // Writes to one key complete in order, so every earlier write is durable too.
  const n = Number(tag.slice(tag.indexOf('/') + 1));
  state.managerDurableUpTo = Math.max(state.managerDurableUpTo, n);
  let done = 0;
  while (done < state.managerWrites.length && state.managerWrites[done].n <= n) state.durablyHandled.push(...state.managerWrites[done++].handled);
  if (done > 0) state.managerWrites.splice(0, done);
}
