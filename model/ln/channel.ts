// One channel's BOLT 2 state machine, as functions over the plain Channel
// record. Outgoing messages and monitor updates are handed to `ChannelIO`;
// the node decides when held messages may leave (never while a monitor
// update is in flight) and persists the monitor updates.
import type { Message } from '../../sim/node.ts';
import { adopt, immutable } from '../../sim/values.ts';
import { advance, inLocalCommit, inRemoteCommit, isFinalRemoved, isIrrevocablyReceived, isPendingSend, needsOurSignature, type DanceStep } from './htlc.ts';
import type { Channel, CommitHtlc, Commitment, Htlc, HtlcSource, MonitorUpdateBody, Onion, Removal } from './types.ts';

export interface ChannelIO {
  /** Queue a message for the peer (released in order once no monitor update is in flight). */
  queue(message: Message): void;
  /** Generate, apply and persist a monitor update for this channel. */
  monitorUpdate(body: MonitorUpdateBody): void;
  /** Planted bugs switched on. */
  readonly bugs: ReadonlySet<string>;
}

export class ProtocolError extends Error {}

export function openChannel(params: { id: string; peer: string; capacity: number; funding: { txid: string; vout: number }; localBalance: number }): Channel {
  // Never changed again (as every signed commitment, see buildCommitment): shared by every copy of the channel.
  const commit = (toHolder: number): Commitment => immutable({ number: 0, toHolder, toCounterparty: params.capacity - toHolder, htlcs: [] });
  return {
    id: params.id,
    peer: params.peer,
    capacity: params.capacity,
    funding: immutable(params.funding),
    status: 'open',
    htlcs: [],
    nextHtlcId: 0,
    nextUpdateSeq: 1,
    localCommit: commit(params.localBalance),
    remoteCommit: commit(params.capacity - params.localBalance),
    awaitingRevoke: false,
    localRevokedUpTo: -1,
    remoteRevokedUpTo: -1,
    lastRevokeSeq: 0,
    lastCommitSeq: 0,
    latestMonitorUpdateId: 0,
    inFlight: [],
    pendingInbound: [],
    blocked: [],
    blockers: [],
    resolvedOffered: [],
    // Set later (see channelRecord, whose order this follows): present from creation, so the channel keeps its shape.
    opening: undefined,
    revokedLocal: undefined,
    close: undefined,
    closeReason: undefined,
  };
}

/** What we could still offer: our balance in both commitments, less our adds not yet in them. */
export function spendable(ch: Channel): number {
  // One loop, no callbacks (summed in the same order as filter then reduce: the same numbers).
  let pendingOut = 0;
  let pendingOutRemote = 0;
  const htlcs = ch.htlcs;
  for (let i = 0; i < htlcs.length; i++) {
    const h = htlcs[i];
    if (!h.offered || h.removal) continue;
    if (!inLocalCommit(h.state)) pendingOut += h.amount;
    if (!inRemoteCommit(h.state)) pendingOutRemote += h.amount;
  }
  return Math.max(0, Math.min(ch.localCommit.toHolder - pendingOut, ch.remoteCommit.toCounterparty - pendingOutRemote));
}

export function addHtlc(ch: Channel, io: ChannelIO, params: { amount: number; hash: string; cltv: number; onion: Onion; source: HtlcSource }): Htlc {
  const htlc: Htlc = { id: ch.nextHtlcId++, offered: true, amount: params.amount, hash: params.hash, cltv: params.cltv, state: 'SENT_ADD_HTLC', updateSeq: ch.nextUpdateSeq++, onion: immutable(params.onion), source: immutable(params.source), removal: undefined };
  ch.htlcs.push(htlc);
  io.queue(addMessage(ch, htlc));
  return htlc;
}

export function receiveAdd(ch: Channel, message: Message): Htlc {
  const id = message.id as number;
  const existing = receivedHtlc(ch.htlcs, id);
  if (existing) throw new ProtocolError(`update_add_htlc ${id} already known in state ${existing.state}`);
  const htlc: Htlc = {
    id,
    offered: false,
    amount: message.amount as number,
    hash: message.hash as string,
    cltv: message.cltv as number,
    state: 'RCVD_ADD_HTLC',
    updateSeq: 0,
    onion: immutable(message.onion as Onion),
    source: undefined,
    removal: undefined,
  };
  ch.htlcs.push(htlc);
  return htlc;
}

/** Settle an HTLC the peer offered us (fulfill with the preimage, or fail). */
export function removeHtlc(ch: Channel, io: ChannelIO, htlcId: number, removal: Removal): boolean {
  const htlc = receivedHtlc(ch.htlcs, htlcId);
  if (!htlc || htlc.removal || !isIrrevocablyReceived(htlc.state)) return false;
  htlc.removal = removal;
  htlc.state = 'SENT_REMOVE_HTLC';
  htlc.updateSeq = ch.nextUpdateSeq++;
  io.queue(removalMessage(ch, htlc));
  return true;
}

/** The peer settles an HTLC we offered. Returns it (the caller learns the preimage or the failure). */
export function receiveRemoval(ch: Channel, message: Message, removal: Removal): Htlc {
  const id = message.id as number;
  const htlc = offeredHtlc(ch.htlcs, id);
  if (!htlc) throw new ProtocolError(`${message.type} for unknown HTLC ${id}`);
  if (htlc.removal || htlc.state !== 'SENT_ADD_ACK_REVOCATION') throw new ProtocolError(`${message.type} for HTLC ${id} in state ${htlc.state}`);
  htlc.removal = removal;
  htlc.state = 'RCVD_REMOVE_HTLC';
  return htlc;
}

export function hasChangesToSign(ch: Channel): boolean {
  const htlcs = ch.htlcs;
  for (let i = 0; i < htlcs.length; i++) if (needsOurSignature(htlcs[i].state)) return true;
  return false;
}

/** The HTLC the peer offered us with this id, if any (no channel: none; as htlcs.find, without a callback per call site). */
export function receivedHtlc(htlcs: readonly Htlc[] | undefined, id: number): Htlc | undefined {
  if (htlcs === undefined) return undefined;
  for (let i = 0; i < htlcs.length; i++) if (!htlcs[i].offered && htlcs[i].id === id) return htlcs[i];
  return undefined;
}

/** The HTLC we offered with this id. */
export function offeredHtlc(htlcs: readonly Htlc[], id: number): Htlc | undefined {
  for (let i = 0; i < htlcs.length; i++) if (htlcs[i].offered && htlcs[i].id === id) return htlcs[i];
  return undefined;
}

/** Sign the peer's next commitment: the monitor learns it first, then commitment_signed is queued. */
export function signCommitment(ch: Channel, io: ChannelIO, sequence: number): void {
  const previous = ch.remoteCommit;
  step(ch, 'sendCommit');
  ch.remoteCommit = buildCommitment(ch, previous, 'remote', io.bugs);
  ch.awaitingRevoke = true;
  ch.lastCommitSeq = sequence;
  io.monitorUpdate({ kind: 'counterparty-commitment', commitment: ch.remoteCommit });
  io.queue(commitMessage(ch));
}

/** How many of our own revoked commitments a channel keeps (for the adversarial counterparty fault only). */
export const REVOKED_KEPT = 2;

/** The peer signed our next commitment: the monitor learns it, then we revoke the previous one. */
export function receiveCommitment(ch: Channel, io: ChannelIO, message: Message, sequence: number): void {
  const number = message.number as number;
  if (number !== ch.localCommit.number + 1) throw new ProtocolError(`commitment_signed number ${number}, expected ${ch.localCommit.number + 1}`);
  const previous = ch.localCommit;
  step(ch, 'recvCommit');
  const next = buildCommitment(ch, previous, 'local', io.bugs);
  const claimed = message.digest as string;
  if (claimed !== digest(next)) throw new ProtocolError(`commitment ${number} mismatch: peer signed ${claimed}, we computed ${digest(next)}`);
  ch.localCommit = next;
  io.monitorUpdate({ kind: 'holder-commitment', commitment: next });
  // Revoke the previous commitment. The node holds the message until the monitor update above is durable.
  step(ch, 'sendRevoke');
  ch.localRevokedUpTo = next.number - 1;
  ch.revokedLocal = [...(ch.revokedLocal ?? []), previous].slice(-REVOKED_KEPT);
  ch.lastRevokeSeq = sequence;
  io.queue(revokeMessage(ch));
  prune(ch);
}

/** The peer revoked its previous commitment. Returns the HTLCs that became irrevocably ours to handle and the offered ones now fully failed. */
export function receiveRevoke(ch: Channel, io: ChannelIO, message: Message): { received: Htlc[]; failed: Htlc[] } {
  const number = message.number as number;
  if (!ch.awaitingRevoke || number !== ch.remoteCommit.number - 1) throw new ProtocolError(`revoke_and_ack for ${number}, expected ${ch.awaitingRevoke ? ch.remoteCommit.number - 1 : 'none'}`);
  const before = new Set<number>();
  for (const h of ch.htlcs) if (!h.offered && isIrrevocablyReceived(h.state)) before.add(h.id);
  step(ch, 'recvRevoke');
  ch.awaitingRevoke = false;
  ch.remoteRevokedUpTo = number;
  io.monitorUpdate({ kind: 'revocation', number });
  const received = ch.htlcs.filter((h) => !h.offered && isIrrevocablyReceived(h.state) && !before.has(h.id));
  const failed = ch.htlcs.filter((h) => h.offered && isFinalRemoved(h.state) && h.removal?.kind === 'fail');
  prune(ch);
  return { received, failed };
}

/** Forget what a disconnect makes the peer forget: updates it received but that no commitment covered. */
export function onDisconnect(ch: Channel): void {
  ch.htlcs = ch.htlcs.filter((h) => !(h.state === 'RCVD_ADD_HTLC'));
  for (const h of ch.htlcs) {
    if (h.state === 'RCVD_REMOVE_HTLC') {
      h.state = 'SENT_ADD_ACK_REVOCATION';
      h.removal = undefined;
    }
  }
}

export function reestablishMessage(ch: Channel): Message {
  return { type: 'channel_reestablish', channel: ch.id, nextCommitmentNumber: ch.localCommit.number + 1, nextRevocationNumber: ch.remoteRevokedUpTo + 1 };
}

/** The peer's channel_reestablish: retransmit what it missed, in the original order, then our unsigned updates. */
export function receiveReestablish(ch: Channel, io: ChannelIO, message: Message): void {
  const theirNextCommit = message.nextCommitmentNumber as number;
  const theirNextRevoke = message.nextRevocationNumber as number;
  let resendCommit: boolean;
  if (theirNextCommit === ch.remoteCommit.number) resendCommit = true;
  else if (theirNextCommit === ch.remoteCommit.number + 1) resendCommit = false;
  else throw new ProtocolError(`reestablish: peer expects commitment ${theirNextCommit}, we signed up to ${ch.remoteCommit.number}`);
  let resendRevoke: boolean;
  if (theirNextRevoke === ch.localRevokedUpTo && ch.localRevokedUpTo >= 0) resendRevoke = true;
  else if (theirNextRevoke === ch.localRevokedUpTo + 1) resendRevoke = false;
  else throw new ProtocolError(`reestablish: peer expects revocation ${theirNextRevoke}, we revoked up to ${ch.localRevokedUpTo}`);
  const commit = () => {
    const included = ch.htlcs.filter((h) => h.state === 'SENT_ADD_COMMIT' || h.state === 'SENT_REMOVE_COMMIT').sort((a, b) => a.updateSeq - b.updateSeq);
    for (const h of included) io.queue(h.state === 'SENT_ADD_COMMIT' ? addMessage(ch, h) : removalMessage(ch, h));
    io.queue(commitMessage(ch));
  };
  if (resendRevoke && resendCommit) {
    if (ch.lastRevokeSeq < ch.lastCommitSeq) {
      io.queue(revokeMessage(ch));
      commit();
    } else {
      commit();
      io.queue(revokeMessage(ch));
    }
  } else if (resendRevoke) io.queue(revokeMessage(ch));
  else if (resendCommit) commit();
  for (const h of ch.htlcs.filter((x) => isPendingSend(x.state)).sort((a, b) => a.updateSeq - b.updateSeq)) {
    io.queue(h.state === 'SENT_ADD_HTLC' ? addMessage(ch, h) : removalMessage(ch, h));
  }
}

/** Canonical text of a commitment's content: what a signature would cover. */
export function digest(c: Commitment): string {
  const htlcs = c.htlcs.map((h) => `${h.offeredByHolder ? 'o' : 'r'}${h.id}:${h.amount}`).join(',');
  return `${c.number}/${c.toHolder}/${c.toCounterparty}/${htlcs}`;
}

/** The commitment the peer holds, seen from the peer (as sent in commitment_signed). */
function commitMessage(ch: Channel): Message {
  return { type: 'commitment_signed', channel: ch.id, number: ch.remoteCommit.number, digest: digest(ch.remoteCommit) };
}

function revokeMessage(ch: Channel): Message {
  return { type: 'revoke_and_ack', channel: ch.id, number: ch.localRevokedUpTo };
}

function addMessage(ch: Channel, h: Htlc): Message {
  return { type: 'update_add_htlc', channel: ch.id, id: h.id, amount: h.amount, hash: h.hash, cltv: h.cltv, onion: h.onion };
}

function removalMessage(ch: Channel, h: Htlc): Message {
  if (h.removal?.kind === 'fulfill') return { type: 'update_fulfill_htlc', channel: ch.id, id: h.id, preimage: h.removal.preimage };
  return { type: 'update_fail_htlc', channel: ch.id, id: h.id, code: h.removal?.kind === 'fail' ? h.removal.code : 'unknown' };
}

function step(ch: Channel, s: DanceStep): void {
  for (const h of ch.htlcs) h.state = advance(h.state, s);
}

/** Drop HTLCs gone from both commitments for good. */
function prune(ch: Channel): void {
  ch.htlcs = ch.htlcs.filter((h) => !isFinalRemoved(h.state));
}

/**
 * The next commitment of one side, from the previous one: HTLCs that entered it
 * leave their offerer's balance; HTLCs that left it pay the receiver (fulfilled)
 * or go back to the offerer (failed).
 */
function buildCommitment(ch: Channel, previous: Commitment, side: 'local' | 'remote', bugs: ReadonlySet<string>): Commitment {
  const holderIsUs = side === 'local';
  const contains = side === 'local' ? inLocalCommit : inRemoteCommit;
  const before = new Map<number, CommitHtlc>();
  for (const h of previous.htlcs) before.set(commitKey(h.offeredByHolder, h.id), h);
  let toHolder = previous.toHolder;
  let toCounterparty = previous.toCounterparty;
  const htlcs: CommitHtlc[] = [];
  // The previous entries the channel still lists (kept or removed now): any other one vanished.
  const accounted = before.size > 0 ? new Set<number>() : undefined;
  for (const h of ch.htlcs) {
    const offeredByHolder = h.offered === holderIsUs;
    const key = commitKey(offeredByHolder, h.id);
    const was = before.get(key);
    if (contains(h.state)) {
      const source = h.offered && h.source ? h.source : undefined;
      const paid = !h.offered && h.onion?.paymentId !== undefined;
      const paymentId = paid ? h.onion!.paymentId : undefined;
      const paymentAmount = paid ? (h.onion!.totalAmount ?? h.amount) : undefined;
      // The previous commitment's entry for the HTLC, when it says the same, is shared (it is frozen already).
      const same = was !== undefined && was.amount === h.amount && was.hash === h.hash && was.cltv === h.cltv && was.source === source && was.payment?.paymentId === paymentId && was.payment?.amount === paymentAmount;
      // Every member present (see commitHtlcRecord), undefined ones too: one shape for every commitment HTLC.
      htlcs.push(same ? was : { id: h.id, offeredByHolder, amount: h.amount, hash: h.hash, cltv: h.cltv, source, payment: paid ? { paymentId: paymentId!, amount: paymentAmount! } : undefined });
      if (was === undefined) {
        if (offeredByHolder) toHolder -= h.amount;
        else toCounterparty -= h.amount;
      } else accounted!.add(key);
    } else if (was !== undefined) {
      // ln-fail-credit: a failed HTLC is settled as if fulfilled (both peers agree, so no signature check catches it).
      const fulfilled = h.removal?.kind === 'fulfill' || bugs.has('ln-fail-credit');
      // Fulfilled: the receiver gets it; failed: it returns to the offerer.
      if (offeredByHolder === fulfilled) toCounterparty += h.amount;
      else toHolder += h.amount;
      accounted!.add(key);
    }
  }
  if (accounted !== undefined && accounted.size !== before.size) vanished(ch, before, accounted, side);
  if (htlcs.length > 1) htlcs.sort((a, b) => (a.offeredByHolder === b.offeredByHolder ? a.id - b.id : a.offeredByHolder ? -1 : 1));
  // Signed and never changed again: shared, not copied, by every snapshot of the manager and the monitors. Built
  // here and held by nothing else, so frozen as it is rather than copied.
  return adopt({ number: previous.number + 1, toHolder, toCounterparty, htlcs });
}

/** An HTLC's key in a commitment: a number, not a string built per HTLC and commitment (see commitName). */
function commitKey(offeredByHolder: boolean, id: number): number {
  return offeredByHolder ? id * 2 + 1 : id * 2;
}

/** How an error names a commitKey: o<id> (offered by the holder) or r<id>. */
function commitName(key: number): string {
  return `${key % 2 === 1 ? 'o' : 'r'}${(key - (key % 2)) / 2}`;
}

/** A previous commitment's HTLC that the channel no longer lists: a model bug, reported with the first one. */
function vanished(ch: Channel, before: ReadonlyMap<number, CommitHtlc>, accounted: ReadonlySet<number>, side: string): never {
  for (const key of before.keys()) if (!accounted.has(key)) throw new Error(`channel ${ch.id}: HTLC ${commitName(key)} vanished from the ${side} commitment without a removal`);
  throw new Error('unreachable: fewer accounted entries than previous ones, all of them accounted');
}

export function commitmentTotal(c: Commitment): number {
  return c.toHolder + c.toCounterparty + c.htlcs.reduce((s, h) => s + h.amount, 0);
}

