// Channel establishment (BOLT 2 "Channel Establishment", v1) as plain data and
// pure functions over it; the node wires them to its peers, disk and chain.
//
//   funder                                   fundee
//   open_channel        ───────────────────▶
//                       ◀─────────────────── accept_channel
//   funding_created     ───────────────────▶ creates its ChannelMonitor (first write);
//   (funding outpoint, signature of the       funding_signed only once that write is durable
//    fundee's first commitment)
//                       ◀─────────────────── funding_signed
//   creates its ChannelMonitor (first write);
//   broadcasts the funding tx only once that write is durable
//   channel_ready       ◀──────────────────▶ channel_ready   (funding buried fundingDepth blocks)
//
// Before a side has a monitor, the opening is a `Negotiation`: memory only, forgotten on
// disconnect or restart (as LDK drops unfunded channels). From the monitor's creation on it is a
// Channel in the manager with a `ChannelOpening`, and the manager persists it on its own schedule:
// it can be durable while the monitor's first write is still in progress (InProgress). A restart
// that finds such a channel without a monitor drops it (rust-lightning #1678): its first monitor
// write never completed, so the fundee never sent funding_signed and the funder never broadcast
// the funding transaction; nothing was signed away, nothing is on-chain. The peer learns it when
// it reestablishes (an error for an unknown channel) and forgets its side too, since the funding
// never confirmed; a fundee also gives up on a funding that does not confirm in time.
import type { Tx } from '../../sim/chain.ts';
import type { Message } from '../../sim/node.ts';
import { digest, openChannel } from './channel.ts';
import { newMonitor } from './monitor.ts';
import type { Channel, ChannelOpening, Monitor } from './types.ts';

/** CSV delay on each side's own output of a commitment (the same for every channel of the model). */
export const TO_SELF_DELAY = 6;

/** A confirmed wallet output of the funder; the funding transaction spends it, the remainder returns as change. */
export interface Coin {
  readonly txid: string;
  readonly vout: number;
  readonly value: number;
}

/** Workload command: the funder opens `channel` to `peer`, funding `capacity` from `coin`. */
export interface OpenCommand {
  readonly type: 'open';
  readonly channel: string;
  readonly peer: string;
  readonly capacity: number;
  readonly coin: Coin;
}

/** An opening before our monitor exists. Never persisted: a disconnect or a restart forgets it. */
export interface Negotiation {
  readonly channel: string;
  readonly peer: string;
  readonly role: 'funder' | 'fundee';
  readonly capacity: number;
  /** Block height when it started (a negotiation that stalls is abandoned). */
  readonly startedAt: number;
  /** Funder: the coin it will spend. */
  readonly coin?: Coin;
  /** done: the channel exists (with our monitor); the node then forgets the negotiation. */
  stage: 'open-sent' | 'accept-sent' | 'funding-created' | 'done';
  /** Funder, once it sent funding_created: the funding transaction and the channel it will open. */
  funded?: { readonly tx: Tx; readonly channel: Channel };
}

/** Timing of openings, in blocks. */
export interface OpeningParams {
  /** Confirmations of the funding transaction before channel_ready. */
  readonly fundingDepth: number;
  /** A fundee forgets a channel whose funding has not confirmed this many blocks after it was created. */
  readonly fundingTimeout: number;
  /** A negotiation that has not reached a monitor after this many blocks is abandoned. */
  readonly negotiationTimeout: number;
}

/** Messages the negotiation handles (no Channel exists for them yet on at least one side). */
export const NEGOTIATION_MESSAGES: readonly string[] = ['open_channel', 'accept_channel', 'funding_created', 'funding_signed'];

export type OpenResult<T> = T | { readonly error: string };

export function isError<T>(r: OpenResult<T>): r is { readonly error: string } {
  return typeof r === 'object' && r !== null && 'error' in r;
}

// ---- funder -----------------------------------------------------------------

export function startOpen(command: OpenCommand, height: number): { negotiation: Negotiation; message: Message } {
  const negotiation: Negotiation = { channel: command.channel, peer: command.peer, role: 'funder', capacity: command.capacity, startedAt: height, coin: command.coin, stage: 'open-sent' };
  return { negotiation, message: { type: 'open_channel', channel: command.channel, capacity: command.capacity, push: 0, toSelfDelay: TO_SELF_DELAY } };
}

/** The funding transaction: the coin into a 2-of-2 output of exactly the capacity, change back to the funder. */
export function fundingTx(channel: string, funder: string, capacity: number, coin: Coin): Tx {
  const change = coin.value - capacity;
  return {
    txid: `funding/${channel}`,
    inputs: [{ txid: coin.txid, vout: coin.vout }],
    outputs: [{ value: capacity, script: `funding/${channel}` }, ...(change > 0 ? [{ value: change, script: `wallet/${funder}` }] : [])],
    label: 'funding',
  };
}

/** accept_channel: build the funding transaction and sign the fundee's first commitment (funding_created). */
export function receiveAccept(n: Negotiation, us: string): OpenResult<Message> {
  if (n.role !== 'funder' || n.stage !== 'open-sent' || !n.coin) return { error: `accept_channel for ${n.channel} in stage ${n.stage}` };
  if (n.coin.value < n.capacity) return { error: `coin ${n.coin.txid}:${n.coin.vout} holds ${n.coin.value}, less than the capacity ${n.capacity}` };
  const tx = fundingTx(n.channel, us, n.capacity, n.coin);
  const channel = openChannel({ id: n.channel, peer: n.peer, capacity: n.capacity, funding: { txid: tx.txid, vout: 0 }, localBalance: n.capacity });
  n.funded = { tx, channel };
  n.stage = 'funding-created';
  return { type: 'funding_created', channel: n.channel, funding: channel.funding, digest: digest(channel.remoteCommit) };
}

/** funding_signed: the fundee signed our first commitment; the channel is funded and its monitor is created. */
export function receiveFundingSigned(n: Negotiation, us: string, message: Message, height: number): OpenResult<{ channel: Channel; monitor: Monitor }> {
  if (n.role !== 'funder' || n.stage !== 'funding-created' || !n.funded) return { error: `funding_signed for ${n.channel} in stage ${n.stage}` };
  const { channel, tx } = n.funded;
  if (message.digest !== digest(channel.localCommit)) return { error: `funding_signed for ${n.channel} signs ${String(message.digest)}, our first commitment is ${digest(channel.localCommit)}` };
  channel.opening = { role: 'funder', stage: 'first-write', createdAt: height, fundingTx: tx, readySent: false, peerReady: false };
  n.stage = 'done';
  return { channel, monitor: monitorFor(channel, us) };
}

// ---- fundee -----------------------------------------------------------------

export function receiveOpen(message: Message, from: string, height: number): OpenResult<{ negotiation: Negotiation; message: Message }> {
  const capacity = message.capacity as number;
  if (!(capacity > 0) || message.push !== 0) return { error: `open_channel ${String(message.channel)}: capacity ${capacity}, push ${String(message.push)} (only unpushed channels are modelled)` };
  const negotiation: Negotiation = { channel: message.channel as string, peer: from, role: 'fundee', capacity, startedAt: height, stage: 'accept-sent' };
  return { negotiation, message: { type: 'accept_channel', channel: negotiation.channel } };
}

/** funding_created: the channel exists from here on, with our monitor; funding_signed waits for its first write. */
export function receiveFundingCreated(n: Negotiation, us: string, message: Message, height: number): OpenResult<{ channel: Channel; monitor: Monitor }> {
  if (n.role !== 'fundee' || n.stage !== 'accept-sent') return { error: `funding_created for ${n.channel} in stage ${n.stage}` };
  const funding = message.funding as { txid: string; vout: number };
  const channel = openChannel({ id: n.channel, peer: n.peer, capacity: n.capacity, funding: { txid: funding.txid, vout: funding.vout }, localBalance: 0 });
  if (message.digest !== digest(channel.localCommit)) return { error: `funding_created for ${n.channel} signs ${String(message.digest)}, our first commitment is ${digest(channel.localCommit)}` };
  channel.opening = { role: 'fundee', stage: 'first-write', createdAt: height, fundingTx: undefined, readySent: false, peerReady: false };
  n.stage = 'done';
  return { channel, monitor: monitorFor(channel, us) };
}

function monitorFor(ch: Channel, us: string): Monitor {
  return newMonitor({ channel: ch.id, holder: us, counterparty: ch.peer, capacity: ch.capacity, funding: ch.funding, holderCommitment: ch.localCommit, counterpartyCommitment: ch.remoteCommit, toSelfDelay: TO_SELF_DELAY });
}

// ---- both sides, once the channel exists ------------------------------------

/** What the first monitor write's durability releases: the fundee's funding_signed, or the funder's funding broadcast. */
export function firstWriteDurable(ch: Channel): { send?: Message; broadcast?: Tx } {
  const o = ch.opening;
  if (!o || o.stage !== 'first-write') return {};
  o.stage = 'funding';
  if (o.role === 'fundee') return { send: { type: 'funding_signed', channel: ch.id, digest: digest(ch.remoteCommit) } };
  return { broadcast: o.fundingTx };
}

/**
 * Restart rule (rust-lightning #1678): a channel the manager knows but no monitor backs may be dropped
 * only if its monitor's first write never completed. Then nothing left this node (no funding_signed,
 * no funding broadcast) and dropping it is the same as the peer disconnecting before funding_signed.
 */
export function firstWriteNeverCompleted(ch: Channel): boolean {
  return ch.opening?.stage === 'first-write';
}

/** Whether the channel may carry HTLCs: a channel from genesis always; one opened at runtime once both channel_ready crossed. */
export function usable(ch: Channel): boolean {
  return ch.opening === undefined || ch.opening.stage === 'ready';
}

/** Our channel_ready is due for the first time (the caller checks that the channel is connected, reestablished and not paused). */
export function readyDue(ch: Channel, confirmations: number, p: OpeningParams): boolean {
  const o = ch.opening;
  return o !== undefined && o.stage === 'funding' && !o.readySent && confirmations >= p.fundingDepth;
}

/**
 * BOLT 2: after a reconnect, a peer whose channel_reestablish asks for commitment 1 (no commitment
 * beyond the first) may have missed our channel_ready: send it again if we reached the depth.
 */
export function readyOnReestablish(ch: Channel, theirNextCommitment: number, confirmations: number, p: OpeningParams): boolean {
  const o = ch.opening;
  return o !== undefined && o.stage !== 'first-write' && theirNextCommitment === 1 && confirmations >= p.fundingDepth;
}

/** Send channel_ready. Returns the message and whether the channel just became usable. */
export function sendReady(ch: Channel): { message: Message; becameReady: boolean } {
  const o = ch.opening!;
  o.readySent = true;
  return { message: { type: 'channel_ready', channel: ch.id }, becameReady: promote(o) };
}

/** The peer's channel_ready. Returns whether the channel just became usable. */
export function receiveReady(ch: Channel): boolean {
  const o = ch.opening;
  if (!o) return false;
  o.peerReady = true;
  return promote(o);
}

function promote(o: ChannelOpening): boolean {
  if (o.stage !== 'funding' || !o.readySent || !o.peerReady) return false;
  o.stage = 'ready';
  return true;
}

/** A fundee gives up on a funding transaction that never confirmed (LDK: the funding confirmation deadline). */
export function fundingTimedOut(ch: Channel, height: number, confirmations: number, p: OpeningParams): boolean {
  const o = ch.opening;
  return o !== undefined && o.role === 'fundee' && o.stage !== 'ready' && confirmations === 0 && height - o.createdAt >= p.fundingTimeout;
}

/** The funder's funding transaction must be out once its monitor is durable (level-triggered: rebroadcast if it was lost). */
export function fundingToRebroadcast(ch: Channel, confirmations: number, inMempool: boolean): Tx | undefined {
  const o = ch.opening;
  if (!o || o.role !== 'funder' || o.stage !== 'funding' || confirmations > 0 || inMempool) return undefined;
  return o.fundingTx;
}

export function negotiationExpired(n: Negotiation, height: number, p: OpeningParams): boolean {
  return height - n.startedAt >= p.negotiationTimeout;
}
