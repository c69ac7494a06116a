// What each new block makes due: HTLC expiries (fail back, go on-chain) and openings that stalled or never confirmed.
import * as open from '../open.ts';
import { closeChannel } from './closing.ts';
import { markDirty } from './manager.ts';
import { abandonNegotiation } from './opening.ts';
import { failInbound } from './settle-inbound.ts';
import type { CommitHtlc, Monitor } from '../types.ts';
import { channelOf, type LnNode } from './state.ts';

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
    if (m.closed) continue;
    const ch = channelOf(node.state, m.channel);
    if (ch?.status !== 'open') continue;
    const durable = node.state.durableHolder[m.channel];
    const late = lateHtlc(node, m, m.holderCommitment.htlcs, height) ?? (durable && durable !== m.holderCommitment ? lateHtlc(node, m, durable.htlcs, height) : undefined);
    if (late) closeChannel(node, ch, late.offeredByHolder ? 'htlc-timeout' : 'claim-onchain', { htlc: late.offeredByHolder ? late.id : undefined });
  }
  for (const p of node.state.mgr.claimable) {
    if (p.status !== 'claimable') continue;
    // ln-failback-late: an unclaimed payment's parts are failed back only at their expiry, not failBackBefore blocks ahead.
    const failBackAt = node.bugs.has('ln-failback-late') ? 0 : node.params.failBackBefore;
    if (!partDue(p.parts, height, failBackAt)) continue;
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

/** The first HTLC of a monitor's commitment that is late at this height (the monitor closes the channel for it). */
function lateHtlc(node: LnNode, m: Monitor, htlcs: readonly CommitHtlc[], height: number): CommitHtlc | undefined {
  for (const h of htlcs) {
    if (h.offeredByHolder ? height >= h.cltv + node.params.timeoutBefore : (m.preimages[h.hash] ?? node.state.knownPreimages[h.hash]) !== undefined && height >= h.cltv - node.params.claimOnChainBefore) return h;
  }
  return undefined;
}

/** Some part is within `margin` blocks of its expiry at this height. */
function partDue(parts: readonly { readonly cltv: number }[], height: number, margin: number): boolean {
  for (const part of parts) if (height >= part.cltv - margin) return true;
  return false;
}

/** Per block: negotiations that stalled, fundings that never confirmed, a funding broadcast to repeat. */
export function openingBlock(node: LnNode): void {
  const height = node.env.chain.height;
  // Both lists are replaced, never changed in place, when an entry goes (and only grow at the end): walking the
  // array as it was, up to its length then, visits what a copy would.
  const negotiations = node.state.negotiations;
  for (let i = 0, n = negotiations.length; i < n; i++) if (open.negotiationExpired(negotiations[i], height, node.params)) abandonNegotiation(node, negotiations[i], 'timeout');
  const channels = node.state.mgr.channels;
  for (let i = 0, n = channels.length; i < n; i++) {
    const ch = channels[i];
    // A ready channel can neither time out nor need its funding rebroadcast (open.fundingTimedOut, fundingToRebroadcast).
    if (!ch.opening || ch.opening.stage === 'ready' || ch.status !== 'open') continue;
    const confirmations = node.env.chain.confirmations(ch.funding.txid);
    if (open.fundingTimedOut(ch, height, confirmations, node.params)) {
      closeChannel(node, ch, 'funding-timeout');
      continue;
    }
    const tx = open.fundingToRebroadcast(ch, confirmations, node.env.chain.inMempool(ch.funding.txid));
    if (tx) node.env.broadcast(tx);
  }
}
