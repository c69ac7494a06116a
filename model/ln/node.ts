// An LDK-style Lightning node: a ChannelManager persisted as one blob by a
// background processor, a ChannelMonitor per channel persisted update by
// update (each persist may complete now or later: Completed / InProgress),
// channel messages held while any monitor update of the channel is in flight,
// RAA-blocking actions, forwarding and multi-part payments, restart that
// reconciles the manager with the monitors, and events delivered at least
// once to an application that claims what it can.
import type { Block } from '../../sim/chain.ts';
import type { WriteStatus } from '../../sim/disk.ts';
import type { Message, NodeBehaviour, NodeEnv } from '../../sim/node.ts';
import * as chan from './channel.ts';
import { commitmentTotal, ProtocolError } from './channel.ts';
import * as close from './close.ts';
import { FANOUT_DELAY, newFanOut, nextFromFanOut, subsystemOf, type FanOut } from './dispatch.ts';
import { archivedChannels, archiveKey, fullyResolved, settledDepth } from './archive.ts';
import { applyUpdate, loadMonitor, monitorChannels, monitorKey, monitorsCarryForward, nextEpoch, UPDATE_PREFIX, updateKey, watchChain, type StoredUpdate } from './monitor.ts';
import { chainEvents, cooperativeEvents, effectDurable, monitorEventKey, type MonitorEvent, type ProcessedMonitorEvent } from './monitor-events.ts';
import { commitmentTxid } from './onchain.ts';
import * as open from './open.ts';
import { hashOf, preimageFor } from './payments.ts';
import { findPaths, planOnion, type FeePolicy, type GraphChannel } from './routing.ts';
import type { Blocker, Channel, Commitment, ClaimablePayment, Htlc, HtlcSource, LnEvent, Manager, Monitor, MonitorUpdate, MonitorUpdateBody, OutboundPayment, Removal } from './types.ts';

export const MANAGER_KEY = 'manager';

/** Protocol timing of a node, in blocks, and its background processor's pace. */
export interface LnParams extends open.OpeningParams {
  /** CLTV delta a sender gives the final hop over the current height. */
  readonly cltvDelta: number;
  /** CLTV delta each forwarding hop adds. */
  readonly forwardDelta: number;
  /** A receiver fails back an unclaimed HTLC this many blocks before its expiry; a forwarder refuses to forward this close to it. */
  readonly failBackBefore: number;
  /** A receiver that revealed the preimage goes on-chain this many blocks before expiry if the peer has not settled. */
  readonly claimOnChainBefore: number;
  /** An offerer force-closes this many blocks before expiry of an HTLC the peer has not settled. */
  readonly timeoutBefore: number;
  /** Ticks between a manager change and the background processor handling events and persisting. */
  readonly backgroundDelay: number;
  /** Up to this many more ticks, drawn per pass: the application is sometimes slow to handle events. */
  readonly backgroundJitter: number;
  /** Stored monitor updates before the monitor is rewritten as one snapshot. */
  readonly consolidateAfter: number;
  /** Chance in 1/10 that the application refuses a claimable payment (an expired invoice, say). */
  readonly refuseOneIn: number;
  /**
   * Confirmations every spend a closed channel's monitor watched must have before the monitor is archived (LDK waits
   * about 4032 blocks; our runs last about 130, and the chain never reorganizes).
   */
  readonly archiveDepth: number;
}

// Margins exceed the largest block burst (6) plus a restart, as LDK's CLTV_CLAIM_BUFFER exceeds a typical outage.
export const DEFAULT_PARAMS: LnParams = {
  cltvDelta: 36,
  forwardDelta: 28,
  failBackBefore: 16,
  claimOnChainBefore: 12,
  timeoutBefore: 2,
  backgroundDelay: 3,
  backgroundJitter: 40,
  consolidateAfter: 8,
  refuseOneIn: 10,
  fundingDepth: 3,
  // Long enough that a fundee seldom gives up on a funder whose first write is merely stalled; if it does, the funder's
  // channel_ready meets an error and it force-closes the funded channel, its funds safe in its monitor.
  fundingTimeout: 48,
  negotiationTimeout: 6,
  archiveDepth: 6,
};

export interface LnNodeConfig {
  readonly bugs: ReadonlySet<string>;
  readonly params: LnParams;
  /** The public channel graph senders route over. */
  readonly graph: readonly GraphChannel[];
  readonly fees: FeePolicy;
  /** Trace `recv` and `apply` for every channel message (what per-channel-order judges); off keeps older traces unchanged. */
  readonly traceDispatch?: boolean;
}

/** Memory of a running node. `mgr` is what gets persisted; the rest is rebuilt at boot. */
export interface LnState {
  readonly id: string;
  mgr: Manager;
  /** In-memory monitors: every update applied, durable or not. */
  monitors: Monitor[];
  /** Per channel, messages held until no monitor update is in flight. */
  outbox: Record<string, Message[]>;
  /** Per channel, whether the peer's channel_reestablish arrived since the last connect. */
  reestablished: Record<string, boolean>;
  /** Per channel, monitor update ids whose persist is still in progress (the ChainMonitor's view). */
  persisting: Record<string, number[]>;
  /** Per channel, the id covered by a snapshot write in progress. */
  snapshotting: Record<string, number>;
  /**
   * Per channel, the holder commitment of the monitor as it would load after a crash (the last state with every
   * update durable). A crash can bring it back, so its HTLCs count for the expiry rules too.
   */
  durableHolder: Record<string, Commitment>;
  /** Every preimage this incarnation handed a monitor, never pruned: the expiry rules need them while a crash could still bring back a commitment carrying their HTLC. */
  knownPreimages: Record<string, string>;
  /** Per channel, preimage updates not yet durable: their preimages stay off-chain until they are. */
  preimagesPersisting: Record<string, { id: number; hash: string }[]>;
  dirty: boolean;
  backgroundScheduled: boolean;
  /**
   * Monitor updates owed since boot (in-flight replays, and every update generated before the first background pass),
   * in order: startup may not touch the monitors, so they wait here as background events. Each stays in its channel's
   * in-flight record meanwhile, so a manager written in this window still owes it to the next boot.
   */
  startupUpdates: StartupUpdate[];
  /** The first background pass after boot ran the startup updates: from now on updates go straight to the monitors. */
  startupDone: boolean;
  /** Set when the node found its state unusable at boot: it stays inert. */
  refused?: string;
  /** The hash whose parts are being claimed right now: PaymentClaimed waits until every part's update exists. */
  claimingNow?: string;
  /** Events with a seq up to this were handled in a manager write that was durable at boot. */
  durableEventFloor: number;
  /** Events handled since boot whose handling a durable manager write records. */
  durablyHandled: number[];
  /** Manager writes in progress: the events each one records as handled. */
  managerWrites: Record<string, number[]>;
  managerWriteCount: number;
  /** lnd-8393 only: per channel, the subsystem queues messages wait in. */
  fanOut: Record<string, FanOut>;
  /** Channel openings before our monitor exists (never persisted: a restart forgets them, as LDK does unfunded channels). */
  negotiations: open.Negotiation[];
  /** Channels whose monitor is archived (fully resolved): no longer loaded nor watched. */
  archived: string[];
  /** Per channel, the monitor events the manager processed in this incarnation (pending until their effect is durable). */
  monitorEvents: Record<string, ProcessedMonitorEvent[]>;
  /** Highest manager write of this incarnation known durable (0: none yet). */
  managerDurableUpTo: number;
}

/** A monitor update waiting for the first background pass after boot. `channel` may have no manager channel (an orphan monitor's close). */
export interface StartupUpdate {
  readonly channel: string;
  readonly update: MonitorUpdate;
}

export interface PayCommand {
  readonly type: 'pay';
  readonly to: string;
  readonly amount: number;
  readonly paymentId: string;
  /** Split into this many parts over distinct paths where possible (MPP). */
  readonly parts?: number;
}
/** What every step of the node works on: its configuration, its memory, and the environment of the current callback. */
export interface LnNode {
  readonly config: LnNodeConfig;
  readonly bugs: ReadonlySet<string>;
  readonly params: LnParams;
  readonly state: LnState;
  readonly env: NodeEnv;
}

export function nodeContext(config: LnNodeConfig, state: LnState, env: NodeEnv): LnNode {
  return { config, bugs: config.bugs, params: config.params, state, env };
}

export function makeLnNode(config: LnNodeConfig): NodeBehaviour<LnState> {
  return {
    boot: (env) => boot(config, env),
    onMessage(state, env, from, message) {
      onMessage(nodeContext(config, state, env), from, message);
    },
    onDurable(state, env, tag) {
      if (state.refused) return;
      const node = nodeContext(config, state, env);
      const [kind, channel, idText] = tag.split('/');
      if (kind === 'mon') persisted(node, channel, Number(idText));
      else if (kind === 'snap') snapshotDone(node, channel, Number(idText));
      else if (kind === 'boot') bootSnapshotDone(node, channel, Number(idText));
      else if (kind === 'mgr') managerDurable(state, tag);
      else if (kind === 'shut') closeIntentDurable(state, channel);
      else if (kind === 'first') persisted(node, channel, 0);
      else if (kind === 'arch') removeLiveMonitor(env, channel);
      pump(node);
    },
    onTimer(state, env, tag, data) {
      if (state.refused) return;
      const node = nodeContext(config, state, env);
      if (tag === 'background') background(node);
      else if (tag === 'dispatch') drainFanOut(node, data as string);
    },
    onBlock(state, env, _block: Block) {
      if (state.refused) return;
      const node = nodeContext(config, state, env);
      for (const m of [...state.monitors]) watch(node, m);
      checkExpiries(node);
      openingBlock(node);
      if (archiveDue(node)) scheduleBackground(node);
      pump(node);
    },
    onConnect(state, env, peer) {
      if (state.refused) return;
      for (const ch of state.mgr.channels) {
        if (ch.peer !== peer || ch.status !== 'open') continue;
        state.reestablished[ch.id] = false;
        state.outbox[ch.id] = [];
        env.send(peer, chan.reestablishMessage(ch));
      }
    },
    onDisconnect(state, env, peer) {
      const node = nodeContext(config, state, env);
      // Openings without a monitor die with the connection (LDK drops unfunded channels on disconnect).
      for (const n of state.negotiations.filter((x) => x.peer === peer)) abandonNegotiation(node, n, 'disconnected');
      for (const ch of state.mgr.channels) {
        if (ch.peer !== peer) continue;
        state.reestablished[ch.id] = false;
        state.outbox[ch.id] = [];
        delete state.fanOut[ch.id];
        if (ch.close) close.resetConnection(ch.close);
        if (ch.status === 'open') chan.onDisconnect(ch);
      }
    },
    onCommand(state, env, command) {
      if (state.refused) return;
      const node = nodeContext(config, state, env);
      const c = command as { type: string; [k: string]: unknown };
      if (c.type === 'pay') pay(node, c as unknown as PayCommand);
      else if (c.type === 'open') startOpen(node, c as unknown as open.OpenCommand);
      else if (c.type === 'force-close') {
        const ch = channelOf(state, c.channel as string);
        if (ch) closeChannel(node, ch, 'requested');
      } else if (c.type === 'close') {
        const ch = channelOf(state, c.channel as string);
        if (ch?.status === 'open') intendToClose(node, ch);
      }
      pump(node);
    },
    faultActions(state) {
      if (state.refused) return [];
      const usable = state.mgr.channels.filter((ch) => ch.status === 'open' && open.usable(ch));
      return [
        ...usable.map((ch) => ({ kind: 'force-close', label: `${state.id} force-closes ${ch.id}`, command: { type: 'force-close', channel: ch.id } })),
        // The same, aimed at the moments that matter: HTLCs in flight end up settled on-chain.
        ...usable.filter((ch) => ch.htlcs.length > 0).map((ch) => ({ kind: 'force-close-inflight', label: `${state.id} force-closes ${ch.id} with ${ch.htlcs.length} HTLC(s) in flight`, command: { type: 'force-close', channel: ch.id } })),
      ];
    },
    snapshot(state) {
      return {
        refused: state.refused,
        channels: state.mgr.channels.map((ch) => ({
          id: ch.id,
          peer: ch.peer,
          status: ch.status,
          closeReason: ch.closeReason,
          local: `#${ch.localCommit.number} ${ch.localCommit.toHolder}/${ch.localCommit.toCounterparty}`,
          remote: `#${ch.remoteCommit.number} ${ch.remoteCommit.toHolder}/${ch.remoteCommit.toCounterparty}`,
          awaitingRevoke: ch.awaitingRevoke,
          htlcs: ch.htlcs.map((h) => `${h.offered ? 'out' : 'in'}#${h.id} ${h.amount} ${h.state}${h.removal ? ' ' + h.removal.kind : ''}`),
          monitorUpdate: ch.latestMonitorUpdateId,
          inFlight: ch.inFlight.map((u) => `${u.id}:${u.kind}`),
          blocked: ch.blocked.map((b) => b.kind),
          blockers: ch.blockers.map(describeBlocker),
          held: (state.outbox[ch.id] ?? []).map((m) => m.type),
          reestablished: state.reestablished[ch.id] ?? false,
          ...(ch.close ? { close: { ...ch.close } } : {}),
          ...(ch.opening ? { opening: { role: ch.opening.role, stage: ch.opening.stage, readySent: ch.opening.readySent, peerReady: ch.opening.peerReady } } : {}),
        })),
        ...(state.negotiations.length > 0 ? { negotiations: state.negotiations.map((n) => `${n.channel} ${n.role} ${n.stage} with ${n.peer}`) } : {}),
        archived: state.archived,
        monitors: state.monitors.map((m) => ({ channel: m.channel, updateId: m.updateId, holder: m.holderCommitment.number, closed: m.closed, preimages: Object.keys(m.preimages).length, persisting: state.persisting[m.channel] ?? [] })),
        outbound: state.mgr.outbound.map((p) => `${p.paymentId} ${p.amount}→${p.destination} ${p.status}`),
        claimable: state.mgr.claimable.map((p) => `${p.paymentId} ${p.status} parts=${p.parts.length}`),
        events: state.mgr.events.map((e) => e.event.type),
        startupUpdates: state.startupUpdates.map((e) => `${e.channel} ${e.update.id}:${e.update.kind}`),
      };
    },
  };
}

// ---- boot and restart reconciliation --------------------------------------

export function boot(config: LnNodeConfig, env: NodeEnv): LnState {
  const text = env.disk.read(MANAGER_KEY);
  const mgr: Manager = text === undefined ? emptyManager() : JSON.parse(text);
  const monitors: Monitor[] = [];
  const archived = archivedChannels((p) => env.disk.keys(p));
  for (const channel of archived) removeLiveMonitor(env, channel); // left over by a crash right after archiving
  for (const channel of monitorChannels((p) => env.disk.keys(p))) {
    const m = loadMonitor((k) => env.disk.read(k), (p) => env.disk.keys(p), channel);
    if (m) {
      monitors.push(m);
      env.trace('monitor-load', { channel, updateId: m.updateId });
    }
  }
  const state: LnState = {
    id: env.id,
    mgr,
    monitors,
    outbox: {},
    reestablished: {},
    persisting: {},
    snapshotting: {},
    preimagesPersisting: {},
    knownPreimages: {},
    durableHolder: Object.fromEntries(monitors.map((m) => [m.channel, m.holderCommitment])),
    dirty: false,
    backgroundScheduled: false,
    startupUpdates: [],
    startupDone: false,
    durableEventFloor: mgr.nextEventSeq,
    durablyHandled: [],
    managerWrites: {},
    managerWriteCount: 0,
    fanOut: {},
    negotiations: [],
    archived,
    monitorEvents: {},
    managerDurableUpTo: 0,
  };
  const node = nodeContext(config, state, env);
  restoreCloses(node);
  // A restart is a disconnect: the peer will resend whatever no commitment covered.
  for (const ch of mgr.channels) if (ch.status === 'open') chan.onDisconnect(ch);
  // Rewrite every loaded monitor whole, in a new epoch: updates stored after the old snapshot that were
  // not loaded (past a gap) belong to a history the crash cut off. Until the new snapshot is durable,
  // nothing written in its epoch counts, so the channel waits for it like for any monitor update.
  for (const m of monitors) {
    m.epoch = nextEpoch(m, (k) => node.env.disk.read(k), (p) => node.env.disk.keys(p));
    (node.state.persisting[m.channel] ??= []).push(0);
    if (node.env.disk.write(monitorKey(m.channel), JSON.stringify(m), { tag: `boot/${m.channel}/${m.epoch}` }) === 'durable') bootSnapshotDone(node, m.channel, m.epoch);
  }
  reconcile(node);
  if (node.state.refused) return state;
  replayPreimages(node);
  for (const ch of mgr.channels) if (node.state.archived.includes(ch.id)) settleArchivedChannel(node, ch);
  completionActions(node);
  for (const m of node.state.monitors) watch(node, m);
  pump(node);
  markDirty(node);
  // The reconciled manager is checkpointed at once, on its own schedule rather than the background processor's:
  // it lands before the startup updates run, so what it records as in flight is all the next boot can replay.
  writeManager(node, []);
  return state;
}

/** DESIGN 5.1 restart rules: monitor ahead ⇒ close; in-flight ⇒ replay; behind without a record ⇒ refuse. */
export function reconcile(node: LnNode): void {
  const { mgr } = node.state;
  // Channels are closed only once every channel is reconciled: a close settles HTLCs on other channels.
  const stale: Channel[] = [];
  const coopClosed: Channel[] = [];
  for (const ch of [...mgr.channels]) {
    if (node.state.archived.includes(ch.id)) {
      // Settled on-chain and buried: whatever a stale manager still holds for it is over (its HTLCs settle after replay).
      if (ch.status === 'open') node.env.trace('archived-channel-closed', { channel: ch.id });
      ch.status = 'closed';
      ch.closeReason ??= 'archived';
      ch.inFlight = [];
      ch.blocked = [];
      ch.pendingInbound = [];
      continue;
    }
    const m = monitorOf(node.state, ch.id);
    // ldk-1678: a channel whose first monitor write never completed is refused like one whose monitor was lost.
    if (!m && open.firstWriteNeverCompleted(ch) && !node.bugs.has('ldk-1678')) {
      dropUnmonitored(node, ch);
      continue;
    }
    if (!m) {
      node.state.refused = `channel ${ch.id} has no monitor (manager at update ${ch.latestMonitorUpdateId})`;
      node.env.trace('refuse-start', { reason: node.state.refused });
      return;
    }
    if (node.bugs.has('ldk-3021') && ch.blocked.length > 0 && m.updateId > ch.latestMonitorUpdateId) {
      // ldk-3021: held updates are released again, numbered after the stale manager, though the monitor has them.
      ch.inFlight = [];
      continue;
    }
    if (m.closingTx && ch.status === 'open') {
      // The close was signed and broadcast but the manager never recorded it: it is over, not stale.
      ch.latestMonitorUpdateId = m.updateId;
      ch.inFlight = [];
      ch.blocked = [];
      coopClosed.push(ch);
      continue;
    }
    if (m.updateId > ch.latestMonitorUpdateId) {
      // The monitor saw updates the manager never persisted: the channel node.state is stale; close on the monitor's node.state.
      node.env.trace('stale-manager', { channel: ch.id, monitor: m.updateId, manager: ch.latestMonitorUpdateId });
      ch.latestMonitorUpdateId = m.updateId;
      ch.inFlight = [];
      ch.blocked = [];
      if (ch.status === 'open') stale.push(ch);
      continue;
    }
    const replay = ch.inFlight.filter((u) => u.id > m.updateId);
    const contiguous = replay.every((u, i) => u.id === m.updateId + 1 + i) && (replay.length === 0 ? m.updateId === ch.latestMonitorUpdateId : replay[replay.length - 1].id === ch.latestMonitorUpdateId);
    if (!contiguous) {
      node.state.refused = `monitor ${ch.id} at update ${m.updateId} is behind the manager (${ch.latestMonitorUpdateId}) with no in-flight record to replay`;
      node.env.trace('refuse-start', { reason: node.state.refused });
      return;
    }
    // Updates the monitor already has completed before the crash; the rest are replayed, in order, before anything
    // new, by the first background pass (startup cannot touch the monitors).
    ch.inFlight = replay;
    for (const u of replay) deferToStartup(node, ch, u);
  }
  for (const ch of stale) closeChannel(node, ch, 'stale-manager');
  // A commitment of ours already broadcast (before a crash lost the close) ends the channel: continuing would
  // revoke a node.state that may still confirm, and hand the peer a penalty.
  for (const ch of mgr.channels) {
    if (ch.status !== 'open') continue;
    const top = Math.max(ch.localCommit.number, monitorOf(node.state, ch.id)?.holderCommitment.number ?? 0) + 1;
    for (let n = top; n >= 0; n--) {
      if (!node.env.chain.inMempool(commitmentTxid(ch.id, node.state.id, n))) continue;
      node.env.trace('own-commitment-broadcast', { channel: ch.id, number: n });
      closeChannel(node, ch, 'already-broadcast');
      break;
    }
  }
  for (const ch of coopClosed) markCoopClosed(node, ch);
  for (const m of node.state.monitors) {
    // (A new channel forgotten at boot above already queued its monitor's close.)
    if (!channelOf(node.state, m.channel) && !m.closed && !node.state.startupUpdates.some((q) => q.channel === m.channel)) {
      // A monitor the manager does not know: the channel is unusable; let the monitor close it on-chain.
      // Not recorded anywhere: a boot that finds the monitor still open regenerates it.
      const u: MonitorUpdate = { kind: 'force-close', id: m.updateId + 1 };
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

/**
 * A preimage in any monitor is replayed: pending outbound payments succeed,
 * and the inbound HTLCs its claim was for (every MPP part, the upstream edge
 * of a forward) are claimed again; PaymentClaimed is regenerated from the
 * monitor's record of the claim even if the manager never heard of it.
 */
export function replayPreimages(node: LnNode): void {
  for (const m of [...node.state.monitors]) {
    for (const hash of Object.keys(m.preimages).sort()) {
      const preimage = m.preimages[hash];
      for (const p of node.state.mgr.outbound) if (p.hash === hash && p.status === 'pending') succeedPayment(node, p.paymentId, preimage);
      const record = m.claims[hash];
      const targets = node.bugs.has('ldk-same-hash')
        ? node.state.mgr.channels.flatMap((ch) => ch.htlcs.filter((h) => !h.offered && h.hash === hash).map((h) => ({ channel: ch.id, id: h.id })))
        : (record?.htlcs ?? []);
      const pending = targets.filter(({ channel, id }) => {
        const ch = channelOf(node.state, channel);
        const htlc = ch?.htlcs.find((h) => !h.offered && h.id === id);
        // Unclaimed in the manager, or on a closed channel whose monitor has not learned the preimage.
        return htlc ? htlc.removal === undefined : ch !== undefined && ch.status !== 'open' && monitorOf(node.state, channel)?.preimages[hash] === undefined;
      });
      const payment = record?.payment ?? finalHopPayment(node.state, targets);
      const claimed = node.state.mgr.claimable.find((c) => c.hash === hash);
      if (pending.length === 0 && (!payment || claimed?.status === 'claimed')) continue;
      node.env.trace('replay-claim', { hash, htlcs: pending.map((t) => `${t.channel}#${t.id}`) });
      reclaim(node, hash, preimage, targets, pending, payment);
    }
  }
}

/** The payment a set of inbound HTLCs belongs to, if we are its final hop and the manager knows them. */
export function finalHopPayment(state: LnState, targets: readonly { channel: string; id: number }[]): { paymentId: string; amount: number } | undefined {
  for (const t of targets) {
    const onion = channelOf(state, t.channel)?.htlcs.find((h) => !h.offered && h.id === t.id)?.onion;
    if (onion?.paymentId !== undefined) return { paymentId: onion.paymentId, amount: onion.totalAmount ?? 0 };
  }
  return undefined;
}

export function reclaim(node: LnNode, hash: string, preimage: string, targets: { channel: string; id: number }[], pending: { channel: string; id: number }[], payment: { paymentId: string; amount: number } | undefined): void {
  if (!payment) {
    // The upstream edge of a forward.
    for (const t of pending) claimInbound(node, t.channel, t.id, preimage, [], undefined, hash);
    return;
  }
  let p = node.state.mgr.claimable.find((c) => c.hash === hash);
  if (!p) {
    p = { hash, paymentId: payment.paymentId, totalAmount: payment.amount, parts: [], status: 'claiming', pendingPreimage: [] };
    node.state.mgr.claimable.push(p);
  }
  if (p.status === 'claimed' && pending.length === 0) return;
  p.status = 'claiming';
  for (const t of targets) {
    if (p.parts.some((x) => x.channel === t.channel && x.htlcId === t.id)) continue;
    const htlc = channelOf(node.state, t.channel)?.htlcs.find((h) => !h.offered && h.id === t.id);
    p.parts.push({ channel: t.channel, htlcId: t.id, amount: htlc?.amount ?? 0, cltv: htlc?.cltv ?? 0 });
  }
  node.state.claimingNow = hash;
  const claim = p.parts.map((x) => ({ channel: x.channel, id: x.htlcId }));
  for (const t of pending) claimInbound(node, t.channel, t.id, preimage, claim, p, hash);
  node.state.claimingNow = undefined;
  if (p.parts.length > 1) {
    for (const part of p.parts) addBlocker(node, channelOf(node.state, part.channel), { kind: 'mpp-claim', hash }, 'ldk-3120');
  }
  finishClaimIfDurable(node, p);
}

// ---- monitor updates ------------------------------------------------------

/** Generate a monitor update; held if the channel has blocked updates or (a revocation) unresolved blockers. */
export function monitorUpdate(node: LnNode, ch: Channel, body: MonitorUpdateBody): MonitorUpdate | undefined {
  const holdable = body.kind !== 'preimage' && body.kind !== 'force-close' && body.kind !== 'cooperative-close';
  if (holdable && (ch.blocked.length > 0 || (body.kind === 'revocation' && unresolvedBlockers(node.state, ch).length > 0))) {
    ch.blocked.push(body);
    node.env.trace('monitor-update-held', { channel: ch.id, kind: body.kind, blockers: unresolvedBlockers(node.state, ch).map(describeBlocker) });
    markDirty(node);
    return undefined;
  }
  const m = monitorOf(node.state, ch.id)!;
  const u = { ...body, id: ++ch.latestMonitorUpdateId } as MonitorUpdate;
  markDirty(node);
  if (!node.state.startupDone) {
    // Before the first background pass every update queues behind the startup replays.
    ch.inFlight.push(u);
    deferToStartup(node, ch, u);
    return u;
  }
  if (node.bugs.has('ldk-3414') && ch.status === 'closed' && body.kind === 'preimage') {
    // ldk-3414: an update to a closed channel's monitor is treated as complete at once.
    applyToMonitor(node.env, m, u);
    node.env.disk.write(updateKey(ch.id, u.id), JSON.stringify({ ...u, epoch: m.epoch }), { tag: `mon/${ch.id}/${u.id}` });
    return u;
  }
  ch.inFlight.push(u);
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

/** The first background pass: hand the monitors every update owed since boot, in order. */
export function runStartupUpdates(node: LnNode): void {
  node.state.startupDone = true;
  const touched: Monitor[] = [];
  for (const { channel, update } of node.state.startupUpdates.splice(0)) {
    const m = monitorOf(node.state, channel)!;
    const ch = channelOf(node.state, channel);
    if (ch) persistUpdate(node, ch, m, update);
    else if (applyToMonitor(node.env, m, update)) storeUpdate(node.env, m, update);
    if (!touched.includes(m)) touched.push(m);
  }
  // A close decided at boot broadcasts now that its monitor knows.
  for (const m of touched) watch(node, m);
}

export function applyToMonitor(env: NodeEnv, m: Monitor, u: MonitorUpdate): boolean {
  env.trace('monitor-update', { channel: m.channel, id: u.id, kind: u.kind });
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
  if (storeUpdate(node.env, m, u, `mon/${ch.id}/${u.id}`) === 'durable') persisted(node, ch.id, u.id);
}

/**
 * Store an applied update under its own key; a close is stored as the whole monitor instead (as LDK's update-logging
 * persister does), so a closed monitor never depends on an earlier update a crash may have lost: the commitment it
 * broadcasts, and the preimages it learned, load back with it.
 */
export function storeUpdate(env: NodeEnv, m: Monitor, u: MonitorUpdate, tag?: string): WriteStatus {
  const options = tag === undefined ? {} : { tag };
  if (u.kind === 'force-close') return env.disk.write(monitorKey(m.channel), JSON.stringify(m), options);
  return env.disk.write(updateKey(m.channel, u.id), JSON.stringify({ ...u, epoch: m.epoch }), options);
}

/** A monitor update's persist completed. When nothing of the channel is still persisting, the channel learns it. */
export function persisted(node: LnNode, channel: string, id: number): void {
  const pending = node.state.persisting[channel] ?? [];
  const index = pending.indexOf(id);
  if (index < 0) return;
  pending.splice(index, 1);
  const preimages = node.state.preimagesPersisting[channel];
  if (preimages) node.state.preimagesPersisting[channel] = preimages.filter((p) => p.id !== id);
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

/** What waits on durable updates: PaymentClaimed, PaymentForwarded. Also run at boot, for updates that completed before the crash. */
export function completionActions(node: LnNode): void {
  for (const p of node.state.mgr.claimable) finishClaimIfDurable(node, p);
  const ready = node.state.mgr.forwardsClaiming.filter((f) => !updateInFlight(node.state, f.channel, f.updateId));
  if (ready.length > 0) {
    node.state.mgr.forwardsClaiming = node.state.mgr.forwardsClaiming.filter((f) => !ready.includes(f));
    for (const f of ready) pushEvent(node, f.event);
  }
}

export function updateInFlight(state: LnState, channel: string, updateId: number): boolean {
  return channelOf(state, channel)?.inFlight.some((u) => u.id <= updateId) ?? false;
}

export function maybeSnapshot(node: LnNode, m: Monitor): void {
  if (node.state.snapshotting[m.channel] !== undefined) return;
  const stored = node.env.disk.keys(`monitor-update/${m.channel}/`).length;
  if (stored < node.params.consolidateAfter) return;
  node.state.snapshotting[m.channel] = m.updateId;
  const status = node.env.disk.write(monitorKey(m.channel), JSON.stringify(m), { tag: `snap/${m.channel}/${m.updateId}` });
  if (status === 'durable') snapshotDone(node, m.channel, m.updateId);
}

/** The boot snapshot is durable: its epoch counts, and every update file of an older epoch can go. */
export function bootSnapshotDone(node: LnNode, channel: string, epoch: number): void {
  for (const key of node.env.disk.keys(`monitor-update/${channel}/`)) {
    const stored = JSON.parse(node.env.disk.read(key)!) as StoredUpdate;
    if (stored.epoch < epoch) node.env.disk.delete(key);
  }
  persisted(node, channel, 0);
}

/** The snapshot is durable: the updates it covers can go. */
export function snapshotDone(node: LnNode, channel: string, id: number): void {
  delete node.state.snapshotting[channel];
  for (const key of node.env.disk.keys(`monitor-update/${channel}/`)) {
    if (Number(key.slice(key.lastIndexOf('/') + 1)) <= id) node.env.disk.delete(key);
  }
}

// ---- RAA-blocking actions -------------------------------------------------

/** Add a blocker unless the planted bug that forgets it is on. */
export function addBlocker(node: LnNode, ch: Channel | undefined, blocker: Blocker, skippedBy: string): void {
  if (!ch || node.bugs.has(skippedBy)) return;
  if (ch.blockers.some((b) => describeBlocker(b) === describeBlocker(blocker))) return;
  ch.blockers.push(blocker);
}

export function blockerResolved(state: LnState, b: Blocker): boolean {
  switch (b.kind) {
    case 'upstream-claim':
      return !updateInFlight(state, b.channel, b.updateId);
    case 'mpp-claim': {
      const p = state.mgr.claimable.find((c) => c.hash === b.hash);
      return p === undefined || p.pendingPreimage.length === 0;
    }
    case 'event':
      // Handled, and a durable manager write says so: a restart will not replay it.
      return !state.mgr.events.some((e) => e.seq === b.seq) && (b.seq <= state.durableEventFloor || state.durablyHandled.includes(b.seq));
  }
}

export function unresolvedBlockers(state: LnState, ch: Channel): Blocker[] {
  return ch.blockers.filter((b) => !blockerResolved(state, b));
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

// ---- channel IO -----------------------------------------------------------

export function io(node: LnNode, ch: Channel): chan.ChannelIO {
  return {
    queue: (message) => {
      if (node.bugs.has('ln-early-raa') && message.type === 'revoke_and_ack' && node.env.isConnected(ch.peer) && node.state.reestablished[ch.id]) {
        node.env.send(ch.peer, message);
        return;
      }
      (node.state.outbox[ch.id] ??= []).push(message);
    },
    monitorUpdate: (body) => {
      monitorUpdate(node, ch, body);
    },
    bugs: node.bugs,
  };
}

export function nextSeq(state: LnState): number {
  return ++state.mgr.nextEventSeq;
}

/** Nothing goes out while an update of the channel is owed, queued for startup, or persisting (the boot snapshot too). */
export function paused(state: LnState, ch: Channel): boolean {
  return ch.inFlight.length > 0 || ch.blocked.length > 0 || (state.persisting[ch.id] ?? []).length > 0 || state.startupUpdates.some((e) => e.channel === ch.id);
}

/** Release held messages, sign pending changes, handle inbound HTLCs: whatever the channels may do now. */
export function pump(node: LnNode): void {
  if (node.state.refused) return;
  for (let round = 0; round < 6; round++) {
    releaseBlocked(node);
    let progressed = false;
    for (const ch of node.state.mgr.channels) {
      if (ch.status !== 'open') continue;
      if (!paused(node.state, ch) && ch.pendingInbound.length > 0) {
        const ids = ch.pendingInbound;
        ch.pendingInbound = [];
        for (const id of ids) handleInbound(node, ch, id);
        progressed = true;
      }
      if (ch.status !== 'open' || !node.env.isConnected(ch.peer) || !node.state.reestablished[ch.id] || paused(node.state, ch)) continue;
      const outbox = node.state.outbox[ch.id];
      if (outbox && outbox.length > 0) {
        for (const message of outbox.splice(0)) node.env.send(ch.peer, message);
        progressed = true;
      }
      if (ch.opening && open.readyDue(ch, node.env.chain.confirmations(ch.funding.txid), node.params)) {
        sendReady(node, ch);
        progressed = true;
      }
      if (!ch.awaitingRevoke && chan.hasChangesToSign(ch)) {
        chan.signCommitment(ch, io(node, ch), nextSeq(node.state));
        traceCommitment(node.env, ch, 'remote');
        progressed = true;
      }
      if (closeStep(node, ch)) progressed = true;
    }
    if (!progressed) break;
  }
}

export function traceCommitment(env: NodeEnv, ch: Channel, side: 'local' | 'remote'): void {
  const c = side === 'local' ? ch.localCommit : ch.remoteCommit;
  env.trace('commitment', { channel: ch.id, side, number: c.number, total: commitmentTotal(c), capacity: ch.capacity });
}

// ---- inbound HTLCs: receive, forward, claim --------------------------------

export function handleInbound(node: LnNode, ch: Channel, htlcId: number): void {
  const htlc = ch.htlcs.find((h) => !h.offered && h.id === htlcId);
  if (!htlc || htlc.removal) return;
  const onion = htlc.onion;
  if (onion?.nextChannel !== undefined) return forward(node, ch, htlc);
  if (onion?.paymentId === undefined) return failInbound(node, ch, htlc, 'invalid_onion_payload');
  // BOLT 4: a final HTLC expiring too soon to be claimed safely is refused.
  if (htlc.cltv - node.env.chain.height <= node.params.failBackBefore) return failInbound(node, ch, htlc, 'incorrect_or_unknown_payment_details');
  let p = node.state.mgr.claimable.find((c) => c.hash === htlc.hash);
  if (!p) {
    p = { hash: htlc.hash, paymentId: onion.paymentId, totalAmount: onion.totalAmount ?? htlc.amount, parts: [], status: 'claimable', pendingPreimage: [] };
    node.state.mgr.claimable.push(p);
  }
  if (p.status === 'claiming' && p.paymentId === onion.paymentId) {
    // A late part of a payment being claimed: same payment, same preimage.
    p.parts.push({ channel: ch.id, htlcId: htlc.id, amount: htlc.amount, cltv: htlc.cltv });
    node.env.trace('claim', { hash: p.hash, paymentId: p.paymentId, amount: htlc.amount, htlcs: [`${ch.id}#${htlc.id}`], late: true });
    node.state.claimingNow = p.hash;
    claimInbound(node, ch.id, htlc.id, preimageFor(p.paymentId), p.parts.map((x) => ({ channel: x.channel, id: x.htlcId })), p);
    node.state.claimingNow = undefined;
    finishClaimIfDurable(node, p);
    return;
  }
  if (p.status !== 'claimable') {
    // The hash was already claimed (or refused): never reveal it for an HTLC the application did not see.
    failInbound(node, ch, htlc, 'incorrect_or_unknown_payment_details');
    return;
  }
  p.parts.push({ channel: ch.id, htlcId: htlc.id, amount: htlc.amount, cltv: htlc.cltv });
  const received = p.parts.reduce((s, x) => s + x.amount, 0);
  node.env.trace('htlc-received', { channel: ch.id, id: htlc.id, hash: htlc.hash, amount: htlc.amount, received, total: p.totalAmount });
  if (received >= p.totalAmount) pushEvent(node, { type: 'PaymentClaimable', hash: p.hash, paymentId: p.paymentId, amount: received });
  markDirty(node);
}

export function forward(node: LnNode, inbound: Channel, htlc: Htlc): void {
  // A stale manager may not remember a forward its monitors do: then it is on its way (or on-chain) already,
  // and failing it back upstream would pay downstream for nothing.
  if (monitorsCarryForward(node.state.monitors, inbound.id, htlc.id)) {
    node.env.trace('forward-known', { inbound: inbound.id, id: htlc.id });
    return;
  }
  const onion = htlc.onion!;
  const out = channelOf(node.state, onion.nextChannel!);
  const amount = onion.forwardAmount ?? 0;
  const cltv = onion.forwardCltv ?? 0;
  const reason = !out
    ? 'unknown_next_peer'
    : out.status !== 'open'
      ? 'unknown_next_peer'
      : !addsAllowed(node, out) || chan.spendable(out) < amount
        ? 'temporary_channel_failure'
        : amount > htlc.amount || cltv + node.params.forwardDelta > htlc.cltv || cltv - node.env.chain.height <= node.params.failBackBefore + node.params.timeoutBefore
          ? 'incorrect_cltv_or_amount'
          : undefined;
  if (reason !== undefined) {
    node.env.trace('forward-failed', { inbound: inbound.id, id: htlc.id, next: onion.nextChannel, reason });
    failInbound(node, inbound, htlc, reason);
    pushEvent(node, { type: 'HTLCHandlingFailed', channel: inbound.id, htlcId: htlc.id });
    return;
  }
  const source: HtlcSource = { kind: 'forward', channel: inbound.id, htlcId: htlc.id, amount: htlc.amount };
  const added = chan.addHtlc(out!, io(node, out!), { amount, hash: htlc.hash, cltv, onion: onion.rest!, source });
  node.env.trace('forward', { inbound: inbound.id, inId: htlc.id, outbound: out!.id, outId: added.id, amount, fee: htlc.amount - amount });
  markDirty(node);
}

export function failInbound(node: LnNode, ch: Channel, htlc: Htlc, code: string): void {
  if (ch.status === 'open' && chan.removeHtlc(ch, io(node, ch), htlc.id, { kind: 'fail', code })) {
    node.env.trace('htlc-fail', { channel: ch.id, id: htlc.id, code });
    markDirty(node);
  }
}

/**
 * Reveal a preimage for one inbound HTLC: the monitor learns it first (never
 * held back, even on a closed channel), then the peer gets update_fulfill.
 * `claim`: the inbound HTLCs of the whole claim, recorded in the monitor so a
 * restart replays exactly this claim.
 */
export function claimInbound(node: LnNode, channel: string, htlcId: number, preimage: string, claim: { channel: string; id: number }[], payment?: ClaimablePayment, knownHash?: string): MonitorUpdate | undefined {
  const ch = channelOf(node.state, channel);
  // An archived channel was settled on-chain long ago: nothing is left to claim there.
  if (!ch || node.state.archived.includes(channel)) return undefined;
  const htlc = ch.htlcs.find((h) => !h.offered && h.id === htlcId);
  const hash = htlc?.hash ?? knownHash;
  if (hash === undefined || htlc?.removal !== undefined) return undefined;
  if (ch.status === 'open' && !htlc) return undefined;
  // On a closed channel the monitor settles on-chain; it may know the HTLC though a stale manager does not.
  if (ch.status !== 'open' && monitorOf(node.state, channel)?.preimages[hash] !== undefined) return undefined;
  const u = monitorUpdate(node, ch, {
    kind: 'preimage',
    hash,
    preimage,
    htlcs: claim.length > 0 ? claim : [{ channel, id: htlcId }],
    ...(payment ? { payment: { paymentId: payment.paymentId, amount: payment.totalAmount } } : {}),
  });
  if (payment && u && ch.inFlight.some((x) => x.id === u.id)) payment.pendingPreimage.push({ channel: ch.id, id: u.id });
  if (ch.status === 'open') chan.removeHtlc(ch, io(node, ch), htlcId, { kind: 'fulfill', preimage });
  else if (htlc) htlc.removal = { kind: 'fulfill', preimage };
  markDirty(node);
  return u;
}

/** The application claims a claimable payment: reveal the preimage on every part. */
export function claim(node: LnNode, p: ClaimablePayment, preimage: string): void {
  if (p.status !== 'claimable') return;
  p.status = 'claiming';
  node.env.trace('claim', { hash: p.hash, paymentId: p.paymentId, amount: p.parts.reduce((s, x) => s + x.amount, 0), htlcs: p.parts.map((x) => `${x.channel}#${x.htlcId}`) });
  const all = p.parts.map((x) => ({ channel: x.channel, id: x.htlcId }));
  node.state.claimingNow = p.hash;
  for (const part of p.parts) claimInbound(node, part.channel, part.htlcId, preimage, all, p);
  node.state.claimingNow = undefined;
  if (p.parts.length > 1) for (const part of p.parts) addBlocker(node, channelOf(node.state, part.channel), { kind: 'mpp-claim', hash: p.hash }, 'ldk-3120');
  finishClaimIfDurable(node, p);
  markDirty(node);
}

/** PaymentClaimed once every part's preimage is durable; each part's channel then waits for it to be handled. */
export function finishClaimIfDurable(node: LnNode, p: ClaimablePayment): void {
  if (p.status !== 'claiming' || node.state.claimingNow === p.hash) return;
  p.pendingPreimage = p.pendingPreimage.filter((x) => updateInFlight(node.state, x.channel, x.id));
  if (p.pendingPreimage.length > 0) return;
  p.status = 'claimed';
  const seq = pushEvent(node, { type: 'PaymentClaimed', hash: p.hash, amount: p.parts.reduce((s, x) => s + x.amount, 0) });
  for (const part of p.parts) addBlocker(node, channelOf(node.state, part.channel), { kind: 'event', seq }, 'ldk-3988');
}

// ---- outbound payments ----------------------------------------------------

export function pay(node: LnNode, command: PayCommand): void {
  if (node.state.mgr.outbound.some((o) => o.paymentId === command.paymentId)) return;
  const preimage = preimageFor(command.paymentId);
  const hash = hashOf(preimage);
  const partCount = Math.max(1, command.parts ?? 1);
  const payment: OutboundPayment = { paymentId: command.paymentId, hash, amount: command.amount, destination: command.to, status: 'pending', pendingParts: partCount };
  node.state.mgr.outbound.push(payment);
  markDirty(node);
  const paths = findPaths(node.config.graph, node.env.id, command.to).filter((path) => {
    const first = channelOf(node.state, path[0]);
    return first?.status === 'open' && addsAllowed(node, first);
  });
  const finalCltv = node.env.chain.height + node.params.cltvDelta;
  const plans = [];
  const committed = new Map<string, number>();
  for (let i = 0; i < partCount && paths.length > 0; i++) {
    const amount = Math.floor(command.amount / partCount) + (i === 0 ? command.amount % partCount : 0);
    const path = paths[i % paths.length];
    const plan = planOnion(node.config.graph, node.env.id, path, amount, { paymentId: command.paymentId, totalAmount: command.amount }, finalCltv, node.params.forwardDelta, node.config.fees);
    committed.set(path[0], (committed.get(path[0]) ?? 0) + plan.amount);
    plans.push({ path, plan });
  }
  const feasible = plans.length === partCount && [...committed].every(([id, total]) => chan.spendable(channelOf(node.state, id)!) >= total);
  node.env.trace('pay', {
    paymentId: command.paymentId,
    to: command.to,
    amount: command.amount,
    parts: plans.map(({ path, plan }) => ({ path: path.join('>'), amount: plan.amount, fees: plan.fees })),
    route: feasible ? 'found' : 'none',
  });
  if (!feasible) {
    payment.pendingParts = 0;
    failPayment(node, payment);
    return;
  }
  plans.forEach(({ path, plan }, part) => {
    const ch = channelOf(node.state, path[0])!;
    chan.addHtlc(ch, io(node, ch), { amount: plan.amount, hash, cltv: plan.cltv, onion: plan.onion, source: { kind: 'payment', paymentId: command.paymentId, part } });
  });
}

export function succeedPayment(node: LnNode, paymentId: string, preimage: string, channel?: Channel): void {
  const p = node.state.mgr.outbound.find((o) => o.paymentId === paymentId);
  if (!p || p.status === 'succeeded') return;
  p.status = 'succeeded';
  p.preimage = preimage;
  const seq = pushEvent(node, { type: 'PaymentSent', paymentId, hash: p.hash, preimage });
  // The channel that revealed it must not prune the preimage before the application saw PaymentSent.
  addBlocker(node, channel, { kind: 'event', seq }, 'ldk-2112');
}

/**
 * A stale manager may not know a payment whose HTLCs the monitors hold: rebuild
 * it from them (as LDK does at startup) so its outcome still reaches the application.
 */
export function paymentFromMonitors(node: LnNode, paymentId: string, hash: string): OutboundPayment {
  const parts = new Set<string>();
  let amount = 0;
  for (const m of node.state.monitors) {
    for (const c of [m.holderCommitment, ...m.counterpartyCommitments]) {
      for (const h of c.htlcs) {
        if (h.source?.kind !== 'payment' || h.source.paymentId !== paymentId || parts.has(`${m.channel}#${h.id}`)) continue;
        parts.add(`${m.channel}#${h.id}`);
        amount += h.amount;
      }
    }
  }
  const p: OutboundPayment = { paymentId, hash, amount, destination: '', status: 'pending', pendingParts: Math.max(1, parts.size) };
  node.state.mgr.outbound.push(p);
  node.env.trace('payment-recovered', { paymentId, parts: parts.size });
  markDirty(node);
  return p;
}

export function failPayment(node: LnNode, p: OutboundPayment): void {
  if (p.status !== 'pending') return;
  p.status = 'failed';
  pushEvent(node, { type: 'PaymentFailed', paymentId: p.paymentId, hash: p.hash });
}

/** An HTLC we offered was settled (off- or on-chain): tell the payment, or settle the upstream edge of the forward. */
export function offeredResolved(node: LnNode, ch: Channel, htlc: { id: number; hash: string; amount: number; source?: HtlcSource }, outcome: Removal): void {
  if (ch.resolvedOffered.includes(htlc.id)) return;
  ch.resolvedOffered.push(htlc.id);
  markDirty(node);
  const source = htlc.source;
  if (source?.kind === 'payment') {
    const p = node.state.mgr.outbound.find((o) => o.paymentId === source.paymentId) ?? paymentFromMonitors(node, source.paymentId, htlc.hash);
    if (outcome.kind === 'fulfill') succeedPayment(node, p.paymentId, outcome.preimage, ch);
    else {
      p.pendingParts = Math.max(0, p.pendingParts - 1);
      if (p.pendingParts === 0) failPayment(node, p);
    }
    return;
  }
  if (source?.kind === 'forward') {
    const up = channelOf(node.state, source.channel);
    if (!up) return;
    if (outcome.kind === 'fail') {
      const inbound = up.htlcs.find((h) => !h.offered && h.id === source.htlcId);
      if (inbound) failInbound(node, up, inbound, 'temporary_channel_failure');
      pushEvent(node, { type: 'HTLCHandlingFailed', channel: up.id, htlcId: source.htlcId });
      return;
    }
    const u = claimInbound(node, up.id, source.htlcId, outcome.preimage, [], undefined, htlc.hash);
    const event: LnEvent = { type: 'PaymentForwarded', inbound: up.id, outbound: ch.id, fee: source.amount - htlc.amount };
    if (u && updateInFlight(node.state, up.id, u.id)) {
      node.state.mgr.forwardsClaiming.push({ channel: up.id, updateId: u.id, event });
      // The downstream channel may not prune the preimage until the upstream claim is durable.
      addBlocker(node, ch, { kind: 'upstream-claim', channel: up.id, updateId: u.id }, 'ldk-2169');
    } else pushEvent(node, event);
  }
}

// ---- events and the background processor ----------------------------------

export function pushEvent(node: LnNode, event: LnEvent): number {
  const seq = ++node.state.mgr.nextEventSeq;
  node.state.mgr.events.push({ seq, event });
  node.env.trace('event', { seq, ...event });
  markDirty(node);
  return seq;
}

export function markDirty(node: LnNode): void {
  node.state.dirty = true;
  scheduleBackground(node);
}

export function scheduleBackground(node: LnNode): void {
  if (!node.state.backgroundScheduled) {
    node.state.backgroundScheduled = true;
    node.env.setTimer(node.params.backgroundDelay + node.env.draw(node.params.backgroundJitter, 'background pass delay'), 'background');
  }
}

/** One background-processor pass: the startup updates (first pass only), pending events, then persist the manager. */
export function background(node: LnNode): void {
  node.state.backgroundScheduled = false;
  if (!node.state.startupDone) runStartupUpdates(node);
  const events = node.state.mgr.events.splice(0);
  for (const { seq, event } of events) handleEvent(node, seq, event);
  if (node.state.dirty) {
    node.state.dirty = false;
    writeManager(node, events.map((e) => e.seq));
  }
  archiveResolvedMonitors(node);
  pump(node);
}

/** Persist the manager; `handled`: the events this write records as handled. */
export function writeManager(node: LnNode, handled: number[]): void {
  const tag = `mgr/${++node.state.managerWriteCount}`;
  node.state.managerWrites[tag] = handled;
  if (node.env.disk.write(MANAGER_KEY, JSON.stringify(node.state.mgr), { tag }) === 'durable') managerDurable(node.state, tag);
}

/** A manager write is durable: the events it records as handled will not replay. */
export function managerDurable(state: LnState, tag: string): void {
  // Writes to one key complete in order, so every earlier write is durable too.
  const n = Number(tag.split('/')[1]);
  state.managerDurableUpTo = Math.max(state.managerDurableUpTo, n);
  for (const key of Object.keys(state.managerWrites)) {
    if (Number(key.split('/')[1]) > n) continue;
    state.durablyHandled.push(...state.managerWrites[key]);
    delete state.managerWrites[key];
  }
}

/** The application's event handler. Idempotent: events replay after a restart. */
export function handleEvent(node: LnNode, seq: number, event: LnEvent): void {
  node.env.trace('handled', { seq, type: event.type, ...('paymentId' in event ? { paymentId: event.paymentId } : {}), ...('hash' in event ? { hash: event.hash } : {}) });
  markDirty(node);
  if (event.type === 'PaymentClaimable') {
    const p = node.state.mgr.claimable.find((c) => c.hash === event.hash);
    if (!p || p.status !== 'claimable') return;
    const preimage = preimageFor(p.paymentId);
    const tooLate = p.parts.some((part) => part.cltv - node.env.chain.height <= node.params.failBackBefore);
    const refused = node.env.draw(node.params.refuseOneIn, `refuse payment ${p.paymentId}`) === 0 || tooLate;
    if (refused || hashOf(preimage) !== p.hash) {
      node.env.trace('refuse', { paymentId: p.paymentId, hash: p.hash });
      for (const part of p.parts) {
        const ch = channelOf(node.state, part.channel);
        const htlc = ch?.htlcs.find((h) => !h.offered && h.id === part.htlcId);
        if (ch && htlc) failInbound(node, ch, htlc, 'incorrect_or_unknown_payment_details');
      }
      p.status = 'claimed';
      return;
    }
    claim(node, p, preimage);
  }
}

// ---- closing and the chain ------------------------------------------------

/** `htlc`: the HTLC whose expiry forced the close, if that is the reason. */
export function closeChannel(node: LnNode, ch: Channel, reason: string, { htlc }: { htlc?: number } = {}): void {
  if (ch.status !== 'open') return;
  if (ch.opening && node.env.chain.confirmations(ch.funding.txid) === 0) return forgetChannel(node, ch, reason);
  ch.status = 'closed';
  ch.closeReason = reason;
  node.state.outbox[ch.id] = [];
  ch.pendingInbound = [];
  node.env.trace('force-close', htlc === undefined ? { channel: ch.id, reason } : { channel: ch.id, reason, htlc });
  if (node.bugs.has('ldk-3989')) {
    // ldk-3989: the channel forgets forwards it signed into a held update: in neither the monitor nor the holding cell.
    const m = monitorOf(node.state, ch.id);
    const inMonitor = (id: number) => !!m && [m.holderCommitment, ...m.counterpartyCommitments].some((c) => c.htlcs.some((h) => h.offeredByHolder === (c === m.holderCommitment) && h.id === id));
    ch.htlcs = ch.htlcs.filter((h) => !h.offered || h.source?.kind !== 'forward' || h.state === 'SENT_ADD_HTLC' || inMonitor(h.id));
  }
  monitorUpdate(node, ch, { kind: 'force-close' });
  pushEvent(node, { type: 'ChannelClosed', channel: ch.id, reason });
  // Broadcast now, not at the next block. Before the first background pass the monitor does not know of the
  // close yet (that pass watches it); and a close decided at boot must not settle HTLCs on other channels before
  // every channel is reconciled (a stale upstream channel not yet closed would refuse the upstream claim).
  const m = monitorOf(node.state, ch.id);
  if (m && node.state.startupDone) watch(node, m);
}

/** A final-hop claim the chain confirmed: make sure PaymentClaimed was (or will be) delivered. */
export function claimedOnChain(node: LnNode, hash: string, payment: { paymentId: string; amount: number }): void {
  const p = node.state.mgr.claimable.find((c) => c.hash === hash);
  if (p && p.status !== 'claimable') return;
  if (p) p.status = 'claimed';
  else node.state.mgr.claimable.push({ hash, paymentId: payment.paymentId, totalAmount: payment.amount, parts: [], status: 'claimed', pendingPreimage: [] });
  node.env.trace('claimed-on-chain', { hash, paymentId: payment.paymentId });
  pushEvent(node, { type: 'PaymentClaimed', hash, amount: payment.amount });
}

/** A preimage any of our monitors knows for this hash. */
export function knownPreimage(state: LnState, hash: string): string | undefined {
  for (const m of state.monitors) if (m.preimages[hash] !== undefined) return m.preimages[hash];
  return undefined;
}

export function watch(node: LnNode, m: Monitor): void {
  const withheld = (node.state.preimagesPersisting[m.channel] ?? []).map((p) => p.hash);
  const w = watchChain(m, node.env.chain, { dropClosedPreimages: node.bugs.has('ln-closed-preimage-ignored'), withheld, urgentWithin: node.params.claimOnChainBefore });
  for (const tx of w.broadcasts) node.env.broadcast(tx);
  const ch = channelOf(node.state, m.channel);
  if (!ch) return;
  const managerOffered = ch.htlcs.filter((h) => h.offered);
  const known = (hash: string) => knownPreimage(node.state, hash);
  if (w.cooperative) {
    // The peer broadcast the closing transaction we agreed on before we finished our side.
    if (ch.status === 'open') markCoopClosed(node, ch);
    processMonitorEvents(node, cooperativeEvents(m.channel, managerOffered, known));
    if (ch.htlcs.length > 0) {
      ch.htlcs = [];
      markDirty(node);
    }
    return;
  }
  if (!w.confirmedCommitment) return;
  if (ch.status === 'open') closeChannel(node, ch, 'commitment-confirmed');
  processMonitorEvents(node, chainEvents(m, w, managerOffered, known));
  // Inbound HTLCs the confirmed commitment does not carry are gone: nothing to claim or fail.
  if (w.fullyResolved && ch.htlcs.length > 0 && ch.htlcs.every((h) => !h.offered || ch.resolvedOffered.includes(h.id))) {
    ch.htlcs = [];
    markDirty(node);
  }
}

/**
 * The manager processes what a monitor learned on-chain, each event once per incarnation, and remembers what
 * makes its effect durable: until then the event is pending and its monitor is not archived.
 */
export function processMonitorEvents(node: LnNode, events: readonly MonitorEvent[]): void {
  for (const e of events) {
    const processed = (node.state.monitorEvents[e.channel] ??= []);
    const key = monitorEventKey(e);
    if (processed.some((p) => monitorEventKey(p.event) === key)) continue;
    node.env.trace('monitor-event', { channel: e.channel, event: key, ...(e.kind === 'offered-settled' ? { outcome: e.outcome.kind } : {}) });
    if (e.kind === 'claimed-on-chain') claimedOnChain(node, e.hash, e.payment);
    else offeredResolved(node, channelOf(node.state, e.channel)!, e.htlc, e.outcome);
    const upstream = e.kind === 'offered-settled' && e.outcome.kind === 'fulfill' && e.htlc.source?.kind === 'forward' ? e.htlc.source.channel : undefined;
    processed.push({ event: e, recordedBy: node.state.managerWriteCount + 1, ...(upstream !== undefined ? { upstream } : {}) });
    // The next manager write records the processing (even when it changed nothing: the event must stop being pending).
    markDirty(node);
  }
}

export function pendingMonitorEvents(state: LnState, channel: string): ProcessedMonitorEvent[] {
  const view = {
    managerDurableUpTo: state.managerDurableUpTo,
    upstreamHolds: (up: string, hash: string) => {
      if (state.archived.includes(up)) return true;
      const m = monitorOf(state, up);
      return m?.preimages[hash] !== undefined && (state.persisting[up] ?? []).length === 0;
    },
  };
  return (state.monitorEvents[channel] ?? []).filter((p) => !effectDurable(p, view));
}

// ---- archiving fully resolved monitors --------------------------------------

/** Closed monitors whose every watched spend is buried deep enough: the background processor may archive them. */
export function archiveDue(node: LnNode): boolean {
  return node.state.monitors.some((m) => (m.closed || m.closingTx !== undefined) && (settledDepth(m, node.env.chain) ?? 0) >= node.params.archiveDepth);
}

/** Run by the background processor: archive every monitor that is fully resolved. */
export function archiveResolvedMonitors(node: LnNode): void {
  for (const m of [...node.state.monitors]) {
    const ch = channelOf(node.state, m.channel);
    const resolved = fullyResolved(
      {
        closed: m.closed || m.closingTx !== undefined,
        settledDepth: settledDepth(m, node.env.chain),
        writesPending: (node.state.persisting[m.channel] ?? []).length > 0 || node.state.snapshotting[m.channel] !== undefined || (ch !== undefined && (ch.inFlight.length > 0 || ch.blocked.length > 0)),
        // ldk-3450: monitor events whose effect is not yet durable are not looked at.
        pendingEvents: node.bugs.has('ldk-3450') ? 0 : pendingMonitorEvents(node.state, m.channel).length,
      },
      node.params.archiveDepth,
    );
    if (resolved) archiveMonitor(node, m);
  }
}

/** Stop watching the monitor and move it to the archive; its live keys go once the archive record is durable. */
export function archiveMonitor(node: LnNode, m: Monitor): void {
  node.env.trace('monitor-archived', { channel: m.channel, updateId: m.updateId, pendingEvents: pendingMonitorEvents(node.state, m.channel).map((p) => describeMonitorEvent(p.event)) });
  node.state.monitors = node.state.monitors.filter((x) => x !== m);
  node.state.archived.push(m.channel);
  delete node.state.monitorEvents[m.channel];
  const ch = channelOf(node.state, m.channel);
  if (ch) settleArchivedChannel(node, ch);
  if (node.env.disk.write(archiveKey(m.channel), JSON.stringify(m), { tag: `arch/${m.channel}` }) === 'durable') removeLiveMonitor(node.env, m.channel);
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

/** Expiry rules: fail back what we will not claim, go on-chain for what the peer does not settle. */
export function checkExpiries(node: LnNode): void {
  const height = node.env.chain.height;
  for (const ch of node.state.mgr.channels) {
    if (ch.status !== 'open') continue;
    for (const h of ch.htlcs) {
      if (h.offered && h.removal === undefined && h.state !== 'SENT_ADD_HTLC' && height >= h.cltv - node.params.timeoutBefore) {
        closeChannel(node, ch, 'htlc-timeout', { htlc: h.id });
        break;
      }
      if (!h.offered && h.removal?.kind === 'fulfill' && height >= h.cltv - node.params.claimOnChainBefore) {
        closeChannel(node, ch, 'claim-onchain');
        break;
      }
    }
  }
  // The monitor's own view: its latest holder commitment may lag the manager's (updates held or in flight).
  for (const m of node.state.monitors) {
    const ch = channelOf(node.state, m.channel);
    if (m.closed || ch?.status !== 'open') continue;
    const durable = node.state.durableHolder[m.channel];
    const late = [...m.holderCommitment.htlcs, ...(durable && durable !== m.holderCommitment ? durable.htlcs : [])].find((h) =>
      h.offeredByHolder ? height >= h.cltv + node.params.timeoutBefore : (m.preimages[h.hash] ?? node.state.knownPreimages[h.hash]) !== undefined && height >= h.cltv - node.params.claimOnChainBefore,
    );
    if (late) closeChannel(node, ch, late.offeredByHolder ? 'htlc-timeout' : 'claim-onchain', { htlc: late.offeredByHolder ? late.id : undefined });
  }
  for (const p of node.state.mgr.claimable) {
    if (p.status !== 'claimable') continue;
    if (!p.parts.some((part) => height >= part.cltv - node.params.failBackBefore)) continue;
    p.status = 'claimed';
    node.env.trace('expire-claimable', { paymentId: p.paymentId, hash: p.hash });
    for (const part of p.parts) {
      const ch = channelOf(node.state, part.channel);
      const htlc = ch?.htlcs.find((h) => !h.offered && h.id === part.htlcId);
      if (ch && htlc) failInbound(node, ch, htlc, 'incorrect_or_unknown_payment_details');
    }
    markDirty(node);
  }
}

// ---- cooperative close ------------------------------------------------------

/** Whether a new HTLC may go out on the channel (lnd-8145: the link is never told of the peer's shutdown). */
export function addsAllowed(node: LnNode, ch: Channel): boolean {
  return open.usable(ch) && close.acceptsAdds(ch, !node.bugs.has('lnd-8145'));
}

/** At boot: the intent to close survives only through its own record; whatever belonged to the connection is gone. */
export function restoreCloses(node: LnNode): void {
  const recorded = new Set(node.env.disk.keys(close.SHUTDOWN_PREFIX).map((k) => k.slice(close.SHUTDOWN_PREFIX.length)));
  for (const ch of node.state.mgr.channels) {
    if (recorded.has(ch.id)) {
      ch.close ??= close.newClose();
      ch.close.intent = true;
      ch.close.intentDurable = true;
    }
    if (!ch.close) continue;
    close.resetConnection(ch.close);
    if (!recorded.has(ch.id)) ch.close.intentDurable = false;
    // The manager recorded an intent its own record lost: write it again before any shutdown goes out.
    if (ch.close.intent && !ch.close.intentDurable && ch.status === 'open') writeCloseIntent(node, ch);
  }
}

/** From now on we offer no new HTLC on the channel; shutdown goes out once the intent is durable and our updates are flushed. */
export function intendToClose(node: LnNode, ch: Channel): void {
  const c = (ch.close ??= close.newClose());
  if (c.intent) return;
  c.intent = true;
  node.env.trace('close-intent', { channel: ch.id, responder: c.receivedShutdown });
  markDirty(node);
  writeCloseIntent(node, ch);
}

export function writeCloseIntent(node: LnNode, ch: Channel): void {
  if (node.env.disk.write(close.shutdownKey(ch.id), 'shutdown', { tag: `shut/${ch.id}` }) === 'durable') closeIntentDurable(node.state, ch.id);
}

export function closeIntentDurable(state: LnState, channel: string): void {
  const c = channelOf(state, channel)?.close;
  if (c) c.intentDurable = true;
}

export function receiveShutdown(node: LnNode, ch: Channel): void {
  const c = (ch.close ??= close.newClose());
  if (c.receivedShutdown) throw new ProtocolError('second shutdown on one connection');
  c.receivedShutdown = true;
  if (node.bugs.has('lnd-8145') && !c.sentShutdown) {
    // lnd-8145: reply at once, ahead of our own updates still held, and leave the link free to add.
    c.sentShutdown = true;
    node.env.send(ch.peer, close.shutdownMessage(ch));
    return;
  }
  // Reply once our own updates are flushed (pump sends it).
  intendToClose(node, ch);
}

/** Send shutdown when due, then negotiate and finish once nothing is left in the channel. The channel is connected, reestablished and not paused. */
export function closeStep(node: LnNode, ch: Channel): boolean {
  const c = ch.close;
  if (!c || ch.status !== 'open') return false;
  const chIo = io(node, ch);
  if (close.shutdownDue(ch)) {
    c.sentShutdown = true;
    chIo.queue(close.shutdownMessage(ch));
    return true;
  }
  if ((node.state.outbox[ch.id] ?? []).length > 0 || !close.readyToNegotiate(ch, chan.hasChangesToSign(ch))) return false;
  if (!c.sentClosingSigned) {
    c.sentClosingSigned = true;
    chIo.queue(close.closingSignedMessage(ch));
    return true;
  }
  if (!c.peerProposal) return false;
  if (!close.proposalAgrees(ch, c.peerProposal)) {
    const reason = `closing_signed pays ${c.peerProposal.toReceiver} to us and ${c.peerProposal.toSender} to the peer, we hold ${ch.localCommit.toHolder}/${ch.localCommit.toCounterparty}`;
    node.env.trace('protocol-error', { channel: ch.id, message: reason });
    node.env.send(ch.peer, { type: 'error', channel: ch.id, reason });
    closeChannel(node, ch, `protocol-error: ${reason}`);
    return true;
  }
  const tx = close.closingTx(ch, node.env.id);
  monitorUpdate(node, ch, { kind: 'cooperative-close', tx });
  node.env.broadcast(tx);
  markCoopClosed(node, ch);
  return true;
}

export function markCoopClosed(node: LnNode, ch: Channel): void {
  ch.status = 'closed';
  ch.closeReason = 'cooperative';
  node.state.outbox[ch.id] = [];
  ch.pendingInbound = [];
  node.env.trace('coop-close', { channel: ch.id, toUs: ch.localCommit.toHolder, toPeer: ch.localCommit.toCounterparty });
  pushEvent(node, { type: 'ChannelClosed', channel: ch.id, reason: 'cooperative' });
}

// ---- channel opening (open.ts holds the protocol) ---------------------------

/** Workload: open a channel funded from one of our wallet coins. */
export function startOpen(node: LnNode, command: open.OpenCommand): void {
  const known = channelOf(node.state, command.channel) !== undefined || node.state.negotiations.some((n) => n.channel === command.channel);
  if (known || !node.env.isConnected(command.peer)) {
    node.env.trace('open-failed', { channel: command.channel, peer: command.peer, reason: known ? 'channel exists' : 'peer not connected' });
    return;
  }
  const { negotiation, message } = open.startOpen(command, node.env.chain.height);
  node.state.negotiations.push(negotiation);
  node.env.trace('open-start', { channel: command.channel, peer: command.peer, capacity: command.capacity });
  node.env.send(command.peer, message);
}

/** open_channel, accept_channel, funding_created, funding_signed: the opening before (or as) our monitor comes to exist. */
export function negotiate(node: LnNode, from: string, message: Message): void {
  const id = message.channel as string;
  const n = node.state.negotiations.find((x) => x.channel === id && x.peer === from);
  const fail = (reason: string) => {
    if (n) abandonNegotiation(node, n, reason);
    node.env.send(from, { type: 'error', channel: id, reason });
  };
  if (message.type === 'open_channel') {
    if (n || channelOf(node.state, id)) return fail(`channel ${id} already exists`);
    const r = open.receiveOpen(message, from, node.env.chain.height);
    if (open.isError(r)) return fail(r.error);
    node.state.negotiations.push(r.negotiation);
    node.env.send(from, r.message);
    return;
  }
  if (!n) return fail(`unknown channel ${id}`);
  if (message.type === 'accept_channel') {
    const r = open.receiveAccept(n, node.env.id);
    if (open.isError(r)) return fail(r.error);
    node.env.send(from, r);
    return;
  }
  const r = message.type === 'funding_created' ? open.receiveFundingCreated(n, node.env.id, message, node.env.chain.height) : open.receiveFundingSigned(n, node.env.id, message, node.env.chain.height);
  if (open.isError(r)) return fail(r.error);
  node.state.negotiations = node.state.negotiations.filter((x) => x !== n);
  createChannel(node, r.channel, r.monitor);
}

/**
 * The channel exists: the manager records it at once (and persists it on its own schedule), and the monitor's
 * first write starts. Until that write is durable the channel is paused and nothing leaves for it.
 */
export function createChannel(node: LnNode, ch: Channel, m: Monitor): void {
  node.state.mgr.channels.push(ch);
  node.state.monitors.push(m);
  node.state.reestablished[ch.id] = node.env.isConnected(ch.peer);
  node.env.trace('channel-created', { channel: ch.id, peer: ch.peer, role: ch.opening!.role, capacity: ch.capacity });
  markDirty(node);
  node.state.persisting[ch.id] = [0];
  if (node.env.disk.write(monitorKey(ch.id), JSON.stringify(m), { tag: `first/${ch.id}` }) === 'durable') persisted(node, ch.id, 0);
}

/** The monitor's first write is durable (now, or found on disk at boot): funding_signed, or the funding broadcast, may go. */
export function openingMonitorDurable(node: LnNode, ch: Channel): void {
  const { send, broadcast } = open.firstWriteDurable(ch);
  if (!send && !broadcast) return;
  node.env.trace('opening-monitor-durable', { channel: ch.id, role: ch.opening!.role });
  if (send) node.env.send(ch.peer, send);
  if (broadcast) node.env.broadcast(broadcast);
  markDirty(node);
}

export function sendReady(node: LnNode, ch: Channel): void {
  const { message, becameReady } = open.sendReady(ch);
  io(node, ch).queue(message);
  if (becameReady) node.env.trace('channel-ready', { channel: ch.id, role: ch.opening!.role });
  markDirty(node);
}

/**
 * Close a channel whose funding never confirmed: nothing of it is on-chain to settle, so the manager forgets it.
 * Its monitor is closed all the same: should the funding confirm after all, the monitor claims our side.
 */
export function forgetChannel(node: LnNode, ch: Channel, reason: string): void {
  node.env.trace('channel-forgotten', { channel: ch.id, role: ch.opening!.role, stage: ch.opening!.stage, reason });
  monitorUpdate(node, ch, { kind: 'force-close' });
  node.state.mgr.channels = node.state.mgr.channels.filter((c) => c !== ch);
  delete node.state.outbox[ch.id];
  delete node.state.reestablished[ch.id];
  delete node.state.fanOut[ch.id];
  pushEvent(node, { type: 'ChannelClosed', channel: ch.id, reason });
}

export function abandonNegotiation(node: LnNode, n: open.Negotiation, reason: string): void {
  node.state.negotiations = node.state.negotiations.filter((x) => x !== n);
  node.env.trace('open-abandoned', { channel: n.channel, role: n.role, stage: n.stage, reason });
}

/** Per block: negotiations that stalled, fundings that never confirmed, a funding broadcast to repeat. */
export function openingBlock(node: LnNode): void {
  const height = node.env.chain.height;
  for (const n of [...node.state.negotiations]) if (open.negotiationExpired(n, height, node.params)) abandonNegotiation(node, n, 'timeout');
  for (const ch of [...node.state.mgr.channels]) {
    if (!ch.opening || ch.status !== 'open') continue;
    const confirmations = node.env.chain.confirmations(ch.funding.txid);
    if (open.fundingTimedOut(ch, height, confirmations, node.params)) {
      closeChannel(node, ch, 'funding-timeout');
      continue;
    }
    const tx = open.fundingToRebroadcast(ch, confirmations, node.env.chain.inMempool(ch.funding.txid));
    if (tx) node.env.broadcast(tx);
  }
}

// ---- message handling -----------------------------------------------------

/** BOLT 1/2: a message for a channel we do not know gets an error, so the peer can forget a channel that never was. */
export function unknownChannel(node: LnNode, from: string, message: Message): void {
  const n = node.state.negotiations.find((x) => x.channel === message.channel && x.peer === from);
  if (n) {
    if (message.type === 'error') abandonNegotiation(node, n, 'peer-error');
    return;
  }
  if (message.type === 'error') return; // never answer an error with an error
  node.env.trace('unknown-channel', { channel: message.channel as string, from, type: message.type });
  node.env.send(from, { type: 'error', channel: message.channel, reason: 'unknown channel' });
}

export function onMessage(node: LnNode, from: string, message: Message): void {
  if (node.state.refused) return;
  if (open.NEGOTIATION_MESSAGES.includes(message.type)) return negotiate(node, from, message);
  const ch = channelOf(node.state, message.channel as string);
  if (!ch) return unknownChannel(node, from, message);
  if (ch.peer !== from) return;
  if (ch.status !== 'open') {
    if (message.type === 'channel_reestablish') node.env.send(from, { type: 'error', channel: ch.id, reason: 'channel closed' });
    return;
  }
  if (node.config.traceDispatch) node.env.trace('recv', { channel: ch.id, from, type: message.type });
  if (node.bugs.has('lnd-8393')) {
    // lnd-8393: each subsystem drains its own queue, independently of the others.
    const f = (node.state.fanOut[ch.id] ??= newFanOut());
    f.queues[subsystemOf(message.type)].push(message);
    if (!f.scheduled) {
      f.scheduled = true;
      node.env.setTimer(FANOUT_DELAY, 'dispatch', ch.id);
    }
    return;
  }
  apply(node, ch, message);
}

/** A channel message takes effect. */
export function apply(node: LnNode, ch: Channel, message: Message): void {
  if (node.config.traceDispatch) node.env.trace('apply', { channel: ch.id, from: ch.peer, type: message.type });
  try {
    receive(node, ch, message);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    node.env.trace('protocol-error', { channel: ch.id, message: e.message });
    node.env.send(ch.peer, { type: 'error', channel: ch.id, reason: e.message });
    closeChannel(node, ch, `protocol-error: ${e.message}`);
  }
  pump(node);
}

/** lnd-8393: the subsystem goroutines run, in an order the scheduler picks. */
export function drainFanOut(node: LnNode, channel: string): void {
  const f = node.state.fanOut[channel];
  if (!f) return;
  f.scheduled = false;
  for (let message = nextFromFanOut(f, node.env.pick, `dispatch ${channel}`); message; message = nextFromFanOut(f, node.env.pick, `dispatch ${channel}`)) {
    const ch = channelOf(node.state, channel);
    if (!ch || ch.status !== 'open') {
      delete node.state.fanOut[channel];
      return;
    }
    apply(node, ch, message);
  }
}

export function receive(node: LnNode, ch: Channel, message: Message): void {
  const chIo = io(node, ch);
  switch (message.type) {
    case 'channel_reestablish':
      // Everything held so far is regenerated from channel node.state by the retransmission below.
      node.state.outbox[ch.id] = [];
      node.state.reestablished[ch.id] = true;
      if (ch.opening && open.readyOnReestablish(ch, message.nextCommitmentNumber as number, node.env.chain.confirmations(ch.funding.txid), node.params)) sendReady(node, ch);
      chan.receiveReestablish(ch, chIo, message);
      return;
    case 'channel_ready':
      if (open.receiveReady(ch)) node.env.trace('channel-ready', { channel: ch.id, role: ch.opening!.role });
      markDirty(node);
      return;
    case 'update_add_htlc':
      if (!open.usable(ch)) throw new ProtocolError(`update_add_htlc ${message.id as number} before channel_ready`);
      // BOLT 2: the peer offers nothing after its shutdown.
      if (ch.close?.receivedShutdown) throw new ProtocolError(`update_add_htlc ${message.id as number} after shutdown (add while flushing)`);
      chan.receiveAdd(ch, message);
      return;
    case 'shutdown':
      receiveShutdown(node, ch);
      return;
    case 'closing_signed': {
      const c = ch.close;
      if (!c?.receivedShutdown || !c.sentShutdown) throw new ProtocolError('closing_signed before both shutdowns');
      c.peerProposal = { toSender: message.toSender as number, toReceiver: message.toReceiver as number, fee: message.fee as number };
      return;
    }
    case 'update_fulfill_htlc': {
      const preimage = message.preimage as string;
      const htlc = ch.htlcs.find((h) => h.offered && h.id === (message.id as number));
      if (htlc && hashOf(preimage) !== htlc.hash) throw new ProtocolError(`update_fulfill_htlc ${htlc.id} with a wrong preimage`);
      const settled = chan.receiveRemoval(ch, message, { kind: 'fulfill', preimage });
      // Keep the preimage where a restart and the chain watcher will find it (ldk-2112 skips this for our own payments).
      const upstream = settled.source?.kind === 'forward' ? [{ channel: settled.source.channel, id: settled.source.htlcId }] : [];
      if (!(node.bugs.has('ldk-2112') && settled.source?.kind === 'payment')) monitorUpdate(node, ch, { kind: 'preimage', hash: settled.hash, preimage, htlcs: upstream });
      offeredResolved(node, ch, settled, { kind: 'fulfill', preimage });
      markDirty(node);
      return;
    }
    case 'update_fail_htlc':
      chan.receiveRemoval(ch, message, { kind: 'fail', code: message.code as string });
      return;
    case 'commitment_signed':
      chan.receiveCommitment(ch, chIo, message, nextSeq(node.state));
      traceCommitment(node.env, ch, 'local');
      markDirty(node);
      return;
    case 'revoke_and_ack': {
      const { received, failed } = chan.receiveRevoke(ch, chIo, message);
      // As LDK does, the revocation frees the holding cell at once, unless an update is in flight: when the
      // revocation's update is held, the new commitment joins it, held too, and commitment_signed waits with it.
      if (ch.blocked.length > 0 && ch.inFlight.length === 0 && chan.hasChangesToSign(ch)) {
        chan.signCommitment(ch, chIo, nextSeq(node.state));
        traceCommitment(node.env, ch, 'remote');
      }
      for (const h of received) ch.pendingInbound.push(h.id);
      for (const h of failed) offeredResolved(node, ch, h, h.removal!);
      markDirty(node);
      return;
    }
    case 'error':
      closeChannel(node, ch, 'peer-error');
      return;
    default:
      throw new ProtocolError(`unexpected message ${message.type}`);
  }
}

// ---- the behaviour --------------------------------------------------------

export function emptyManager(): Manager {
  return { channels: [], forwardsClaiming: [], outbound: [], claimable: [], events: [], nextEventSeq: 0 };
}

function describeMonitorEvent(e: MonitorEvent): string {
  return e.kind === 'offered-settled' ? `${monitorEventKey(e)} ${e.outcome.kind}` : monitorEventKey(e);
}

function describeBlocker(b: Blocker): string {
  switch (b.kind) {
    case 'upstream-claim':
      return `upstream-claim ${b.channel}#${b.updateId}`;
    case 'mpp-claim':
      return `mpp-claim ${b.hash.slice(0, 8)}`;
    case 'event':
      return `event ${b.seq}`;
  }
}

/** Delete a monitor's live snapshot and stored updates: the archive record has replaced them. */
function removeLiveMonitor(env: NodeEnv, channel: string): void {
  if (env.disk.read(monitorKey(channel)) !== undefined) env.disk.delete(monitorKey(channel));
  for (const key of env.disk.keys(`${UPDATE_PREFIX}${channel}/`)) env.disk.delete(key);
}

function monitorOf(state: LnState, channel: string): Monitor | undefined {
  return state.monitors.find((m) => m.channel === channel);
}

function channelOf(state: LnState, channel: string): Channel | undefined {
  return state.mgr.channels.find((c) => c.id === channel);
}
