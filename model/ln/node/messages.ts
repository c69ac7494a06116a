// Channel messages: dispatch (directly, or through lnd-8393's per-subsystem queues), unknown channels, and what each
// message does to the channel.
import type { Message } from '../../../sim/node.ts';
import * as chan from '../channel.ts';
import { ProtocolError } from '../channel.ts';
import * as close from '../close.ts';
import { FANOUT_DELAY, newFanOut, nextFromFanOut, subsystemOf } from '../dispatch.ts';
import * as open from '../open.ts';
import { hashOf } from '../payments.ts';
import type { Channel } from '../types.ts';
import { io, traceCommitment } from './channel-io.ts';
import { closeChannel } from './closing.ts';
import { receiveShutdown } from './cooperative-close.ts';
import { offeredResolved } from './forwarding.ts';
import { markDirty, nextSeq } from './manager.ts';
import { monitorUpdate } from './monitor-updates.ts';
import { abandonNegotiation, negotiate, sendReady } from './opening.ts';
import { pump } from './pump.ts';
import { channelOf, type LnNode } from './state.ts';

/**
 * A message arrives from a peer: opening messages negotiate, the rest go to their channel (or get an error). True when
 * it ended with a pump that moved nothing (a channel message applied): see `settled` in behaviour.ts.
 */
export function onMessage(node: LnNode, from: string, message: Message): boolean {
  if (node.state.refused) return false;
  if (open.NEGOTIATION_MESSAGES.includes(message.type)) {
    negotiate(node, from, message);
    return false;
  }
  const ch = channelOf(node.state, message.channel as string);
  if (!ch) {
    unknownChannel(node, from, message);
    return false;
  }
  if (ch.peer !== from) return false;
  if (ch.status !== 'open') {
    if (message.type === 'channel_reestablish') node.env.send(from, { type: 'error', channel: ch.id, reason: 'channel closed' });
    return false;
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
    return false;
  }
  return apply(node, ch, message);
}

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

/** A channel message takes effect; the result of the pump that ends it (true: it moved nothing). */
export function apply(node: LnNode, ch: Channel, message: Message): boolean {
  if (node.config.traceDispatch) node.env.trace('apply', { channel: ch.id, from: ch.peer, type: message.type });
  try {
    receive(node, ch, message);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    node.env.trace('protocol-error', { channel: ch.id, message: e.message });
    node.env.send(ch.peer, { type: 'error', channel: ch.id, reason: e.message });
    closeChannel(node, ch, `protocol-error: ${e.message}`);
  }
  return pump(node);
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

/** What each channel message does to the channel; a ProtocolError it throws closes the channel (see apply). */
export function receive(node: LnNode, ch: Channel, message: Message): void {
  // The channel's io (two closures) is built only by the messages that use it.
  switch (message.type) {
    case 'channel_reestablish':
      // Everything held so far is regenerated from channel node.state by the retransmission below.
      node.state.outbox[ch.id] = [];
      node.state.reestablished[ch.id] = true;
      if (ch.opening && open.readyOnReestablish(ch, message.nextCommitmentNumber as number, node.env.chain.confirmations(ch.funding.txid), node.params)) sendReady(node, ch);
      chan.receiveReestablish(ch, io(node, ch), message);
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
      const htlc = chan.offeredHtlc(ch.htlcs, message.id as number);
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
      chan.receiveCommitment(ch, io(node, ch), message, nextSeq(node.state));
      traceCommitment(node.env, ch, 'local');
      markDirty(node);
      return;
    case 'revoke_and_ack': {
      const chIo = io(node, ch);
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
