// The data of one JIT-channel session (one payment hash at the LSP): states,
// inputs and actions of the state machine in fsm.ts. Plain data only.
import type { FailureCause } from '../failure-codes.ts';
import type { OpeningFeeParams } from '../protocol/fee-params.ts';

/** An incoming HTLC: HTLC ids are numbered per channel, so the incoming channel's scid is part of the identity. */
export interface HtlcId {
  readonly scid: string;
  readonly id: number;
}

export function htlcKey(h: HtlcId): string {
  return `${h.scid}/${h.id}`;
}

export function sameHtlc(a: HtlcId, b: HtlcId): boolean {
  return a.scid === b.scid && a.id === b.id;
}

/** One payment part held by the LSP. */
export interface Part {
  readonly htlc: HtlcId;
  readonly amountMsat: number;
  readonly cltvExpiry: number;
}

/** A part as forwarded into the JIT channel: what it paid towards the opening fee. */
export interface ForwardPart {
  readonly htlc: HtlcId;
  readonly amountMsat: number;
  /** Deducted from this part; the extra_fee TLV is attached only when > 0. */
  readonly feeMsat: number;
  readonly forwardMsat: number;
}

export type SessionState =
  | { readonly kind: 'Collecting'; readonly parts: readonly Part[] }
  | { readonly kind: 'AwaitingChannelReady'; readonly parts: readonly Part[]; readonly feeMsat: number }
  /** feeMsat: the opening fee; what the forwarded parts do not pay of it (one failed) is taken from late parts. */
  | { readonly kind: 'AwaitingSettlement'; readonly forwarded: readonly ForwardPart[]; readonly feeMsat: number; readonly channel: string; readonly funding: string }
  | { readonly kind: 'Broadcasting'; readonly channel: string; readonly funding: string }
  /** Terminal: no channel was opened. */
  | { readonly kind: 'Failed' }
  /** Terminal: a channel was opened and never broadcast. */
  | { readonly kind: 'Abandoned' }
  | { readonly kind: 'Succeeded' };

export type StateKind = SessionState['kind'];

export const STATE_KINDS: readonly StateKind[] = ['Collecting', 'AwaitingChannelReady', 'AwaitingSettlement', 'Broadcasting', 'Failed', 'Abandoned', 'Succeeded'];

export function isTerminal(state: SessionState): boolean {
  return state.kind === 'Failed' || state.kind === 'Abandoned' || state.kind === 'Succeeded';
}

export type SessionInput =
  /** An HTLC for this payment hash was intercepted (or replayed after a restart). */
  | { readonly kind: 'AddPart'; readonly part: Part; readonly now: number; readonly height: number }
  /** The collect timer (≥ 90 s) or the valid_until timer fired. */
  | { readonly kind: 'CollectTimeout'; readonly now: number }
  /** Funding failed: no coins, or the client went away before funding_signed. */
  | { readonly kind: 'FundingFailed'; readonly reason: string }
  /** The withheld zero-conf channel is signed and ready. */
  | { readonly kind: 'ChannelReady'; readonly channel: string; readonly funding: string }
  /** The client released the preimage on the JIT channel. */
  | { readonly kind: 'PaymentSettled' }
  /** A forwarded part failed downstream; without htlc: the payment as a whole. */
  | { readonly kind: 'PaymentFailed'; readonly htlc?: HtlcId }
  | { readonly kind: 'FundingBroadcast' }
  | { readonly kind: 'NewBlock'; readonly height: number }
  | { readonly kind: 'ChannelClosed'; readonly channel: string };

export type InputKind = SessionInput['kind'];

export const INPUT_KINDS: readonly InputKind[] = ['AddPart', 'CollectTimeout', 'FundingFailed', 'ChannelReady', 'PaymentSettled', 'PaymentFailed', 'FundingBroadcast', 'NewBlock', 'ChannelClosed'];

export type SessionAction =
  | { readonly kind: 'FailHtlcs'; readonly htlcs: readonly HtlcId[]; readonly code: number; readonly cause: FailureCause }
  | { readonly kind: 'ForwardHtlcs'; readonly channel: string; readonly parts: readonly ForwardPart[] }
  | { readonly kind: 'FundChannel'; readonly feeMsat: number }
  | { readonly kind: 'BroadcastFunding'; readonly channel: string; readonly funding: string }
  /** Close the never-broadcast channel and release its funding inputs. */
  | { readonly kind: 'AbandonSession'; readonly channel: string; readonly funding: string }
  | { readonly kind: 'FailSession' }
  /** Drop the client's channel negotiation (the model's stand-in for a disconnect). */
  | { readonly kind: 'Disconnect' };

export type ActionKind = SessionAction['kind'];

/** Fixed for the life of a session. */
export interface SessionConfig {
  readonly params: OpeningFeeParams;
  /** The agreed payment_size_msat; undefined in var-amount mode. */
  readonly paymentSizeMsat: number | undefined;
  /** Most parts a session holds (BOLT 2 max_accepted_htlcs of the JIT channel). */
  readonly maxParts: number;
  /** Held HTLCs fail once height + margin ≥ their earliest cltv_expiry. */
  readonly cltvSafetyMargin: number;
  /** Planted bugs that live in the state machine. */
  readonly bugs: ReadonlySet<string>;
}

export interface StepResult {
  readonly state: SessionState;
  readonly actions: readonly SessionAction[];
  /** 'unusual': an input the state ignores; 'error': an input to a terminal session. */
  readonly note?: { readonly kind: 'unusual' | 'error'; readonly message: string };
}
