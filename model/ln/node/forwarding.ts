// Forwarding: an inbound HTLC is forwarded (or received), and when the HTLC we offered downstream settles, the
// upstream edge is claimed or failed back (PaymentForwarded waits for the upstream claim to be durable).
import * as chan from '../channel.ts';
import { monitorsCarryForward } from '../monitor.ts';
import type { Channel, Htlc, HtlcSource, LnEvent, Removal } from '../types.ts';
import { addBlocker } from './blockers.ts';
import { addsAllowed, io } from './channel-io.ts';
import { markDirty, pushEvent } from './manager.ts';
import { failPayment, paymentFromMonitors, receivePayment, succeedPayment } from './payments.ts';
import { claimInbound, failInbound } from './settle-inbound.ts';
import { channelOf, type LnNode, updateInFlight } from './state.ts';

/** An inbound HTLC the peer irrevocably committed: forward it, or receive it as (part of) a payment to us. */
export function handleInbound(node: LnNode, ch: Channel, htlcId: number): void {
  const htlc = chan.receivedHtlc(ch.htlcs, htlcId);
  if (!htlc || htlc.removal) return;
  if (htlc.onion?.nextChannel !== undefined) return forward(node, ch, htlc);
  receivePayment(node, ch, htlc);
}

/** Forward an inbound HTLC on the channel its onion names, or fail it back with the reason it cannot go. */
export function forward(node: LnNode, inbound: Channel, htlc: Htlc): void {
  // A stale manager may not remember a forward its monitors do: then it is on its way (or on-chain) already,
  // and failing it back upstream would pay downstream for nothing.
  if (monitorsCarryForward(node.state.monitors, inbound.id, htlc.id)) {
    node.env.trace('forward-known', { inbound: inbound.id, id: htlc.id });
    return;
  }
  forwardOnion(node, inbound, htlc);
}

/**
 * Forward on the channel the onion names, or fail back. A function of its own, too big to inline: the rare
 * forward-known branch above, met late in a run, then recompiles only the small check, not all of this.
 */
function forwardOnion(node: LnNode, inbound: Channel, htlc: Htlc): void {
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
      const inbound = chan.receivedHtlc(up.htlcs, source.htlcId);
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
