// An LDK-style Lightning node: a ChannelManager persisted as one blob by a
// background processor, a ChannelMonitor per channel persisted update by
// update (each persist may complete now or later: Completed / InProgress),
// channel messages held while any monitor update of the channel is in flight,
// restart that reconciles the manager with the monitors, events delivered at
// least once to an application that claims what it can.
import type { Block } from '../../sim/chain.ts';
import type { Message, NodeBehaviour, NodeEnv } from '../../sim/node.ts';
import * as chan from './channel.ts';
import { commitmentTotal, ProtocolError } from './channel.ts';
import { applyUpdate, loadMonitor, monitorChannels, monitorKey, updateKey, watchChain } from './monitor.ts';
import { hashOf, preimageFor } from './payments.ts';
import type { Channel, ClaimablePayment, Htlc, LnEvent, Manager, Monitor, MonitorUpdate, MonitorUpdateBody, OutboundPayment, Removal } from './types.ts';

export const MANAGER_KEY = 'manager';

/** Protocol timing of a node, in blocks. */
export interface LnParams {
  /** CLTV delta a sender gives its HTLC over the current height. */
  readonly cltvDelta: number;
  /** A receiver fails back an unclaimed HTLC this many blocks before its expiry. */
  readonly failBackBefore: number;
  /** A receiver that revealed the preimage goes on-chain this many blocks before expiry if the peer has not settled. */
  readonly claimOnChainBefore: number;
  /** An offerer force-closes this many blocks before expiry of an HTLC the peer has not settled. */
  readonly timeoutBefore: number;
  /** Ticks between a manager change and the background processor handling events and persisting. */
  readonly backgroundDelay: number;
  /** Stored monitor updates before the monitor is rewritten as one snapshot. */
  readonly consolidateAfter: number;
}

export const DEFAULT_PARAMS: LnParams = {
  cltvDelta: 60,
  failBackBefore: 20,
  claimOnChainBefore: 12,
  timeoutBefore: 3,
  backgroundDelay: 3,
  consolidateAfter: 8,
};

export interface LnNodeConfig {
  readonly bugs: ReadonlySet<string>;
  readonly params: LnParams;
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
  dirty: boolean;
  backgroundScheduled: boolean;
  /** Set when the node found its state unusable at boot: it stays inert. */
  refused?: string;
}

export function makeLnNode(config: LnNodeConfig): NodeBehaviour<LnState> {
  const { bugs, params } = config;

  // ---- boot and restart reconciliation --------------------------------------

  function boot(env: NodeEnv): LnState {
    const text = env.disk.read(MANAGER_KEY);
    const mgr: Manager = text === undefined ? emptyManager() : JSON.parse(text);
    const monitors: Monitor[] = [];
    for (const channel of monitorChannels((p) => env.disk.keys(p))) {
      const m = loadMonitor((k) => env.disk.read(k), (p) => env.disk.keys(p), channel);
      if (m) {
        monitors.push(m);
        env.trace('monitor-load', { channel, updateId: m.updateId });
      }
    }
    const state: LnState = { id: env.id, mgr, monitors, outbox: {}, reestablished: {}, persisting: {}, snapshotting: {}, dirty: false, backgroundScheduled: false };
    // A restart is a disconnect: the peer will resend whatever no commitment covered.
    for (const ch of mgr.channels) if (ch.status === 'open') chan.onDisconnect(ch);
    reconcile(state, env);
    if (state.refused) return state;
    for (const m of state.monitors) watch(state, env, m);
    pump(state, env);
    markDirty(state, env);
    return state;
  }

  function reconcile(state: LnState, env: NodeEnv): void {
    const { mgr } = state;
    for (const ch of [...mgr.channels]) {
      const m = monitorOf(state, ch.id);
      if (!m) {
        state.refused = `channel ${ch.id} has no monitor (manager at update ${ch.latestMonitorUpdateId})`;
        env.trace('refuse-start', { reason: state.refused });
        return;
      }
      if (m.updateId > ch.latestMonitorUpdateId) {
        // The monitor saw updates the manager never persisted: the channel state is stale; close on the monitor's state.
        env.trace('stale-manager', { channel: ch.id, monitor: m.updateId, manager: ch.latestMonitorUpdateId });
        ch.latestMonitorUpdateId = m.updateId;
        ch.inFlight = [];
        if (ch.status === 'open') closeChannel(state, env, ch, 'stale-manager');
        continue;
      }
      const replay = ch.inFlight.filter((u) => u.id > m.updateId);
      const contiguous = replay.every((u, i) => u.id === m.updateId + 1 + i) && (replay.length === 0 ? m.updateId === ch.latestMonitorUpdateId : replay[replay.length - 1].id === ch.latestMonitorUpdateId);
      if (!contiguous) {
        state.refused = `monitor ${ch.id} at update ${m.updateId} is behind the manager (${ch.latestMonitorUpdateId}) with no in-flight record to replay`;
        env.trace('refuse-start', { reason: state.refused });
        return;
      }
      // Completed before the crash: their completion is this boot's to run.
      ch.inFlight = replay;
      for (const u of replay) persistUpdate(state, env, ch, m, u);
    }
    for (const m of state.monitors) {
      if (!channelOf(state, m.channel) && !m.closed) {
        // A monitor the manager does not know: the channel is unusable; let the monitor close it on-chain.
        const u: MonitorUpdate = { kind: 'force-close', id: m.updateId + 1 };
        env.trace('orphan-monitor', { channel: m.channel });
        applyToMonitor(env, m, u);
        env.disk.write(updateKey(m.channel, u.id), JSON.stringify(u));
      }
    }
  }

  // ---- monitor updates ------------------------------------------------------

  function monitorUpdate(state: LnState, env: NodeEnv, ch: Channel, body: MonitorUpdateBody): MonitorUpdate {
    const m = monitorOf(state, ch.id)!;
    const u = { ...body, id: ++ch.latestMonitorUpdateId } as MonitorUpdate;
    ch.inFlight.push(u);
    markDirty(state, env);
    persistUpdate(state, env, ch, m, u);
    return u;
  }

  function applyToMonitor(env: NodeEnv, m: Monitor, u: MonitorUpdate): boolean {
    env.trace('monitor-update', { channel: m.channel, id: u.id, kind: u.kind });
    const result = applyUpdate(m, u);
    if (result !== 'applied') {
      env.trace('monitor-refused', { channel: m.channel, id: u.id, error: result.error });
      return false;
    }
    return true;
  }

  /** Apply to the in-memory monitor and start its persist; a persist that completes at once is handled at once. */
  function persistUpdate(state: LnState, env: NodeEnv, ch: Channel, m: Monitor, u: MonitorUpdate): void {
    if (!applyToMonitor(env, m, u)) return;
    const pending = (state.persisting[ch.id] ??= []);
    pending.push(u.id);
    const status = env.disk.write(updateKey(ch.id, u.id), JSON.stringify(u), { tag: `mon/${ch.id}/${u.id}` });
    if (status === 'durable') persisted(state, env, ch.id, u.id);
  }

  /** A monitor update's persist completed. When nothing of the channel is still persisting, the channel learns it. */
  function persisted(state: LnState, env: NodeEnv, channel: string, id: number): void {
    const pending = state.persisting[channel] ?? [];
    const index = pending.indexOf(id);
    if (index < 0) return;
    pending.splice(index, 1);
    if (pending.length > 0) return;
    const m = monitorOf(state, channel)!;
    monitorCompleted(state, env, channel, m.updateId);
    maybeSnapshot(state, env, m);
  }

  /** MonitorEvent::Completed: every update up to `id` is durable. */
  function monitorCompleted(state: LnState, env: NodeEnv, channel: string, id: number): void {
    const ch = channelOf(state, channel);
    if (!ch) return;
    env.trace('monitor-completed', { channel, id });
    if (bugs.has('ldk-3113')) ch.inFlight = ch.inFlight.filter((u) => u.id !== id);
    else ch.inFlight = ch.inFlight.filter((u) => u.id > id);
    markDirty(state, env);
    for (const p of state.mgr.claimable) {
      if (p.status === 'claiming' && p.pendingPreimage.length > 0) {
        p.pendingPreimage = p.pendingPreimage.filter((x) => !(x.channel === channel && x.id <= id));
        if (p.pendingPreimage.length === 0) {
          p.status = 'claimed';
          pushEvent(state, env, { type: 'PaymentClaimed', hash: p.hash, amount: p.totalAmount });
        }
      }
    }
  }

  function maybeSnapshot(state: LnState, env: NodeEnv, m: Monitor): void {
    if (state.snapshotting[m.channel] !== undefined) return;
    const stored = env.disk.keys(`monitor-update/${m.channel}/`).length;
    if (stored < params.consolidateAfter) return;
    state.snapshotting[m.channel] = m.updateId;
    const status = env.disk.write(monitorKey(m.channel), JSON.stringify(m), { tag: `snap/${m.channel}/${m.updateId}` });
    if (status === 'durable') snapshotDone(state, env, m.channel, m.updateId);
  }

  /** The snapshot is durable: the updates it covers can go. */
  function snapshotDone(state: LnState, env: NodeEnv, channel: string, id: number): void {
    delete state.snapshotting[channel];
    for (const key of env.disk.keys(`monitor-update/${channel}/`)) {
      if (Number(key.slice(key.lastIndexOf('/') + 1)) <= id) env.disk.delete(key);
    }
  }

  // ---- channel IO -----------------------------------------------------------

  function io(state: LnState, env: NodeEnv, ch: Channel): chan.ChannelIO {
    return {
      queue: (message) => {
        if (bugs.has('ln-early-raa') && message.type === 'revoke_and_ack' && env.isConnected(ch.peer) && state.reestablished[ch.id]) {
          env.send(ch.peer, message);
          return;
        }
        (state.outbox[ch.id] ??= []).push(message);
      },
      monitorUpdate: (body) => {
        monitorUpdate(state, env, ch, body);
      },
      bugs,
    };
  }

  function nextSeq(state: LnState): number {
    return ++state.mgr.nextEventSeq;
  }

  /** Release held messages, sign pending changes, handle inbound HTLCs: whatever the channel may do now. */
  function pump(state: LnState, env: NodeEnv): void {
    if (state.refused) return;
    for (let round = 0; round < 4; round++) {
      let progressed = false;
      for (const ch of state.mgr.channels) {
        if (ch.status !== 'open') continue;
        if (ch.inFlight.length === 0 && ch.pendingInbound.length > 0) {
          const ids = ch.pendingInbound;
          ch.pendingInbound = [];
          for (const id of ids) handleInbound(state, env, ch, id);
          progressed = true;
        }
        if (!env.isConnected(ch.peer) || !state.reestablished[ch.id] || ch.inFlight.length > 0) continue;
        const outbox = state.outbox[ch.id];
        if (outbox && outbox.length > 0) {
          for (const message of outbox.splice(0)) env.send(ch.peer, message);
          progressed = true;
        }
        if (!ch.awaitingRevoke && chan.hasChangesToSign(ch)) {
          chan.signCommitment(ch, io(state, env, ch), nextSeq(state));
          traceCommitment(env, ch, 'remote');
          progressed = true;
        }
      }
      if (!progressed) break;
    }
  }

  function traceCommitment(env: NodeEnv, ch: Channel, side: 'local' | 'remote'): void {
    const c = side === 'local' ? ch.localCommit : ch.remoteCommit;
    env.trace('commitment', { channel: ch.id, side, number: c.number, total: commitmentTotal(c), capacity: ch.capacity });
  }

  // ---- inbound HTLCs, claims, payments --------------------------------------

  function handleInbound(state: LnState, env: NodeEnv, ch: Channel, htlcId: number): void {
    const htlc = ch.htlcs.find((h) => !h.offered && h.id === htlcId);
    if (!htlc || htlc.removal) return;
    const onion = htlc.onion;
    if (!onion?.paymentId) {
      failInbound(state, env, ch, htlc, 'unknown_next_peer');
      return;
    }
    let p = state.mgr.claimable.find((c) => c.hash === htlc.hash);
    if (!p) {
      p = { hash: htlc.hash, paymentId: onion.paymentId, totalAmount: onion.totalAmount ?? htlc.amount, parts: [], status: 'claimable', pendingPreimage: [] };
      state.mgr.claimable.push(p);
    }
    if (p.status === 'claiming') {
      // A late part of a payment being claimed: same payment, same preimage.
      claimPart(state, env, p, { channel: ch.id, htlcId: htlc.id, amount: htlc.amount, cltv: htlc.cltv });
      return;
    }
    if (p.status === 'claimed') {
      // The hash was already claimed (or refused): never reveal it for an HTLC the application did not see.
      failInbound(state, env, ch, htlc, 'incorrect_or_unknown_payment_details');
      return;
    }
    p.parts.push({ channel: ch.id, htlcId: htlc.id, amount: htlc.amount, cltv: htlc.cltv });
    const received = p.parts.reduce((s, x) => s + x.amount, 0);
    env.trace('htlc-received', { channel: ch.id, id: htlc.id, hash: htlc.hash, amount: htlc.amount, received, total: p.totalAmount });
    if (received >= p.totalAmount) pushEvent(state, env, { type: 'PaymentClaimable', hash: p.hash, paymentId: p.paymentId, amount: received });
    markDirty(state, env);
  }

  function failInbound(state: LnState, env: NodeEnv, ch: Channel, htlc: Htlc, code: string): void {
    if (ch.status === 'open' && chan.removeHtlc(ch, io(state, env, ch), htlc.id, { kind: 'fail', code })) {
      env.trace('htlc-fail', { channel: ch.id, id: htlc.id, code });
      markDirty(state, env);
    }
  }

  /** The application claims a claimable payment: reveal the preimage on every part. */
  function claim(state: LnState, env: NodeEnv, p: ClaimablePayment, preimage: string): void {
    if (p.status !== 'claimable') return;
    p.status = 'claiming';
    env.trace('claim', { hash: p.hash, paymentId: p.paymentId, amount: p.parts.reduce((s, x) => s + x.amount, 0) });
    for (const part of p.parts) claimPart(state, env, p, part, preimage);
    if (p.pendingPreimage.length === 0) {
      p.status = 'claimed';
      pushEvent(state, env, { type: 'PaymentClaimed', hash: p.hash, amount: p.totalAmount });
    }
    markDirty(state, env);
  }

  function claimPart(state: LnState, env: NodeEnv, p: ClaimablePayment, part: { channel: string; htlcId: number; amount: number; cltv: number }, preimage = preimageFor(p.paymentId)): void {
    const ch = channelOf(state, part.channel);
    if (!ch) return;
    // The preimage goes to the monitor first (never blocked, even on a closed channel), then to the peer.
    const u = monitorUpdate(state, env, ch, { kind: 'preimage', hash: p.hash, preimage });
    if (ch.inFlight.some((x) => x.id === u.id)) p.pendingPreimage.push({ channel: ch.id, id: u.id });
    if (ch.status === 'open') chan.removeHtlc(ch, io(state, env, ch), part.htlcId, { kind: 'fulfill', preimage });
  }

  function pay(state: LnState, env: NodeEnv, command: { to: string; amount: number; paymentId: string }): void {
    const preimage = preimageFor(command.paymentId);
    const hash = hashOf(preimage);
    const payment: OutboundPayment = { paymentId: command.paymentId, hash, amount: command.amount, destination: command.to, status: 'pending' };
    if (state.mgr.outbound.some((o) => o.paymentId === command.paymentId)) return;
    state.mgr.outbound.push(payment);
    markDirty(state, env);
    const ch = state.mgr.channels.find((c) => c.status === 'open' && c.peer === command.to && chan.spendable(c) >= command.amount);
    if (!ch) {
      env.trace('pay', { paymentId: command.paymentId, to: command.to, amount: command.amount, route: 'none' });
      failPayment(state, env, payment);
      return;
    }
    env.trace('pay', { paymentId: command.paymentId, to: command.to, amount: command.amount, channel: ch.id });
    chan.addHtlc(ch, io(state, env, ch), {
      amount: command.amount,
      hash,
      cltv: env.chain.height + params.cltvDelta,
      onion: { paymentId: command.paymentId, totalAmount: command.amount },
      source: { kind: 'payment', paymentId: command.paymentId, part: 0 },
    });
  }

  function succeedPayment(state: LnState, env: NodeEnv, paymentId: string, preimage: string): void {
    const p = state.mgr.outbound.find((o) => o.paymentId === paymentId);
    if (!p || p.status === 'succeeded') return;
    p.status = 'succeeded';
    p.preimage = preimage;
    pushEvent(state, env, { type: 'PaymentSent', paymentId, hash: p.hash, preimage });
  }

  function failPayment(state: LnState, env: NodeEnv, p: OutboundPayment): void {
    if (p.status !== 'pending') return;
    p.status = 'failed';
    pushEvent(state, env, { type: 'PaymentFailed', paymentId: p.paymentId, hash: p.hash });
  }

  /** An HTLC we offered was settled (off- or on-chain). */
  function offeredResolved(state: LnState, env: NodeEnv, htlc: { source?: Htlc['source']; hash: string }, outcome: Removal): void {
    if (htlc.source?.kind !== 'payment') return;
    if (outcome.kind === 'fulfill') succeedPayment(state, env, htlc.source.paymentId, outcome.preimage);
    else {
      const p = state.mgr.outbound.find((o) => o.paymentId === (htlc.source as { paymentId: string }).paymentId);
      if (p) failPayment(state, env, p);
    }
  }

  // ---- events and the background processor ----------------------------------

  function pushEvent(state: LnState, env: NodeEnv, event: LnEvent): void {
    state.mgr.events.push({ seq: ++state.mgr.nextEventSeq, event });
    env.trace('event', { ...event });
    markDirty(state, env);
  }

  function markDirty(state: LnState, env: NodeEnv): void {
    state.dirty = true;
    if (!state.backgroundScheduled) {
      state.backgroundScheduled = true;
      env.setTimer(params.backgroundDelay, 'background');
    }
  }

  /** One background-processor pass: handle pending events, then persist the manager. */
  function background(state: LnState, env: NodeEnv): void {
    state.backgroundScheduled = false;
    const events = state.mgr.events.splice(0);
    for (const { event } of events) handleEvent(state, env, event);
    if (state.dirty) {
      state.dirty = false;
      env.disk.write(MANAGER_KEY, JSON.stringify(state.mgr));
    }
    pump(state, env);
  }

  /** The application's event handler. Idempotent: events replay after a restart. */
  function handleEvent(state: LnState, env: NodeEnv, event: LnEvent): void {
    env.trace('handled', { type: event.type, ...('paymentId' in event ? { paymentId: event.paymentId } : {}), ...('hash' in event ? { hash: event.hash } : {}) });
    if (event.type === 'PaymentClaimable') {
      const p = state.mgr.claimable.find((c) => c.hash === event.hash);
      if (!p || p.status !== 'claimable') return;
      const preimage = preimageFor(p.paymentId);
      // The application refuses some payments (an expired invoice, say): one in ten.
      const refused = env.draw(10, `refuse payment ${p.paymentId}`) === 0;
      if (refused || hashOf(preimage) !== p.hash) {
        for (const part of p.parts) {
          const ch = channelOf(state, part.channel);
          const htlc = ch?.htlcs.find((h) => !h.offered && h.id === part.htlcId);
          if (ch && htlc) failInbound(state, env, ch, htlc, 'incorrect_or_unknown_payment_details');
        }
        p.status = 'claimed';
        return;
      }
      claim(state, env, p, preimage);
    }
  }

  // ---- closing and the chain ------------------------------------------------

  function closeChannel(state: LnState, env: NodeEnv, ch: Channel, reason: string): void {
    if (ch.status !== 'open') return;
    ch.status = 'closed';
    ch.closeReason = reason;
    state.outbox[ch.id] = [];
    env.trace('force-close', { channel: ch.id, reason });
    monitorUpdate(state, env, ch, { kind: 'force-close' });
    pushEvent(state, env, { type: 'ChannelClosed', channel: ch.id, reason });
  }

  function watch(state: LnState, env: NodeEnv, m: Monitor): void {
    const w = watchChain(m, env.chain, { dropClosedPreimages: bugs.has('ln-closed-preimage-ignored') });
    for (const tx of w.broadcasts) env.broadcast(tx);
    const ch = channelOf(state, m.channel);
    if (!ch || !w.confirmedCommitment) return;
    if (ch.status === 'open') closeChannel(state, env, ch, 'commitment-confirmed');
    // Offered HTLCs settled on-chain, and offered HTLCs the confirmed commitment does not carry (failed).
    for (const r of w.resolutions) {
      if (!r.offeredByUs) continue;
      const htlc = ch.htlcs.find((h) => h.offered && h.id === r.htlcId);
      if (!htlc) continue;
      if (r.outcome === 'preimage') offeredResolved(state, env, htlc, { kind: 'fulfill', preimage: r.preimage! });
      else offeredResolved(state, env, htlc, { kind: 'fail', code: 'onchain-timeout' });
    }
    for (const htlc of ch.htlcs) {
      if (!htlc.offered) continue;
      if (w.confirmedCommitment.htlcIds.some((x) => x.offeredByUs && x.id === htlc.id)) continue;
      if (htlc.removal?.kind === 'fulfill') offeredResolved(state, env, htlc, htlc.removal);
      else offeredResolved(state, env, htlc, { kind: 'fail', code: 'not-on-chain' });
    }
    if (w.fullyResolved && ch.htlcs.length > 0) {
      ch.htlcs = [];
      markDirty(state, env);
    }
  }

  /** Expiry rules: fail back what we will not claim, go on-chain for what the peer does not settle. */
  function checkExpiries(state: LnState, env: NodeEnv): void {
    const height = env.chain.height;
    for (const ch of state.mgr.channels) {
      if (ch.status !== 'open') continue;
      for (const h of ch.htlcs) {
        if (h.offered && h.removal === undefined && h.state !== 'SENT_ADD_HTLC' && height >= h.cltv - params.timeoutBefore) {
          closeChannel(state, env, ch, 'htlc-timeout');
          break;
        }
        if (!h.offered && h.removal?.kind === 'fulfill' && height >= h.cltv - params.claimOnChainBefore) {
          closeChannel(state, env, ch, 'claim-onchain');
          break;
        }
      }
    }
    for (const p of state.mgr.claimable) {
      if (p.status !== 'claimable') continue;
      if (!p.parts.some((part) => height >= part.cltv - params.failBackBefore)) continue;
      p.status = 'claimed';
      for (const part of p.parts) {
        const ch = channelOf(state, part.channel);
        const htlc = ch?.htlcs.find((h) => !h.offered && h.id === part.htlcId);
        if (ch && htlc) failInbound(state, env, ch, htlc, 'incorrect_or_unknown_payment_details');
      }
      markDirty(state, env);
    }
  }

  // ---- message handling -----------------------------------------------------

  function onMessage(state: LnState, env: NodeEnv, from: string, message: Message): void {
    if (state.refused) return;
    const ch = channelOf(state, message.channel as string);
    if (!ch || ch.peer !== from) return;
    if (ch.status !== 'open') {
      if (message.type === 'channel_reestablish') env.send(from, { type: 'error', channel: ch.id, reason: 'channel closed' });
      return;
    }
    try {
      receive(state, env, ch, message);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      env.trace('protocol-error', { channel: ch.id, message: e.message });
      env.send(from, { type: 'error', channel: ch.id, reason: e.message });
      closeChannel(state, env, ch, `protocol-error: ${e.message}`);
    }
    pump(state, env);
  }

  function receive(state: LnState, env: NodeEnv, ch: Channel, message: Message): void {
    const chIo = io(state, env, ch);
    switch (message.type) {
      case 'channel_reestablish':
        // Everything held so far is regenerated from channel state by the retransmission below.
        state.outbox[ch.id] = [];
        state.reestablished[ch.id] = true;
        chan.receiveReestablish(ch, chIo, message);
        return;
      case 'update_add_htlc':
        chan.receiveAdd(ch, message);
        return;
      case 'update_fulfill_htlc': {
        const preimage = message.preimage as string;
        const htlc = ch.htlcs.find((h) => h.offered && h.id === (message.id as number));
        if (htlc && hashOf(preimage) !== htlc.hash) throw new ProtocolError(`update_fulfill_htlc ${htlc.id} with a wrong preimage`);
        const settled = chan.receiveRemoval(ch, message, { kind: 'fulfill', preimage });
        // Keep the preimage where a restart and the chain watcher will find it, then tell the application.
        monitorUpdate(state, env, ch, { kind: 'preimage', hash: settled.hash, preimage });
        offeredResolved(state, env, settled, { kind: 'fulfill', preimage });
        markDirty(state, env);
        return;
      }
      case 'update_fail_htlc':
        chan.receiveRemoval(ch, message, { kind: 'fail', code: message.code as string });
        return;
      case 'commitment_signed':
        chan.receiveCommitment(ch, chIo, message, nextSeq(state));
        traceCommitment(env, ch, 'local');
        markDirty(state, env);
        return;
      case 'revoke_and_ack': {
        const { received, failed } = chan.receiveRevoke(ch, chIo, message);
        for (const h of received) ch.pendingInbound.push(h.id);
        for (const h of failed) offeredResolved(state, env, h, h.removal!);
        markDirty(state, env);
        return;
      }
      case 'error':
        closeChannel(state, env, ch, 'peer-error');
        return;
      default:
        throw new ProtocolError(`unexpected message ${message.type}`);
    }
  }

  // ---- the behaviour --------------------------------------------------------

  return {
    boot,
    onMessage,
    onDurable(state, env, tag) {
      if (state.refused) return;
      const [kind, channel, idText] = tag.split('/');
      if (kind === 'mon') persisted(state, env, channel, Number(idText));
      else if (kind === 'snap') snapshotDone(state, env, channel, Number(idText));
      pump(state, env);
    },
    onTimer(state, env, tag) {
      if (state.refused) return;
      if (tag === 'background') background(state, env);
    },
    onBlock(state, env, _block: Block) {
      if (state.refused) return;
      for (const m of state.monitors) watch(state, env, m);
      checkExpiries(state, env);
      pump(state, env);
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
    onDisconnect(state, _env, peer) {
      for (const ch of state.mgr.channels) {
        if (ch.peer !== peer) continue;
        state.reestablished[ch.id] = false;
        state.outbox[ch.id] = [];
        if (ch.status === 'open') chan.onDisconnect(ch);
      }
    },
    onCommand(state, env, command) {
      if (state.refused) return;
      const c = command as { type: string; [k: string]: unknown };
      if (c.type === 'pay') pay(state, env, c as unknown as { to: string; amount: number; paymentId: string });
      else if (c.type === 'force-close') {
        const ch = channelOf(state, c.channel as string);
        if (ch) closeChannel(state, env, ch, 'requested');
      }
      pump(state, env);
    },
    faultActions(state) {
      if (state.refused) return [];
      return state.mgr.channels.filter((ch) => ch.status === 'open').map((ch) => ({ kind: 'force-close', label: `${state.id} force-closes ${ch.id}`, command: { type: 'force-close', channel: ch.id } }));
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
          held: (state.outbox[ch.id] ?? []).map((m) => m.type),
          reestablished: state.reestablished[ch.id] ?? false,
        })),
        monitors: state.monitors.map((m) => ({ channel: m.channel, updateId: m.updateId, holder: m.holderCommitment.number, closed: m.closed, preimages: Object.keys(m.preimages).length, persisting: state.persisting[m.channel] ?? [] })),
        outbound: state.mgr.outbound.map((p) => `${p.paymentId} ${p.amount}→${p.destination} ${p.status}`),
        claimable: state.mgr.claimable.map((p) => `${p.paymentId} ${p.status} parts=${p.parts.length}`),
        events: state.mgr.events.map((e) => e.event.type),
      };
    },
  };
}

export function emptyManager(): Manager {
  return { channels: [], outbound: [], claimable: [], events: [], nextEventSeq: 0 };
}

function monitorOf(state: LnState, channel: string): Monitor | undefined {
  return state.monitors.find((m) => m.channel === channel);
}

function channelOf(state: LnState, channel: string): Channel | undefined {
  return state.mgr.channels.find((c) => c.id === channel);
}
