// Boot and restart reconciliation (DESIGN 5.1): load the manager and the monitors, rewrite each monitor in a new
// epoch, then reconcile: a monitor ahead closes the channel, in-flight updates replay, a monitor behind with no
// record to replay makes the node refuse to start.
import type { NodeEnv } from '../../../sim/node.ts';
import { thawCopy } from '../../../sim/values.ts';
import { archivedChannels } from '../archive.ts';
import * as chan from '../channel.ts';
import { loadMonitor, monitorChannels, monitorKey, nextEpoch, updateRecord } from '../monitor.ts';
import { commitmentTxid } from '../onchain.ts';
import * as open from '../open.ts';
import { type Channel, type Manager, type Monitor, type MonitorUpdate, restoredManager } from '../types.ts';
import { removeLiveMonitor, settleArchivedChannel } from './archiving.ts';
import { closeChannel, markCoopClosed, watch } from './closing.ts';
import { completionActions } from './completion.ts';
import { restoreCloses } from './cooperative-close.ts';
import { markDirty, pushEvent, writeManager } from './manager.ts';
import { bootSnapshotDone, deferToStartup, monitorSnapshot } from './monitor-updates.ts';
import { replayPreimages } from './payments.ts';
import { pump } from './pump.ts';
import { channelOf, emptyManager, type LnNode, type LnNodeConfig, type LnState, MANAGER_KEY, monitorOf, nodeContext } from './state.ts';
import { append } from '../packed.ts';

/**
 * A (re)start: load what is on disk, rewrite the monitors in a new epoch, reconcile, replay, and checkpoint the manager.
 * In steps of their own (loadState, rewriteMonitors, reconcile, resume): boot runs once per (re)start yet gets hot, and
 * a step whose cold branch is met late is compiled again alone, not with all of boot inlined.
 */
export function boot(config: LnNodeConfig, env: NodeEnv): Booted {
  const state = loadState(env);
  const node = nodeContext(config, state, env);
  restoreCloses(node);
  // A restart is a disconnect: the peer will resend whatever no commitment covered.
  for (const ch of state.mgr.channels) if (ch.status === 'open') chan.onDisconnect(ch);
  rewriteMonitors(node);
  reconcile(node);
  if (node.state.refused) return { state, settled: false };
  return { state, settled: resume(node) };
}

/** A booted node's state; `settled`: its last pump moved nothing (as a callback's, see behaviour.ts). */
export interface Booted {
  readonly state: LnState;
  readonly settled: boolean;
}

/** The manager and the live monitors as on disk, in a fresh state. */
function loadState(env: NodeEnv): LnState {
  // The disk keeps what was written as frozen values: memory is a working copy of them.
  const stored = env.disk.readValue(MANAGER_KEY) as Manager | undefined;
  // Rebuilt as records (types.ts), so what boot read has the shapes of what the node builds at runtime.
  const mgr: Manager = stored === undefined ? emptyManager() : restoredManager(thawCopy(stored));
  const archived = archivedChannels((p) => env.disk.keys(p));
  const monitors = loadMonitors(env, archived);
  return {
    id: env.id,
    mgr,
    monitors,
    outbox: {},
    reestablished: {},
    persisting: {},
    snapshotting: {},
    preimagesPersisting: {},
    knownPreimages: {},
    durableHolder: durableHolders(monitors),
    dirty: false,
    backgroundScheduled: false,
    startupUpdates: [],
    startupDone: false,
    durableEventFloor: mgr.nextEventSeq,
    durablyHandled: [],
    managerWrites: [],
    managerWriteCount: 0,
    fanOut: {},
    negotiations: [],
    archived,
    monitorEvents: {},
    managerDurableUpTo: 0,
    app: { holdEvents: false, decisions: {} },
    // Set later: present from the start, so the state keeps one shape.
    refused: undefined,
    claimingNow: undefined,
    quiet: undefined,
  };
}

/**
 * The live monitors on disk, once the live keys of archived channels (left over by a crash right after archiving)
 * are gone. Apart from loadState, which inlines what is small: the removal runs only once some channel is archived,
 * late in a run, and recompiles this, not the building of the state.
 */
function loadMonitors(env: NodeEnv, archived: readonly string[]): Monitor[] {
  for (const channel of archived) removeLiveMonitor(env, channel);
  const monitors: Monitor[] = [];
  for (const channel of monitorChannels((p) => env.disk.keys(p))) {
    const m = loadMonitor((k) => env.disk.readValue(k), (p) => env.disk.keys(p), channel);
    if (m) {
      monitors.push(m);
      env.trace('monitor-load', { channel, updateId: m.updateId });
    }
  }
  return monitors;
}

/**
 * Rewrite every loaded monitor whole, in a new epoch: updates stored after the old snapshot that were not loaded
 * (past a gap) belong to a history the crash cut off. Until the new snapshot is durable, nothing written in its epoch
 * counts, so the channel waits for it like for any monitor update.
 */
function rewriteMonitors(node: LnNode): void {
  for (const m of node.state.monitors) {
    m.epoch = nextEpoch(m, (k) => node.env.disk.readValue(k), (p) => node.env.disk.keys(p));
    (node.state.persisting[m.channel] ??= []).push(0);
    if (node.env.disk.write(monitorKey(m.channel), monitorSnapshot(node.bugs, m), { tag: `boot/${m.channel}/${m.epoch}` }) === 'durable') bootSnapshotDone(node, m.channel, m.epoch);
  }
}

/** After a reconciled boot: replay, settle, watch, pump, and checkpoint the manager. Whether the pump settled. */
function resume(node: LnNode): boolean {
  replayPreimages(node);
  for (const ch of node.state.mgr.channels) if (node.state.archived.includes(ch.id)) settleArchivedChannel(node, ch);
  completionActions(node);
  for (const m of node.state.monitors) watch(node, m);
  const settled = pump(node);
  markDirty(node);
  // The reconciled manager is checkpointed at once, on its own schedule rather than the background processor's:
  // it lands before the startup updates run, so what it records as in flight is all the next boot can replay.
  // (Nothing a pump reads but the blockers, which quietUntil reads as they are when a block comes.)
  writeManager(node, []);
  return settled;
}

/** Each loaded monitor's holder commitment, by channel (as Object.fromEntries over the monitors, without a map). */
function durableHolders(monitors: readonly Monitor[]): LnState['durableHolder'] {
  const out: LnState['durableHolder'] = {};
  for (const m of monitors) out[m.channel] = m.holderCommitment;
  return out;
}

/** DESIGN 5.1 restart rules: monitor ahead ⇒ close; in-flight ⇒ replay; behind without a record ⇒ refuse. */
export function reconcile(node: LnNode): void {
  const { mgr } = node.state;
  // Channels are closed only once every channel is reconciled: a close settles HTLCs on other channels.
  let stale: Channel[] = [];
  let coopClosed: Channel[] = [];
  for (const ch of [...mgr.channels]) {
    const verdict = reconcileChannel(node, ch);
    if (verdict === REFUSED) return;
    if (verdict === STALE) stale = append(stale, ch);
    else if (verdict === COOP_CLOSED) coopClosed = append(coopClosed, ch);
  }
  for (const ch of stale) closeChannel(node, ch, 'stale-manager');
  closeBroadcast(node);
  for (const ch of coopClosed) markCoopClosed(node, ch);
  closeOrphanMonitors(node);
}

/** What reconcileChannel found (numbers: one representation at every site that compares them). */
const SETTLED = 0;
const STALE = 1;
const COOP_CLOSED = 2;
const REFUSED = 3;

/** The restart rules for one channel; the caller closes stale and cooperatively closed channels once all are seen. */
function reconcileChannel(node: LnNode, ch: Channel): number {
  if (node.state.archived.includes(ch.id)) {
    closeArchived(node, ch);
    return SETTLED;
  }
  const m = monitorOf(node.state, ch.id);
  // ldk-1678: a channel whose first monitor write never completed is refused like one whose monitor was lost.
  if (!m && open.firstWriteNeverCompleted(ch) && !node.bugs.has('ldk-1678')) {
    dropUnmonitored(node, ch);
    return SETTLED;
  }
  if (!m) return refuse(node, `channel ${ch.id} has no monitor (manager at update ${ch.latestMonitorUpdateId})`);
  if (node.bugs.has('ldk-3021') && ch.blocked.length > 0 && m.updateId > ch.latestMonitorUpdateId) {
    // ldk-3021: held updates are released again, numbered after the stale manager, though the monitor has them.
    ch.inFlight = [];
    return SETTLED;
  }
  if (m.closingTx && ch.status === 'open') {
    // The close was signed and broadcast but the manager never recorded it: it is over, not stale.
    ch.latestMonitorUpdateId = m.updateId;
    ch.inFlight = [];
    ch.blocked = [];
    return COOP_CLOSED;
  }
  if (m.updateId > ch.latestMonitorUpdateId) return staleManager(node, ch, m);
  const replay = ch.inFlight.filter((u) => u.id > m.updateId);
  const contiguous = replay.every((u, i) => u.id === m.updateId + 1 + i) && (replay.length === 0 ? m.updateId === ch.latestMonitorUpdateId : replay[replay.length - 1].id === ch.latestMonitorUpdateId);
  if (!contiguous) return refuse(node, `monitor ${ch.id} at update ${m.updateId} is behind the manager (${ch.latestMonitorUpdateId}) with no in-flight record to replay`);
  // Updates the monitor already has completed before the crash; the rest are replayed, in order, before anything
  // new, by the first background pass (startup cannot touch the monitors).
  ch.inFlight = replay;
  for (const u of replay) deferToStartup(node, ch, u);
  return SETTLED;
}

/** Settled on-chain and buried: whatever a stale manager still holds for it is over (its HTLCs settle after replay). */
function closeArchived(node: LnNode, ch: Channel): void {
  if (ch.status === 'open') node.env.trace('archived-channel-closed', { channel: ch.id });
  ch.status = 'closed';
  ch.closeReason ??= 'archived';
  ch.inFlight = [];
  ch.blocked = [];
  ch.pendingInbound = [];
}

/** The monitor saw updates the manager never persisted: the channel state is stale; close on the monitor's state. */
function staleManager(node: LnNode, ch: Channel, m: Monitor): number {
  node.env.trace('stale-manager', { channel: ch.id, monitor: m.updateId, manager: ch.latestMonitorUpdateId });
  ch.latestMonitorUpdateId = m.updateId;
  ch.inFlight = [];
  ch.blocked = [];
  return ch.status === 'open' ? STALE : SETTLED;
}

function refuse(node: LnNode, reason: string): number {
  node.state.refused = reason;
  node.env.trace('refuse-start', { reason });
  return REFUSED;
}

/**
 * A commitment of ours already broadcast (before a crash lost the close) ends the channel: continuing would revoke a
 * state that may still confirm, and hand the peer a penalty.
 */
function closeBroadcast(node: LnNode): void {
  for (const ch of node.state.mgr.channels) {
    if (ch.status !== 'open') continue;
    const top = Math.max(ch.localCommit.number, monitorOf(node.state, ch.id)?.holderCommitment.number ?? 0) + 1;
    for (let n = top; n >= 0; n--) {
      if (!node.env.chain.inMempool(commitmentTxid(ch.id, node.state.id, n))) continue;
      node.env.trace('own-commitment-broadcast', { channel: ch.id, number: n });
      closeChannel(node, ch, 'already-broadcast');
      break;
    }
  }
}

function closeOrphanMonitors(node: LnNode): void {
  for (const m of node.state.monitors) {
    // (A new channel forgotten at boot above already queued its monitor's close.)
    if (!channelOf(node.state, m.channel) && !m.closed && !node.state.startupUpdates.some((q) => q.channel === m.channel)) {
      // A monitor the manager does not know: the channel is unusable; let the monitor close it on-chain.
      // Not recorded anywhere: a boot that finds the monitor still open regenerates it.
      const u = updateRecord({ kind: 'force-close' }, m.updateId + 1);
      node.env.trace('orphan-monitor', { channel: m.channel });
      node.state.startupUpdates.push({ channel: m.channel, update: u });
    }
  }
}

/**
 * Restart rule (rust-lightning #1678): the manager persisted a new channel while its monitor's first write was
 * still in progress, and that write was lost. Nothing left this node for it (no funding_signed, no funding
 * broadcast): drop it as if the peer had disconnected before funding_signed.
 */
export function dropUnmonitored(node: LnNode, ch: Channel): void {
  node.state.mgr.channels = node.state.mgr.channels.filter((c) => c !== ch);
  node.env.trace('channel-dropped', { channel: ch.id, role: ch.opening!.role, reason: 'first monitor write never completed' });
  pushEvent(node, { type: 'ChannelClosed', channel: ch.id, reason: 'disconnected-peer' });
}
