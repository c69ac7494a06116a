// What each new block makes due: HTLC expiries (fail back, go on-chain) and openings that stalled or never confirmed.
import * as open from '../open.ts';
import { receivedHtlc } from '../channel.ts';
import { archiveDueFrom } from './archiving.ts';
import { blockerResolved } from './blockers.ts';
import { closeChannel, watchQuietUntil } from './closing.ts';
import { markDirty } from './manager.ts';
import { abandonNegotiation } from './opening.ts';
import { failInbound } from './settle-inbound.ts';
import type { Channel, ClaimablePayment, CommitHtlc, Htlc, Monitor } from '../types.ts';
import { channelOf, type LnNode, type LnState } from './state.ts';

/**
 * Expiry rules: fail back what we will not claim, go on-chain for what the peer does not settle. One small function
 * per rule and per item (each compiles on its own: a new shape of one item re-optimizes only its own part).
 */
export function checkExpiries(node: LnNode): void {
  const height = node.env.chain.height;
  // Indexed loops over each list as it is when its loop starts, as for-of walks it (a list replaced meanwhile, as
  // forgetChannel does, is not the one walked; an entry pushed onto it is).
  const channels = node.state.mgr.channels;
  for (let i = 0; i < channels.length; i++) if (channels[i].status === 'open') channelExpiry(node, channels[i], height);
  // The monitor's own view: its latest holder commitment may lag the manager's (updates held or in flight).
  const monitors = node.state.monitors;
  for (let i = 0; i < monitors.length; i++) if (!monitors[i].closed) monitorExpiry(node, monitors[i], height);
  const claimable = node.state.mgr.claimable;
  for (let i = 0; i < claimable.length; i++) if (claimable[i].status === 'claimable') claimableExpiry(node, claimable[i], height);
}

/** The manager's view: the first HTLC of the channel due on-chain closes it. */
function channelExpiry(node: LnNode, ch: Channel, height: number): void {
  const htlcs = ch.htlcs;
  for (let k = 0; k < htlcs.length; k++) {
    const h = htlcs[k];
    if (height >= htlcDueAt(node, h)) return h.offered ? closeChannel(node, ch, 'htlc-timeout', { htlc: h.id }) : closeChannel(node, ch, 'claim-onchain');
  }
}

/**
 * The height from which the manager takes a channel on-chain for this HTLC (Infinity: none): an offered one the peer
 * has not removed, timeoutBefore blocks before its expiry; a received one we fulfilled, claimOnChainBefore before it.
 */
function htlcDueAt(node: LnNode, h: Htlc): number {
  if (h.offered) return h.removal === undefined && h.state !== 'SENT_ADD_HTLC' ? h.cltv - node.params.timeoutBefore : Infinity;
  return h.removal?.kind === 'fulfill' ? h.cltv - node.params.claimOnChainBefore : Infinity;
}

function monitorExpiry(node: LnNode, m: Monitor, height: number): void {
  const ch = channelOf(node.state, m.channel);
  if (ch?.status !== 'open') return;
  const durable = node.state.durableHolder[m.channel];
  const late = lateHtlc(node, m, m.holderCommitment.htlcs, height) ?? (durable && durable !== m.holderCommitment ? lateHtlc(node, m, durable.htlcs, height) : undefined);
  if (late) closeChannel(node, ch, late.offeredByHolder ? 'htlc-timeout' : 'claim-onchain', { htlc: late.offeredByHolder ? late.id : undefined });
}

function claimableExpiry(node: LnNode, p: ClaimablePayment, height: number): void {
  if (partDue(p.parts, height, failBackMargin(node))) expireClaimable(node, p);
}

/** Blocks before its expiry at which an unclaimed payment's part is failed back. */
function failBackMargin(node: LnNode): number {
  // ln-failback-late: an unclaimed payment's parts are failed back only at their expiry, not failBackBefore blocks ahead.
  return node.bugs.has('ln-failback-late') ? 0 : node.params.failBackBefore;
}

function expireClaimable(node: LnNode, p: ClaimablePayment): void {
  p.status = 'claimed';
  node.env.trace('expire-claimable', { paymentId: p.paymentId, hash: p.hash });
  for (const part of p.parts) {
    const ch = channelOf(node.state, part.channel);
    const htlc = receivedHtlc(ch?.htlcs, part.htlcId);
    if (ch && htlc) failInbound(node, ch, htlc, 'incorrect_or_unknown_payment_details');
  }
  markDirty(node);
}

/** The first HTLC of a monitor's commitment that is late at this height (the monitor closes the channel for it). */
function lateHtlc(node: LnNode, m: Monitor, htlcs: readonly CommitHtlc[], height: number): CommitHtlc | undefined {
  for (const h of htlcs) if (height >= lateAt(node, m, h)) return h;
  return undefined;
}

/**
 * The height from which the monitor finds this HTLC of its commitment late (Infinity: never): an offered one
 * timeoutBefore blocks after its expiry; a received one whose preimage we know, claimOnChainBefore blocks before it.
 */
function lateAt(node: LnNode, m: Monitor, h: CommitHtlc): number {
  if (h.offeredByHolder) return h.cltv + node.params.timeoutBefore;
  return (m.preimages[h.hash] ?? node.state.knownPreimages[h.hash]) !== undefined ? h.cltv - node.params.claimOnChainBefore : Infinity;
}

/** Some part is within `margin` blocks of its expiry at this height. */
function partDue(parts: readonly { readonly cltv: number }[], height: number, margin: number): boolean {
  for (const part of parts) if (height >= part.cltv - margin) return true;
  return false;
}

/**
 * The first height at which a block could make this node do anything, with its state and the chain's transactions as
 * they are now (a block only adds height: onBlock may skip the blocks below it, see behaviour.ts); 0 when a block could
 * act at any height. It mirrors each rule a block runs, in order:
 * - watch: an open monitor with its funding unspent has nothing to do; any other, until its watch changes (watchQuietUntil);
 * - checkExpiries: every HTLC and claimable part whose expiry rule can fire gives the height it fires at;
 * - openingBlock: a negotiation times out at its height; an opening not yet ready depends on confirmations (work);
 * - archiveDue: closed monitors as their spends get deeper (archiveDueFrom);
 * - pump: its last pass moved nothing (`settled`), and releaseBlocked would change nothing (blockersIdle).
 */
export function quietUntil(node: LnNode, settled: boolean): number {
  if (!settled) return 0;
  const { state, params } = node;
  let until = archiveDueFrom(node);
  const monitors = state.monitors;
  for (let i = 0; i < monitors.length && until > 0; i++) {
    const m = monitors[i];
    until = Math.min(until, watchQuietUntil(node, m));
    if (m.closed || channelOf(state, m.channel)?.status !== 'open') continue;
    until = Math.min(until, lateFrom(node, m, m.holderCommitment.htlcs));
    const durable = state.durableHolder[m.channel];
    if (durable && durable !== m.holderCommitment) until = Math.min(until, lateFrom(node, m, durable.htlcs));
  }
  if (until === 0) return 0;
  const channels = state.mgr.channels;
  for (let i = 0; i < channels.length; i++) {
    const ch = channels[i];
    if (!blockersIdle(state, ch)) return 0;
    if (ch.status !== 'open') continue;
    if (ch.opening !== undefined && ch.opening.stage !== 'ready') return 0;
    const htlcs = ch.htlcs;
    for (let k = 0; k < htlcs.length; k++) until = Math.min(until, htlcDueAt(node, htlcs[k]));
  }
  const claimable = state.mgr.claimable;
  if (claimable.length > 0) {
    const margin = failBackMargin(node);
    for (const p of claimable) if (p.status === 'claimable') for (const part of p.parts) until = Math.min(until, part.cltv - margin);
  }
  for (const n of state.negotiations) until = Math.min(until, n.startedAt + params.negotiationTimeout);
  return until;
}

/**
 * releaseBlocked would leave the channel as it is: no blocker resolved (nothing to drop) and, unless one still blocks,
 * no update held (nothing to release). Blockers resolve on the node's state alone, never on the height: a channel
 * waiting on one stays quiet until some other callback changes that state.
 */
function blockersIdle(state: LnState, ch: Channel): boolean {
  const blockers = ch.blockers;
  if (blockers.length === 0) return ch.blocked.length === 0;
  for (let i = 0; i < blockers.length; i++) if (blockerResolved(state, blockers[i])) return false;
  return true;
}

/** The first height at which lateHtlc finds one of `htlcs` late. */
function lateFrom(node: LnNode, m: Monitor, htlcs: readonly CommitHtlc[]): number {
  let until = Infinity;
  for (let k = 0; k < htlcs.length; k++) until = Math.min(until, lateAt(node, m, htlcs[k]));
  return until;
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
