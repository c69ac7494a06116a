// Closing a channel (force-close, or marking a cooperative close) and following it on-chain: the monitor watches
// the chain, and the manager processes what it learned (each monitor event once per incarnation).
import { fullyResolved } from '../archive.ts';
import type { ChainView } from '../../../sim/node.ts';
import { chainEvents, cooperativeEvents, type MonitorEvent, monitorEventKey, type ProcessedMonitorEvent } from '../monitor-events.ts';
import { type ChainWatch, watchChain } from '../monitor.ts';
import type { Channel, Htlc, Monitor } from '../types.ts';
import { offeredResolved } from './forwarding.ts';
import { markDirty, pushEvent } from './manager.ts';
import { monitorUpdate } from './monitor-updates.ts';
import { forgetChannel } from './opening.ts';
import { claimedOnChain } from './payments.ts';
import { channelOf, type LnNode, type LnState, monitorOf } from './state.ts';
import { packedMap } from '../packed.ts';

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

/** The cooperative close is signed (or confirmed): the channel is closed and the application told. */
export function markCoopClosed(node: LnNode, ch: Channel): void {
  ch.status = 'closed';
  ch.closeReason = 'cooperative';
  node.state.outbox[ch.id] = [];
  ch.pendingInbound = [];
  node.env.trace('coop-close', { channel: ch.id, toUs: ch.localCommit.toHolder, toPeer: ch.localCommit.toCounterparty });
  pushEvent(node, { type: 'ChannelClosed', channel: ch.id, reason: 'cooperative' });
}

/** The monitor looks at the chain (broadcasting what it must); the manager then processes what it learned. */
export function watch(node: LnNode, m: Monitor): void {
  // Most blocks, most monitors: an open channel whose funding is unspent has nothing to broadcast nor to learn.
  if (!m.closed && m.closingTx === undefined && node.env.chain.spender(m.funding) === undefined) return;
  const memo = watchMemo(node, m);
  const w = memo.w;
  for (const tx of w.broadcasts) node.env.broadcast(tx);
  const ch = channelOf(node.state, m.channel);
  if (!ch) return;
  if (w.cooperative) watchCooperative(node, m, ch);
  else if (w.confirmedCommitment) watchConfirmed(node, m, ch, memo);
}

/** The peer broadcast the closing transaction we agreed on (perhaps before we finished our side). */
function watchCooperative(node: LnNode, m: Monitor, ch: Channel): void {
  const managerOffered = ch.htlcs.filter((h) => h.offered);
  if (ch.status === 'open') markCoopClosed(node, ch);
  processMonitorEvents(node, cooperativeEvents(m.channel, managerOffered, (hash) => knownPreimage(node.state, hash)));
  if (ch.htlcs.length > 0) {
    ch.htlcs = [];
    markDirty(node);
  }
}

/** A commitment confirmed: the channel is closed, and the manager processes what the monitor learned. */
function watchConfirmed(node: LnNode, m: Monitor, ch: Channel, memo: WatchMemo): void {
  const w = memo.w;
  // The manager's offered HTLCs as they were before the close (closeChannel may drop some: ldk-3989).
  let managerOffered: Htlc[] | undefined;
  if (ch.status === 'open') {
    managerOffered = ch.htlcs.filter((h) => h.offered);
    closeChannel(node, ch, 'commitment-confirmed');
  }
  // The events' keys follow from the watch, the monitor and the manager's offered HTLCs: when none of these changed
  // since every one of them was processed (the processed list only grows), processing them again does nothing.
  const processed = node.state.monitorEvents[m.channel];
  const seen = memo.events;
  if (seen === undefined || seen.processed !== processed || !sameOffered(seen.offered, managerOffered ?? ch.htlcs, managerOffered === undefined)) {
    managerOffered ??= ch.htlcs.filter((h) => h.offered);
    processMonitorEvents(node, chainEvents(m, w, managerOffered, (hash) => knownPreimage(node.state, hash)));
    memo.events = { processed: node.state.monitorEvents[m.channel], offered: packedMap(managerOffered, (h) => h.id) };
  }
  // Inbound HTLCs the confirmed commitment does not carry are gone: nothing to claim or fail.
  if (w.fullyResolved && ch.htlcs.length > 0 && ch.htlcs.every((h) => !h.offered || ch.resolvedOffered.includes(h.id))) {
    ch.htlcs = [];
    markDirty(node);
  }
}

/**
 * The first height at which watching the monitor again could act (broadcast, close, process an event, drop HTLCs),
 * with the state and the chain's transactions as they are now; 0: it could act now. Mirrors watch, on the memo the
 * watch would use now (made here when the last no longer holds: watchChain is pure, and the block's watch finds it).
 */
export function watchQuietUntil(node: LnNode, m: Monitor): number {
  const chain = node.env.chain;
  if (!m.closed && m.closingTx === undefined && chain.spender(m.funding) === undefined) return Infinity;
  const memo = watchMemo(node, m);
  const w = memo.w;
  if (w.broadcasts.length > 0) return 0;
  const ch = channelOf(node.state, m.channel);
  if (ch === undefined) return w.stableBelow;
  if (w.cooperative) return ch.status === 'open' || ch.htlcs.length > 0 ? 0 : w.stableBelow;
  if (!w.confirmedCommitment) return w.stableBelow;
  if (ch.status === 'open') return 0;
  const seen = memo.events;
  if (seen === undefined || seen.processed !== node.state.monitorEvents[m.channel] || !sameOffered(seen.offered, ch.htlcs, true)) return 0;
  if (w.fullyResolved && ch.htlcs.length > 0 && ch.htlcs.every((h) => !h.offered || ch.resolvedOffered.includes(h.id))) return 0;
  return w.stableBelow;
}

/**
 * A monitor's last chain watch, with what it was computed from. watchChain is pure: it reads the monitor (changed
 * only by applyUpdate, which bumps updateId), the chain (its revision, and the height up to w.stableBelow) and the
 * preimages still persisting; with all of them unchanged, watching again gives the same answer.
 */
interface WatchMemo {
  readonly chain: ChainView;
  readonly revision: number;
  readonly updateId: number;
  readonly withheld: readonly string[];
  /** withheld.length, read instead of it: the memo's own number, whatever kind of array the hashes came in. */
  readonly withheldCount: number;
  readonly w: ChainWatch;
  /** The events of `w` were all processed into `processed` (by identity) with these manager-offered HTLC ids. */
  events: { readonly processed: readonly ProcessedMonitorEvent[] | undefined; readonly offered: readonly number[] } | undefined;
}

const watchMemos = new WeakMap<Monitor, WatchMemo>();
const NO_HASHES: readonly string[] = [];

function watchMemo(node: LnNode, m: Monitor): WatchMemo {
  const chain = node.env.chain;
  const persisting = node.state.preimagesPersisting[m.channel];
  const last = watchMemos.get(m);
  const revision = chain.revision;
  if (last !== undefined && chain.height < last.w.stableBelow && memoCurrent(node, m, last)) return last;
  const withheld = persisting === undefined || persisting.length === 0 ? NO_HASHES : packedMap(persisting, (p) => p.hash);
  // ln-penalty-no-htlc / ln-penalty-late: how the monitor answers a revoked commitment deviates.
  const penalty = { skipHtlcs: node.bugs.has('ln-penalty-no-htlc'), delay: node.bugs.has('ln-penalty-late') ? m.toSelfDelay : 0 };
  const w = watchChain(m, chain, { dropClosedPreimages: node.bugs.has('ln-closed-preimage-ignored'), withheld, urgentWithin: node.params.claimOnChainBefore, penalty });
  // Without a revision (a chain view that does not count its changes) the memo never matches: NaN equals nothing.
  // Every field set here, `events` too (undefined until processed): one shape for every memo.
  const memo: WatchMemo = { chain, revision: revision ?? NaN, updateId: m.updateId, withheld, withheldCount: withheld.length, w, events: sameEvents(last, chain, m, w) ? last!.events : undefined };
  watchMemos.set(m, memo);
  return memo;
}

/**
 * The events of `w` have the keys those of the last watch had (so what was processed of them still holds): the same
 * confirmed commitment (so the same HTLC outputs), as many of its HTLC outputs resolved (spends are never undone, so
 * the same ones, the same way) and the same monitor (the same commitments, so the same HTLCs offered). Most new
 * watches of a closed channel follow a change elsewhere on the chain and find these unchanged.
 */
function sameEvents(last: WatchMemo | undefined, chain: ChainView, m: Monitor, w: ChainWatch): boolean {
  if (last === undefined || last.events === undefined || last.chain !== chain || last.updateId !== m.updateId) return false;
  const before = last.w.confirmedCommitment;
  const now = w.confirmedCommitment;
  return before !== undefined && now !== undefined && before.txid === now.txid && last.w.resolutions.length === w.resolutions.length;
}

/** The memo was computed from this monitor, this chain (at its revision) and the preimages withheld now (any height). */
function memoCurrent(node: LnNode, m: Monitor, memo: WatchMemo): boolean {
  const chain = node.env.chain;
  return memo.updateId === m.updateId && memo.revision === chain.revision && memo.chain === chain && sameHashes(memo, node.state.preimagesPersisting[m.channel]);
}

function sameHashes(memo: WatchMemo, persisting: readonly { hash: string }[] | undefined): boolean {
  const n = persisting === undefined ? 0 : persisting.length;
  if (memo.withheldCount !== n) return false;
  for (let i = 0; i < n; i++) if (memo.withheld[i] !== persisting![i].hash) return false;
  return true;
}

/** `ids` are those of `htlcs` (only of the offered ones, if `offeredOnly`), in order. */
function sameOffered(ids: readonly number[], htlcs: readonly Htlc[], offeredOnly: boolean): boolean {
  let k = 0;
  for (const h of htlcs) {
    if (offeredOnly && !h.offered) continue;
    if (k >= ids.length || ids[k] !== h.id) return false;
    k++;
  }
  return k === ids.length;
}

/** A preimage any of our monitors knows for this hash. */
export function knownPreimage(state: LnState, hash: string): string | undefined {
  for (const m of state.monitors) if (m.preimages[hash] !== undefined) return m.preimages[hash];
  return undefined;
}

/**
 * The manager processes what a monitor learned on-chain, each event once per incarnation, and remembers what
 * makes its effect durable: until then the event is pending and its monitor is not archived.
 */
export function processMonitorEvents(node: LnNode, events: readonly MonitorEvent[]): void {
  for (const e of events) {
    const processed = (node.state.monitorEvents[e.channel] ??= []);
    if (processed.some((p) => sameEventKey(p.event, e))) continue;
    const key = monitorEventKey(e);
    // Literals, not a spread of an optional member: the same data in the same order, without a spread's object.
    node.env.trace('monitor-event', e.kind === 'offered-settled' ? { channel: e.channel, event: key, outcome: e.outcome.kind } : { channel: e.channel, event: key });
    if (e.kind === 'claimed-on-chain') claimedOnChain(node, e.hash, e.payment);
    else offeredResolved(node, channelOf(node.state, e.channel)!, e.htlc, e.outcome);
    const upstream = e.kind === 'offered-settled' && e.outcome.kind === 'fulfill' && e.htlc.source?.kind === 'forward' ? e.htlc.source.channel : undefined;
    // One shape for every entry (upstream undefined when there is none): effectDurable reads them all.
    processed.push({ event: e, recordedBy: node.state.managerWriteCount + 1, upstream });
    // The next manager write records the processing (even when it changed nothing: the event must stop being pending).
    markDirty(node);
  }
}

/** monitorEventKey(a) === monitorEventKey(b), without building either key. */
function sameEventKey(a: MonitorEvent, b: MonitorEvent): boolean {
  if (a.kind === 'offered-settled') return b.kind === 'offered-settled' && (a.htlc.id === b.htlc.id || String(a.htlc.id) === String(b.htlc.id));
  return b.kind === 'claimed-on-chain' && a.hash === b.hash;
}
