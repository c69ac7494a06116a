// The LSP node's memory. Everything here is rebuilt from disk at boot
// (recovery.ts); nothing survives a crash that was not written.
import type { Endpoint } from '../link.ts';
import type { DurableCallbacks } from '../nodes/durable.ts';
import type { LspOffer } from '../protocol/lsps2-api.ts';
import type { OpeningFeeParams } from '../protocol/fee-params.ts';
import type { HtlcId, SessionConfig, SessionInput, SessionState } from '../session/types.ts';

export interface LspOptions {
  /** The LSPS2 client this LSP serves (one client per scenario). */
  readonly client: string;
  /** Incoming channels from the public network (the payer's side), by scid. */
  readonly incoming: readonly { readonly scid: string; readonly peer: string }[];
  /** What get_info offers and buy validates. */
  readonly offer: LspOffer;
  /** Most parts one session holds (and the default max_accepted_htlcs of a JIT channel). */
  readonly maxParts: number;
  /** Held HTLCs fail once height + margin ≥ their earliest cltv_expiry (bLIP-52 leaves it open; CLN uses 6). */
  readonly cltvSafetyMargin: number;
  /** Ticks a session collects parts before failing them (bLIP-52: at least 90 s). */
  readonly collectTimeout: number;
  /** JIT channel size as a multiple of the payment size (room for late parts). */
  readonly capacityFactor: number;
  /** Output script of the LSP's wallet coins on the simulated chain. */
  readonly walletScript: string;
  /** Genesis transactions holding the wallet's coins. */
  readonly walletTxids: readonly string[];
  readonly bugs: ReadonlySet<string>;
}

/** A JIT channel offer the client bought (`buy/<scid>` on disk). */
export interface Purchase {
  readonly scid: string;
  readonly requestId: string;
  readonly client: string;
  readonly params: OpeningFeeParams;
  readonly paymentSizeMsat: number | undefined;
}

/** A JIT channel in the LSP's channel database (`chan/<id>`): its state is its wallet reservation. */
export interface ChanRecord {
  readonly id: string;
  readonly purchase: string;
  readonly hash: string;
  readonly client: string;
  readonly capacitySat: number;
  readonly fundingTxid: string;
  readonly inputs: readonly { readonly txid: string; readonly vout: number }[];
  readonly changeSat: number;
  /** Largest number of HTLCs the client accepts at once on it. */
  readonly maxAcceptedHtlcs: number;
  /** opening: funding_created sent; withheld: signed, funding withheld; broadcast; closed: released. */
  state: 'opening' | 'withheld' | 'broadcast' | 'closed';
}

/** A channel open in flight with the client. */
export interface Negotiation {
  readonly channel: string;
  readonly session: SessionSlot;
  readonly capacitySat: number;
  /** open-sent → (accept) funding-sent → (funding_signed received) signed. */
  stage: 'open-sent' | 'funding-sent' | 'signed';
}

/** One session: the state machine's data plus what the LSP attached to it. */
export interface SessionSlot {
  /** Unique over the LSP's whole life (identity for removal and stale timers). */
  readonly serial: number;
  readonly hash: string;
  /** The JIT scid (purchase) the session serves. */
  readonly scid: string;
  readonly config: SessionConfig;
  state: SessionState;
  /** The channel being opened or opened for it. */
  channel?: string;
  /** Rebuilt by recovery rather than started by a part. */
  readonly recovered: boolean;
}

export interface LspState {
  readonly opts: LspOptions;
  readonly cb: DurableCallbacks;
  readonly links: Map<string, Endpoint>;
  readonly purchases: Map<string, Purchase>;
  /** One session per payment hash. */
  readonly sessions: Map<string, SessionSlot>;
  /** Held HTLCs awaiting the session's answer (the htlc_accepted hook's pending replies). */
  readonly replies: Map<string, HtlcId>;
  readonly channels: Map<string, ChanRecord>;
  readonly negotiations: Map<string, Negotiation>;
  /** Orphaned channels recovery found with forwards pending: released once the client has answered them all. */
  readonly closeWhenClear: Set<string>;
  /** Inputs queued for sessions while actions run (applied in order, never re-entrantly). */
  readonly inbox: { slot: SessionSlot; input: SessionInput }[];
  draining: boolean;
  /** Distinguishes ids made within one tick (ids embed the virtual time, which never repeats across restarts). */
  counter: number;
  lastIdTime: number;
}

/** A fresh id unique over the node's life: virtual time (which never repeats across restarts) plus a per-tick counter. */
export function freshId(state: LspState, now: number): string {
  return `${now}x${nextInTick(state, now)}`;
}

/** The same, as a number (session serials). */
export function freshSerial(state: LspState, now: number): number {
  return now * 1000 + nextInTick(state, now);
}

function nextInTick(state: LspState, now: number): number {
  if (now !== state.lastIdTime) {
    state.lastIdTime = now;
    state.counter = 0;
  }
  return state.counter++;
}
