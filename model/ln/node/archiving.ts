// Archiving fully resolved monitors: once every spend a closed monitor watched is buried and nothing about it is
// pending, the background processor moves it to the archive and settles what a stale manager still lists.
import type { NodeEnv } from '../../../sim/node.ts';
import { archiveKey, fullyResolved, settledDepth } from '../archive.ts';
import { type DurabilityView, effectDurable, type MonitorEvent, monitorEventKey, type ProcessedMonitorEvent } from '../monitor-events.ts';
import { monitorKey, updatePrefix } from '../monitor.ts';
import type { Channel, Monitor } from '../types.ts';
import { knownPreimage } from './closing.ts';
import { offeredResolved } from './forwarding.ts';
import { markDirty } from './manager.ts';
import { channelOf, type LnNode, type LnState, monitorOf } from './state.ts';
import { append } from '../packed.ts';

/** Closed monitors whose every watched spend is buried deep enough: the background processor may archive them. */
export function archiveDue(node: LnNode): boolean {
  const monitors = node.state.monitors;
  for (let i = 0; i < monitors.length; i++) {
    const m = monitors[i];
    if ((m.closed || m.closingTx !== undefined) && (settledDepth(m, node.env.chain) ?? 0) >= node.params.archiveDepth) return true;
  }
  return false;
}

/**
 * The first height at which archiveDue could ask for a background pass it has not asked for yet, with the chain's
 * transactions as they are now (every depth then grows by one a block); 0: now.
 */
export function archiveDueFrom(node: LnNode): number {
  const height = node.env.chain.height;
  let from = Infinity;
  for (const m of node.state.monitors) {
    if (!m.closed && m.closingTx === undefined) continue;
    const depth = settledDepth(m, node.env.chain);
    // Due already: a pass is scheduled (onBlock asked for it), and asking again does nothing until it runs.
    if ((depth ?? 0) >= node.params.archiveDepth) {
      if (!node.state.backgroundScheduled) return 0;
    } else if (depth !== undefined) from = Math.min(from, height + node.params.archiveDepth - depth);
  }
  return from;
}

/** Run by the background processor: archive every monitor that is fully resolved. */
export function archiveResolvedMonitors(node: LnNode): void {
  // The list as it is now (archiving replaces state.monitors, never changes this one in place).
  const monitors = node.state.monitors;
  for (let i = 0, n = monitors.length; i < n; i++) {
    const m = monitors[i];
    // An open monitor is never resolved (fullyResolved's first rule): most passes, every monitor.
    if (m.closed || m.closingTx !== undefined) archiveIfResolved(node, m);
  }
}

function archiveIfResolved(node: LnNode, m: Monitor): void {
  const ch = channelOf(node.state, m.channel);
  const resolved = fullyResolved(
    {
      closed: true,
      settledDepth: settledDepth(m, node.env.chain),
      writesPending: (node.state.persisting[m.channel] ?? []).length > 0 || node.state.snapshotting[m.channel] !== undefined || (ch !== undefined && (ch.inFlight.length > 0 || ch.blocked.length > 0)),
      // ldk-3450: monitor events whose effect is not yet durable are not looked at.
      pendingEvents: node.bugs.has('ldk-3450') ? 0 : pendingMonitorEvents(node.state, m.channel).length,
    },
    node.params.archiveDepth,
  );
  if (resolved) archiveMonitor(node, m);
}

/** Stop watching the monitor and move it to the archive; its live keys go once the archive record is durable. */
export function archiveMonitor(node: LnNode, m: Monitor): void {
  node.env.trace('monitor-archived', { channel: m.channel, updateId: m.updateId, pendingEvents: pendingMonitorEvents(node.state, m.channel).map((p) => describeMonitorEvent(p.event)) });
  node.state.monitors = node.state.monitors.filter((x) => x !== m);
  node.state.archived = append(node.state.archived, m.channel);
  // Emptied, not deleted: a delete turns the per-channel record into a dictionary (costly, and every later access with it);
  // nothing lists its keys, and every reader takes undefined as none.
  node.state.monitorEvents[m.channel] = undefined;
  const ch = channelOf(node.state, m.channel);
  if (ch) settleArchivedChannel(node, ch);
  if (node.env.disk.write(archiveKey(m.channel), m, { tag: `arch/${m.channel}` }) === 'durable') removeLiveMonitor(node.env, m.channel);
}

/** An archived channel carries nothing any more: HTLCs a stale manager still lists settle as if absent from the chain. */
export function settleArchivedChannel(node: LnNode, ch: Channel): void {
  for (const h of ch.htlcs) {
    if (!h.offered) continue;
    const preimage = h.removal?.kind === 'fulfill' ? h.removal.preimage : knownPreimage(node.state, h.hash);
    offeredResolved(node, ch, h, preimage !== undefined ? { kind: 'fulfill', preimage } : { kind: 'fail', code: 'archived' });
  }
  if (ch.htlcs.length > 0 || ch.blockers.length > 0) {
    ch.htlcs = [];
    ch.blockers = [];
    markDirty(node);
  }
}

export function pendingMonitorEvents(state: LnState, channel: string): readonly ProcessedMonitorEvent[] {
  // Asked of every closed monitor at every archive check; most have processed no event.
  const processed = state.monitorEvents[channel];
  if (processed === undefined || processed.length === 0) return NO_EVENTS;
  const view = new StateDurability(state);
  const pending: ProcessedMonitorEvent[] = [];
  for (let i = 0; i < processed.length; i++) if (!effectDurable(processed[i], view)) pending.push(processed[i]);
  return pending;
}

const NO_EVENTS: readonly ProcessedMonitorEvent[] = [];

/** What the node knows to be durable, read from its state (a class: no closure made per question). */
class StateDurability implements DurabilityView {
  readonly managerDurableUpTo: number;
  private readonly state: LnState;

  constructor(state: LnState) {
    this.managerDurableUpTo = state.managerDurableUpTo;
    this.state = state;
  }

  upstreamHolds(up: string, hash: string): boolean {
    const state = this.state;
    if (state.archived.includes(up)) return true;
    const m = monitorOf(state, up);
    return m?.preimages[hash] !== undefined && (state.persisting[up] ?? []).length === 0;
  }
}

export function describeMonitorEvent(e: MonitorEvent): string {
  return e.kind === 'offered-settled' ? `${monitorEventKey(e)} ${e.outcome.kind}` : monitorEventKey(e);
}

/** Delete a monitor's live snapshot and stored updates: the archive record has replaced them. */
export function removeLiveMonitor(env: NodeEnv, channel: string): void {
  if (env.disk.readValue(monitorKey(channel)) !== undefined) env.disk.delete(monitorKey(channel));
  for (const key of env.disk.keys(updatePrefix(channel))) env.disk.delete(key);
}
