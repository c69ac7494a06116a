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
    if (!progressed) return true;
  }
  return false;
}
