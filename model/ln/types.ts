// Plain data of the Lightning node model. Everything here is JSON: the
// manager and the monitors are persisted by serializing these objects.
import type { OutPoint, Tx } from '../../sim/chain.ts';
import type { HtlcState } from './htlc.ts';
import { packedMap } from './packed.ts';

/** Where an HTLC we offered came from (forwarding), or that it is our own payment. */
export type HtlcSource =
  | { readonly kind: 'payment'; readonly paymentId: string; readonly part: number }
  | { readonly kind: 'forward'; readonly channel: string; readonly htlcId: number; readonly amount: number };

/** What the final hop learns from the onion. */
export interface Onion {
  /** Next hop's channel id, absent at the final hop. */
  readonly nextChannel?: string;
  readonly forwardAmount?: number;
  readonly forwardCltv?: number;
  /** Final hop: the payment secret (the payment id; the receiver derives the preimage from it). */
  readonly paymentId?: string;
  readonly totalAmount?: number;
  readonly rest?: Onion;
}

export type Removal = { readonly kind: 'fulfill'; readonly preimage: string } | { readonly kind: 'fail'; readonly code: string };

export interface Htlc {
  readonly id: number;
  /** Offered by us (true) or by the peer. */
  readonly offered: boolean;
  readonly amount: number;
  readonly hash: string;
  readonly cltv: number;
  state: HtlcState;
  removal?: Removal;
  /** Order in which our update for this HTLC (add, or removal) was proposed: keeps retransmission in wire order. */
  updateSeq: number;
  readonly onion?: Onion;
  readonly source?: HtlcSource;
}

export interface CommitHtlc {
  readonly id: number;
  /** Offered by the commitment's holder. */
  readonly offeredByHolder: boolean;
  readonly amount: number;
  readonly hash: string;
  readonly cltv: number;
  /** For HTLCs we offered: where they came from, so the monitor can settle the upstream edge even if the manager forgot. */
  readonly source?: HtlcSource;
  /** For HTLCs we received as the final hop: the payment, so a claim seen on-chain can still be reported. */
  readonly payment?: { readonly paymentId: string; readonly amount: number };
}

/** One commitment transaction, from its holder's point of view. */
export interface Commitment {
  readonly number: number;
  readonly toHolder: number;
  readonly toCounterparty: number;
  readonly htlcs: readonly CommitHtlc[];
}

export type ChannelStatus = 'open' | 'closed';

export interface Channel {
  readonly id: string;
  readonly peer: string;
  readonly capacity: number;
  readonly funding: OutPoint;
  status: ChannelStatus;
  closeReason?: string;
  htlcs: Htlc[];
  nextHtlcId: number;
  nextUpdateSeq: number;
  localCommit: Commitment;
  remoteCommit: Commitment;
  /** We sent commitment_signed and wait for the peer's revoke_and_ack. */
  awaitingRevoke: boolean;
  /** Highest of our commitment numbers we revoked (-1: none). */
  localRevokedUpTo: number;
  /**
   * Our own most recent revoked commitments (newest last, at most REVOKED_KEPT). An honest node never uses them; the
   * adversarial counterparty fault (cheat.ts) broadcasts one, as a peer that kept its old states would.
   */
  revokedLocal?: Commitment[];
  /** Highest of the peer's commitment numbers it revoked to us (-1: none). */
  remoteRevokedUpTo: number;
  /** Generation order of our last revoke_and_ack and commitment_signed (retransmit in original order). */
  lastRevokeSeq: number;
  lastCommitSeq: number;
  /** The monitor update id of the latest update this channel generated. */
  latestMonitorUpdateId: number;
  /** Monitor updates generated but not yet durable, in id order. */
  inFlight: MonitorUpdate[];
  /** Committed inbound HTLCs waiting for the monitor to be durable before they are handled. */
  pendingInbound: number[];
  /** Monitor updates held back (not yet numbered nor applied) until `blockers` clear; the channel is paused meanwhile. */
  blocked: MonitorUpdateBody[];
  /** Ids of HTLCs we offered whose outcome the node has acted on (on-chain resolutions repeat every block). */
  resolvedOffered: number[];
  /** What the next revocation update of this channel must wait for (RAA-blocking actions). */
  blockers: Blocker[];
  /** Cooperative close in progress (absent: none asked for). */
  close?: CoopClose;
  /** Opened at runtime: how far the opening got (absent: the channel existed from genesis). */
  opening?: ChannelOpening;
}

/**
 * An RAA-blocking action: this channel may not let its peer's revocation prune
 * state (a preimage) until something else is safe.
 */
export type Blocker =
  /** A forwarded payment: the upstream channel's preimage update must be durable first. */
  | { readonly kind: 'upstream-claim'; readonly channel: string; readonly updateId: number }
  /** An MPP claim: every part's preimage update must be durable first. */
  | { readonly kind: 'mpp-claim'; readonly hash: string }
  /** An event (PaymentClaimed, PaymentSent) must have been handled first. */
  | { readonly kind: 'event'; readonly seq: number };

export type MonitorUpdateBody =
  | { readonly kind: 'holder-commitment'; readonly commitment: Commitment }
  | { readonly kind: 'counterparty-commitment'; readonly commitment: Commitment }
  | { readonly kind: 'revocation'; readonly number: number }
  /**
   * `htlcs`: the inbound HTLCs (channel, id) this claim is for, so a restart replays exactly that claim;
   * `payment`: set when we are the final hop, so a restart can regenerate PaymentClaimed from the monitor alone.
   */
  | { readonly kind: 'preimage'; readonly hash: string; readonly preimage: string; readonly htlcs?: readonly ClaimedHtlc[]; readonly payment?: { readonly paymentId: string; readonly amount: number } }
  | { readonly kind: 'force-close' }
  /** Both sides signed a closing transaction: the monitor rebroadcasts it until it confirms. */
  | { readonly kind: 'cooperative-close'; readonly tx: Tx };

export type MonitorUpdate = MonitorUpdateBody & { readonly id: number };

export interface ClaimedHtlc {
  readonly channel: string;
  readonly id: number;
}

/** The ChannelMonitor: what the node needs to act on-chain for one channel. */
export interface Monitor {
  readonly channel: string;
  readonly holder: string;
  readonly counterparty: string;
  readonly capacity: number;
  readonly funding: OutPoint;
  /** Highest update id applied. */
  updateId: number;
  holderCommitment: Commitment;
  /** Counterparty commitments not yet revoked (the latest, and the previous one until its revocation). */
  counterpartyCommitments: Commitment[];
  /** Highest counterparty commitment number revoked to us (-1: none): its broadcast is punished. */
  revokedUpTo: number;
  /** CSV delay on our own to_local output. */
  readonly toSelfDelay: number;
  /**
   * Bumped each time the node loads the monitor and rewrites it whole. Stored updates count only with the
   * snapshot's epoch: an update file left over from a history a crash cut off is never applied.
   */
  epoch: number;
  preimages: Record<string, string>;
  /** Per hash, the inbound HTLCs the claim was for (restart replays only these), and the payment if we were its final hop. */
  claims: Record<string, { htlcs: ClaimedHtlc[]; payment?: { paymentId: string; amount: number } }>;
  closed: boolean;
  /** The agreed cooperative closing transaction, once signed. */
  closingTx?: Tx;
}

export interface OutboundPayment {
  readonly paymentId: string;
  readonly hash: string;
  readonly amount: number;
  readonly destination: string;
  status: 'pending' | 'succeeded' | 'failed';
  preimage?: string;
  /** Parts still unresolved; the payment fails only once every part failed. */
  pendingParts: number;
}

export interface ClaimablePart {
  readonly channel: string;
  readonly htlcId: number;
  readonly amount: number;
  readonly cltv: number;
}

export interface ClaimablePayment {
  readonly hash: string;
  readonly paymentId: string;
  readonly totalAmount: number;
  parts: ClaimablePart[];
  status: 'claimable' | 'claiming' | 'claimed';
  /** Preimage monitor updates not yet durable: PaymentClaimed waits for them. */
  pendingPreimage: { channel: string; id: number }[];
}

export type LnEvent =
  | { readonly type: 'PaymentClaimable'; readonly hash: string; readonly paymentId: string; readonly amount: number }
  | { readonly type: 'PaymentClaimed'; readonly hash: string; readonly amount: number }
  | { readonly type: 'PaymentSent'; readonly paymentId: string; readonly hash: string; readonly preimage: string }
  | { readonly type: 'PaymentFailed'; readonly paymentId: string; readonly hash: string }
  | { readonly type: 'PaymentForwarded'; readonly inbound: string; readonly outbound: string; readonly fee: number }
  | { readonly type: 'HTLCHandlingFailed'; readonly channel: string; readonly htlcId: number }
  | { readonly type: 'ChannelClosed'; readonly channel: string; readonly reason: string };

/** The ChannelManager: persisted as one blob. */
export interface Manager {
  channels: Channel[];
  /** PaymentForwarded events waiting for the upstream claim's preimage update to be durable. */
  forwardsClaiming: { channel: string; updateId: number; event: LnEvent }[];
  outbound: OutboundPayment[];
  claimable: ClaimablePayment[];
  /** Events not yet handled by the application, with a sequence number each. */
  events: { seq: number; event: LnEvent }[];
  nextEventSeq: number;
}

/** A channel's cooperative close as the manager records it (close.ts runs the protocol). */
export interface CoopClose {
  /** We will send `shutdown` (asked to close, or replying to the peer's): no new HTLC from us from now on. */
  intent: boolean;
  /** The intent is on disk: a restart remembers it. `shutdown` is never sent before. */
  intentDurable: boolean;
  /** We sent `shutdown` on the current connection. */
  sentShutdown: boolean;
  /** The peer's `shutdown` arrived on the current connection: it offers no new HTLC, neither may we. */
  receivedShutdown: boolean;
  /** We sent `closing_signed` on the current connection. */
  sentClosingSigned: boolean;
  /** The peer's `closing_signed` on the current connection: what it pays itself and us. */
  peerProposal?: { readonly toSender: number; readonly toReceiver: number; readonly fee: number };
}

/** Kept in a channel opened at runtime (so in the manager), for good: how far the opening got. */
export interface ChannelOpening {
  readonly role: 'funder' | 'fundee';
  /**
   * first-write: our monitor's first write is not durable yet (fundee: funding_signed held; funder: funding not broadcast);
   * funding: that write is durable and the signature or the funding went out; waiting for depth and channel_ready;
   * ready: both channel_ready exchanged, the channel carries payments.
   */
  stage: 'first-write' | 'funding' | 'ready';
  /** Block height when the channel (and its monitor) came to exist. */
  readonly createdAt: number;
  /** Funder: the funding transaction it broadcasts once its monitor is durable. */
  readonly fundingTx?: Tx;
  /** We sent channel_ready at least once. */
  readySent: boolean;
  /** The peer's channel_ready arrived. */
  peerReady: boolean;
}

// ---- records ------------------------------------------------------------------
// Each kind of record the model keeps and rewrites is built here, by one literal with every member from creation,
// optional ones undefined, in the order its persisted JSON has always had them (undefined members are left out of
// the JSON text, and kept by disk copies: sim/values.ts). A record never gains a member later, so every record of a
// kind shares one hidden class (and its frozen copies another) and the code that reads them stays optimised. Boot
// rebuilds what it reads from disk through the same functions.

/** A channel as built or read back: optional members absent from `c` become undefined. */
export function channelRecord(c: Channel): Channel {
  return {
    id: c.id,
    peer: c.peer,
    capacity: c.capacity,
    funding: c.funding,
    status: c.status,
    htlcs: c.htlcs,
    nextHtlcId: c.nextHtlcId,
    nextUpdateSeq: c.nextUpdateSeq,
    localCommit: c.localCommit,
    remoteCommit: c.remoteCommit,
    awaitingRevoke: c.awaitingRevoke,
    localRevokedUpTo: c.localRevokedUpTo,
    remoteRevokedUpTo: c.remoteRevokedUpTo,
    lastRevokeSeq: c.lastRevokeSeq,
    lastCommitSeq: c.lastCommitSeq,
    latestMonitorUpdateId: c.latestMonitorUpdateId,
    inFlight: c.inFlight,
    pendingInbound: c.pendingInbound,
    blocked: c.blocked,
    blockers: c.blockers,
    resolvedOffered: c.resolvedOffered,
    // Set after creation, in this order as a channel's life goes.
    opening: c.opening,
    revokedLocal: c.revokedLocal,
    close: c.close,
    closeReason: c.closeReason,
  };
}

export function htlcRecord(h: Htlc): Htlc {
  return { id: h.id, offered: h.offered, amount: h.amount, hash: h.hash, cltv: h.cltv, state: h.state, updateSeq: h.updateSeq, onion: h.onion, source: h.source, removal: h.removal };
}

export function commitHtlcRecord(h: CommitHtlc): CommitHtlc {
  return { id: h.id, offeredByHolder: h.offeredByHolder, amount: h.amount, hash: h.hash, cltv: h.cltv, source: h.source, payment: h.payment };
}

export function monitorRecord(m: Monitor): Monitor {
  return {
    channel: m.channel,
    holder: m.holder,
    counterparty: m.counterparty,
    capacity: m.capacity,
    funding: m.funding,
    updateId: m.updateId,
    holderCommitment: m.holderCommitment,
    counterpartyCommitments: m.counterpartyCommitments,
    revokedUpTo: m.revokedUpTo,
    toSelfDelay: m.toSelfDelay,
    preimages: m.preimages,
    claims: m.claims,
    closed: m.closed,
    epoch: m.epoch,
    closingTx: m.closingTx,
  };
}

export function claimRecord(htlcs: ClaimedHtlc[], payment?: { paymentId: string; amount: number }): { htlcs: ClaimedHtlc[]; payment?: { paymentId: string; amount: number } } {
  return { htlcs, payment };
}

export function managerRecord(m: Manager): Manager {
  return { channels: m.channels, forwardsClaiming: m.forwardsClaiming, outbound: m.outbound, claimable: m.claimable, events: m.events, nextEventSeq: m.nextEventSeq };
}

export function outboundRecord(p: OutboundPayment): OutboundPayment {
  return { paymentId: p.paymentId, hash: p.hash, amount: p.amount, destination: p.destination, status: p.status, pendingParts: p.pendingParts, preimage: p.preimage };
}

export function claimableRecord(p: ClaimablePayment): ClaimablePayment {
  return { hash: p.hash, paymentId: p.paymentId, totalAmount: p.totalAmount, parts: p.parts, status: p.status, pendingPreimage: p.pendingPreimage };
}

export function coopCloseRecord(c: CoopClose): CoopClose {
  return { intent: c.intent, intentDurable: c.intentDurable, sentShutdown: c.sentShutdown, receivedShutdown: c.receivedShutdown, sentClosingSigned: c.sentClosingSigned, peerProposal: c.peerProposal };
}

export function openingRecord(o: ChannelOpening): ChannelOpening {
  return { role: o.role, stage: o.stage, createdAt: o.createdAt, fundingTx: o.fundingTx, readySent: o.readySent, peerReady: o.peerReady };
}

/** A manager read back from disk (a thawed copy), rebuilt as records. */
export function restoredManager(m: Manager): Manager {
  // packedMap, not map: optimised map builds holey arrays, a second hidden class for every reader (packed.ts).
  const channels = packedMap(m.channels, (c) =>
    channelRecord({ ...c, htlcs: packedMap(c.htlcs, htlcRecord), close: c.close && coopCloseRecord(c.close), opening: c.opening && openingRecord(c.opening) }),
  );
  return managerRecord({ ...m, channels, outbound: packedMap(m.outbound, outboundRecord), claimable: packedMap(m.claimable, claimableRecord) });
}
