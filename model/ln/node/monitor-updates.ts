// ChannelMonitor updates: generated (or held behind blockers), deferred to the first background pass after boot,
// applied in memory and persisted (Completed now or InProgress), completed, and consolidated into snapshots.
import type { WriteStatus } from '../../../sim/disk.ts';
import type { NodeEnv } from '../../../sim/node.ts';
import { applyUpdate, monitorKey, type StoredUpdate, storedUpdate, updateKey, updatePrefix, updateRecord, updateTag } from '../monitor.ts';
import type { Channel, Monitor, MonitorUpdate, MonitorUpdateBody } from '../types.ts';
import { anyUnresolvedBlocker, describeBlocker, unresolvedBlockers } from './blockers.ts';
import { completionActions, openingMonitorDurable } from './completion.ts';
import { markDirty } from './manager.ts';
import { channelOf, type LnNode, monitorOf } from './state.ts';
import { append } from '../packed.ts';

/** Generate a monitor update; held if the channel has blocked updates or (a revocation) unresolved blockers. */
export function monitorUpdate(node: LnNode, ch: Channel, body: MonitorUpdateBody): MonitorUpdate | undefined {
  const holdable = body.kind !== 'preimage' && body.kind !== 'force-close' && body.kind !== 'cooperative-close';
  if (holdable && (ch.blocked.length > 0 || (body.kind === 'revocation' && anyUnresolvedBlocker(node.state, ch)))) {
    ch.blocked = append(ch.blocked, body);
    node.env.trace('monitor-update-held', { channel: ch.id, kind: body.kind, blockers: unresolvedBlockers(node.state, ch).map(describeBlocker) });
    markDirty(node);
    return undefined;
  }
  const m = monitorOf(node.state, ch.id)!;
  const u = updateRecord(body, ++ch.latestMonitorUpdateId);
  markDirty(node);
  if (!node.state.startupDone) {
    // Before the first background pass every update queues behind the startup replays.
    ch.inFlight = append(ch.inFlight, u);
    deferToStartup(node, ch, u);
    return u;
  }
  if (node.bugs.has('ldk-3414') && ch.status === 'closed' && body.kind === 'preimage') {
    // ldk-3414: an update to a closed channel's monitor is treated as complete at once.
    applyToMonitor(node.env, m, u);
    node.env.disk.write(updateKey(ch.id, u.id), storedUpdate(u, m.epoch), { tag: updateTag(ch.id, u.id) });
    return u;
  }
  ch.inFlight = append(ch.inFlight, u);
  persistUpdate(node, ch, m, u);
  return u;
}

/** Queue an in-flight update as a startup background event; it stays in the channel's in-flight record until durable. */
export function deferToStartup(node: LnNode, ch: Channel, u: MonitorUpdate): void {
  node.state.startupUpdates.push({ channel: ch.id, update: u });
  node.env.trace('monitor-update-deferred', { channel: ch.id, id: u.id, kind: u.kind });
  // ldk-4377: the update moves into the queue, out of the record a manager written before the queue runs keeps.
  if (node.bugs.has('ldk-4377')) ch.inFlight = ch.inFlight.filter((x) => x.id !== u.id);
}

export function applyToMonitor(env: NodeEnv, m: Monitor, u: MonitorUpdate): boolean {
  env.trace('monitor-update', u.kind === 'preimage' ? { channel: m.channel, id: u.id, kind: u.kind, hash: u.hash } : { channel: m.channel, id: u.id, kind: u.kind });
  const result = applyUpdate(m, u);
  if (result !== 'applied') {
    env.trace('monitor-refused', { channel: m.channel, id: u.id, error: result.error });
    return false;
  }
  return true;
}

/** Apply to the in-memory monitor and start its persist; a persist that completes at once is handled at once. */
export function persistUpdate(node: LnNode, ch: Channel, m: Monitor, u: MonitorUpdate): void {
  if (!applyToMonitor(node.env, m, u)) return;
  const pending = (node.state.persisting[ch.id] ??= []);
  pending.push(u.id);
  if (u.kind === 'preimage') {
    (node.state.preimagesPersisting[ch.id] ??= []).push({ id: u.id, hash: u.hash });
    node.state.knownPreimages[u.hash] = u.preimage;
  }
  if (storeUpdate(node.env, m, u, updateTag(ch.id, u.id)) === 'durable') persisted(node, ch.id, u.id);
}

/**
 * Store an applied update under its own key; a close is stored as the whole monitor instead (as LDK's update-logging
 * persister does), so a closed monitor never depends on an earlier update a crash may have lost: the commitment it
 * broadcasts, and the preimages it learned, load back with it.
 */
export function storeUpdate(env: NodeEnv, m: Monitor, u: MonitorUpdate, tag?: string): WriteStatus {
  const options = tag === undefined ? {} : { tag };
  if (u.kind === 'force-close') return env.disk.write(monitorKey(m.channel), m, options);
  return env.disk.write(updateKey(m.channel, u.id), storedUpdate(u, m.epoch), options);
}

/**
 * A monitor snapshot as stored. ln-secrets-not-persisted: the counterparty's revocation secrets stay out of the
 * snapshot (only the update log carries them), so a monitor reloaded from its snapshot forgets what was revoked.
 */
export function monitorSnapshot(bugs: ReadonlySet<string>, m: Monitor): Monitor {
  return bugs.has('ln-secrets-not-persisted') ? { ...m, revokedUpTo: -1 } : m;
}

/** A monitor update's persist completed. When nothing of the channel is still persisting, the channel learns it. */
export function persisted(node: LnNode, channel: string, id: number): void {
  const pending = node.state.persisting[channel] ?? [];
  const index = pending.indexOf(id);
  if (index < 0) return;
  pending.splice(index, 1);
  const preimages = node.state.preimagesPersisting[channel];
  // Most persists are not of a preimage: the list is left as it is (not copied) when it has no entry of this update.
  if (preimages && preimages.some((p) => p.id === id)) node.state.preimagesPersisting[channel] = preimages.filter((p) => p.id !== id);
  if (pending.length > 0) return;
  const m = monitorOf(node.state, channel)!;
  node.state.durableHolder[channel] = m.holderCommitment;
  monitorCompleted(node, channel, m.updateId);
  maybeSnapshot(node, m);
}

/** MonitorEvent::Completed: every update up to `id` is durable. */
export function monitorCompleted(node: LnNode, channel: string, id: number): void {
  const ch = channelOf(node.state, channel);
  if (!ch) return;
  node.env.trace('monitor-completed', { channel, id });
  // ldk-3113: resume by matching the completed id, not by "nothing in flight up to it".
  if (node.bugs.has('ldk-3113')) ch.inFlight = ch.inFlight.filter((u) => u.id !== id);
  else ch.inFlight = ch.inFlight.filter((u) => u.id > id);
  markDirty(node);
  if (ch.status === 'open') openingMonitorDurable(node, ch);
  completionActions(node);
}

export function maybeSnapshot(node: LnNode, m: Monitor): void {
  if (node.state.snapshotting[m.channel] !== undefined) return;
  const stored = node.env.disk.count(updatePrefix(m.channel));
  if (stored < node.params.consolidateAfter) return;
  node.state.snapshotting[m.channel] = m.updateId;
  const status = node.env.disk.write(monitorKey(m.channel), monitorSnapshot(node.bugs, m), { tag: `snap/${m.channel}/${m.updateId}` });
  if (status === 'durable') snapshotDone(node, m.channel, m.updateId);
}

/** The boot snapshot is durable: its epoch counts, and every update file of an older epoch can go. */
export function bootSnapshotDone(node: LnNode, channel: string, epoch: number): void {
  for (const key of node.env.disk.keys(updatePrefix(channel))) {
    const stored = node.env.disk.readValue(key) as StoredUpdate;
    if (stored.epoch < epoch) node.env.disk.delete(key);
  }
  persisted(node, channel, 0);
}

/** The snapshot is durable: the updates it covers can go. */
export function snapshotDone(node: LnNode, channel: string, id: number): void {
  delete node.state.snapshotting[channel];
  for (const key of node.env.disk.keys(updatePrefix(channel))) {
    if (Number(key.slice(key.lastIndexOf('/') + 1)) <= id) node.env.disk.delete(key);
  }
}

/** Drop resolved blockers; once none is left, release the held updates in order. */
export function releaseBlocked(node: LnNode): void {
  for (const ch of node.state.mgr.channels) {
    if (ch.blockers.length === 0 && ch.blocked.length === 0) continue;
    const left = unresolvedBlockers(node.state, ch);
    if (left.length !== ch.blockers.length) {
      ch.blockers = left;
      markDirty(node);
    }
    if (left.length > 0 || ch.blocked.length === 0) continue;
    const bodies = ch.blocked.splice(0);
    node.env.trace('monitor-update-released', { channel: ch.id, count: bodies.length });
    for (const body of bodies) monitorUpdate(node, ch, body);
  }
}
