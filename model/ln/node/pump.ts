// The pump: after every step, let each channel do what it may now (release held updates and messages, handle
// inbound HTLCs, send channel_ready, sign, step a cooperative close), until nothing moves.
import * as chan from '../channel.ts';
import * as open from '../open.ts';
import { io, paused, traceCommitment } from './channel-io.ts';
import { closeStep } from './cooperative-close.ts';
import { handleInbound } from './forwarding.ts';
import { nextSeq } from './manager.ts';
import { releaseBlocked } from './monitor-updates.ts';
import { sendReady } from './opening.ts';
import type { Message } from '../../../sim/node.ts';
import type { Channel } from '../types.ts';
import type { LnNode } from './state.ts';

/**
 * Release held messages, sign pending changes, handle inbound HTLCs: whatever the channels may do now. True when its
 * last pass moved nothing: with the same state, connections and chain, pumping again would do nothing.
 */
export function pump(node: LnNode): boolean {
  if (node.state.refused) return true;
  for (let round = 0; round < 6; round++) {
    releaseBlocked(node);
    let progressed = false;
    // As for-of walks it: the list as it is now, an entry pushed meanwhile included.
    const channels = node.state.mgr.channels;
    for (let i = 0; i < channels.length; i++) if (channels[i].status === 'open' && pumpChannel(node, channels[i])) progressed = true;
    if (!progressed) return true;
  }
  return false;
}

/** One open channel's turn: whether it moved. Each step that moves is a function of its own (most turns take none). */
function pumpChannel(node: LnNode, ch: Channel): boolean {
  let progressed = false;
  if (ch.pendingInbound.length > 0 && !paused(node.state, ch)) {
    handlePending(node, ch);
    progressed = true;
  }
  if (ch.status !== 'open' || !node.env.isConnected(ch.peer) || !node.state.reestablished[ch.id] || paused(node.state, ch)) return progressed;
  const outbox = node.state.outbox[ch.id];
  if (outbox !== undefined && outbox.length > 0) {
    sendHeld(node, ch, outbox);
    progressed = true;
  }
  if (ch.opening !== undefined && open.readyDue(ch, node.env.chain.confirmations(ch.funding.txid), node.params)) {
    sendReady(node, ch);
    progressed = true;
  }
  if (!ch.awaitingRevoke && chan.hasChangesToSign(ch)) {
    sign(node, ch);
    progressed = true;
  }
  if (ch.close !== undefined && closeStep(node, ch)) progressed = true;
  return progressed;
}

function handlePending(node: LnNode, ch: Channel): void {
  const ids = ch.pendingInbound;
  ch.pendingInbound = [];
  for (const id of ids) handleInbound(node, ch, id);
}

function sendHeld(node: LnNode, ch: Channel, outbox: Message[]): void {
  for (const message of outbox.splice(0)) node.env.send(ch.peer, message);
}

function sign(node: LnNode, ch: Channel): void {
  chan.signCommitment(ch, io(node, ch), nextSeq(node.state));
  traceCommitment(node.env, ch, 'remote');
}
