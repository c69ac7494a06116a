// The LSPS2 session state machine: step(config, state, input) → { state,
// actions }. One handler per (state, input) pair in TABLE; the mapped type
// makes the compiler reject a missing pair, so the table is exhaustive.
// Inputs a state does not expect are reported as unusual and change nothing;
// inputs to a terminal session are errors.
import { BUG } from '../bugs.ts';
import { mandatedCode, type FailureCause, UNKNOWN_NEXT_PEER } from '../failure-codes.ts';
import { decodeFeeParams } from '../protocol/fee-params.ts';
import { computeOpeningFee } from '../protocol/amounts.ts';
import { allocateFee, canDeduct, HTLC_MINIMUM_MSAT } from './allocate.ts';
import { sameHtlc, type ForwardPart, type InputKind, type Part, type SessionAction, type SessionConfig, type SessionInput, type SessionState, type StateKind, type StepResult } from './types.ts';

type StateOf<S extends StateKind> = Extract<SessionState, { kind: S }>;
type InputOf<I extends InputKind> = Extract<SessionInput, { kind: I }>;
type Handler<S extends StateKind, I extends InputKind> = (state: StateOf<S>, input: InputOf<I>, config: SessionConfig) => StepResult;
type Table = { readonly [S in StateKind]: { readonly [I in InputKind]: Handler<S, I> } };

export function step(config: SessionConfig, state: SessionState, input: SessionInput): StepResult {
  const handler = TABLE[state.kind][input.kind] as Handler<StateKind, InputKind>;
  return handler(state as never, input as never, config);
}

// ---- outcomes -----------------------------------------------------------------

const FAILED: SessionState = { kind: 'Failed' };
const ABANDONED: SessionState = { kind: 'Abandoned' };

function stay(state: SessionState, actions: SessionAction[] = []): StepResult {
  return { state, actions };
}

function unusual(state: SessionState, input: SessionInput): StepResult {
  return { state, actions: [], note: { kind: 'unusual', message: `${input.kind} in ${state.kind}` } };
}

/** Whether a session in state `kind` takes `input` as unusual: no change, no action, only a note. */
export function isUnusual(kind: StateKind, input: InputKind): boolean {
  return TABLE[kind][input] === unusual;
}

function terminalError(state: SessionState, input: SessionInput): StepResult {
  return { state, actions: [], note: { kind: 'error', message: `${input.kind} to a terminal session (${state.kind})` } };
}

/** The failure code for a cause; cln-perm-code answers retryable causes with the permanent unknown_next_peer. */
function codeFor(cause: FailureCause, config: SessionConfig): number {
  const code = mandatedCode(cause);
  if (config.bugs.has(BUG.permCode) && (cause === 'too-many-parts' || cause === 'allocation-failed' || cause === 'funding-failed')) return UNKNOWN_NEXT_PEER;
  return code;
}

function failHtlcs(parts: readonly Part[], cause: FailureCause, config: SessionConfig): SessionAction {
  return { kind: 'FailHtlcs', htlcs: parts.map((p) => p.htlc), code: codeFor(cause, config), cause };
}

function fail(parts: readonly Part[], cause: FailureCause, config: SessionConfig, disconnect = false): StepResult {
  const actions: SessionAction[] = [failHtlcs(parts, cause, config)];
  if (disconnect) actions.push({ kind: 'Disconnect' });
  actions.push({ kind: 'FailSession' });
  return { state: FAILED, actions };
}

function abandon(channel: string, funding: string, before: SessionAction[] = []): StepResult {
  return { state: ABANDONED, actions: [...before, { kind: 'Disconnect' }, { kind: 'AbandonSession', channel, funding }] };
}

// ---- rules ----------------------------------------------------------------------

/** The opening fee for `sizeMsat`, or undefined on overflow / malformed params. */
function openingFee(config: SessionConfig, sizeMsat: number): number | undefined {
  const d = decodeFeeParams(config.params);
  if (!d) return undefined;
  // cln-fee-min-plus: min_fee_msat charged on top of the proportional part instead of as its floor.
  const fee = config.bugs.has(BUG.feeMinPlus) ? computeOpeningFee(BigInt(sizeMsat), 0n, d.proportionalPpm)! + d.minFeeMsat : computeOpeningFee(BigInt(sizeMsat), d.minFeeMsat, d.proportionalPpm);
  return fee === undefined || fee > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(fee);
}

/** Held parts fail once the tip is within the safety margin of the earliest expiry (cln-cltv-late: only once past it). */
function cltvUnsafe(parts: readonly Part[], height: number, config: SessionConfig): boolean {
  if (parts.length === 0) return false;
  const earliest = Math.min(...parts.map((p) => p.cltvExpiry));
  if (config.bugs.has(BUG.cltvLate)) return height > earliest;
  // cln-cltv-margin: a 2-block buffer where CLN's session FSM keeps CLTV_SAFETY_BUFFER (6).
  if (config.bugs.has(BUG.cltvMargin)) return height + 2 >= earliest;
  return height + config.cltvSafetyMargin >= earliest;
}

function onBlockWhileHolding(state: StateOf<'Collecting'> | StateOf<'AwaitingChannelReady'>, height: number, config: SessionConfig): StepResult {
  return cltvUnsafe(state.parts, height, config) ? fail(state.parts, 'cltv-margin', config, true) : stay(state);
}

function collectAddPart(state: StateOf<'Collecting'>, input: InputOf<'AddPart'>, config: SessionConfig): StepResult {
  const parts = [...state.parts, input.part];
  const validUntil = config.params.valid_until;
  if (input.now >= validUntil) return fail(parts, 'offer-expired', config);
  // A part that arrives already inside the CLTV margin could not be held safely.
  if (cltvUnsafe(parts, input.height, config)) return fail(parts, 'cltv-margin', config);
  if (config.paymentSizeMsat === undefined) {
    // no-MPP+var-invoice: the first HTLC decides, a second one is refused.
    if (parts.length > 1) return fail(parts, 'too-many-parts', config);
    const d = decodeFeeParams(config.params);
    const amount = input.part.amountMsat;
    if (!d || BigInt(amount) < d.minPaymentSizeMsat || BigInt(amount) > d.maxPaymentSizeMsat) return fail(parts, 'size-out-of-range', config);
    const fee = openingFee(config, amount);
    if (fee === undefined || fee + HTLC_MINIMUM_MSAT > amount) return fail(parts, 'fee-not-covered', config);
    return { state: { kind: 'AwaitingChannelReady', parts, feeMsat: fee }, actions: [{ kind: 'FundChannel', feeMsat: fee }] };
  }
  if (parts.length > config.maxParts) return fail(parts, 'too-many-parts', config);
  const sum = parts.reduce((s, p) => s + p.amountMsat, 0);
  if (sum < config.paymentSizeMsat) return stay({ kind: 'Collecting', parts });
  // The fee is the one agreed for payment_size_msat; cln-fee-on-parts charges it on whatever the parts sum to.
  const fee = openingFee(config, config.bugs.has(BUG.feeOnParts) ? sum : config.paymentSizeMsat);
  if (fee === undefined || fee >= sum || !canDeduct(parts, fee)) return fail(parts, 'fee-not-covered', config);
  return { state: { kind: 'AwaitingChannelReady', parts, feeMsat: fee }, actions: [{ kind: 'FundChannel', feeMsat: fee }] };
}

function channelReady(state: StateOf<'AwaitingChannelReady'>, input: InputOf<'ChannelReady'>, config: SessionConfig): StepResult {
  const { channel, funding } = input;
  if (state.parts.length > config.maxParts) return abandon(channel, funding, [failHtlcs(state.parts, 'too-many-parts', config)]);
  const forwards = allocateFee(state.parts, state.feeMsat);
  if (!forwards) return abandon(channel, funding, [failHtlcs(state.parts, 'allocation-failed', config)]);
  return { state: { kind: 'AwaitingSettlement', forwarded: forwards, feeMsat: state.feeMsat, channel, funding }, actions: [{ kind: 'ForwardHtlcs', channel, parts: forwards }] };
}

/** A part arriving after the forward: it pays whatever of the fee the forwarded parts no longer pay (normally nothing). */
function lateForward(part: Part, owedMsat: number): ForwardPart {
  const take = Math.max(0, Math.min(owedMsat, part.amountMsat - HTLC_MINIMUM_MSAT));
  return { htlc: part.htlc, amountMsat: part.amountMsat, feeMsat: take, forwardMsat: part.amountMsat - take };
}

function owedFee(state: StateOf<'AwaitingSettlement'>): number {
  return Math.max(0, state.feeMsat - state.forwarded.reduce((s, f) => s + f.feeMsat, 0));
}

function settlementFailed(state: StateOf<'AwaitingSettlement'>, input: InputOf<'PaymentFailed'>, config: SessionConfig): StepResult {
  const failed = input.htlc;
  if (failed !== undefined && !config.bugs.has(BUG.abandonAll)) {
    if (!state.forwarded.some((f) => sameHtlc(f.htlc, failed))) return unusual(state, input);
    const remaining = state.forwarded.filter((f) => !sameHtlc(f.htlc, failed));
    // The other parts can still settle: drop only the failed one.
    if (remaining.length > 0) return stay({ ...state, forwarded: remaining });
  }
  return abandon(state.channel, state.funding);
}

// ---- the table ------------------------------------------------------------------

const TABLE: Table = {
  Collecting: {
    AddPart: collectAddPart,
    CollectTimeout: (s, i, c) => fail(s.parts, i.now >= c.params.valid_until ? 'offer-expired' : 'collect-timeout', c),
    FundingFailed: unusual,
    ChannelReady: unusual,
    PaymentSettled: unusual,
    PaymentFailed: unusual,
    FundingBroadcast: unusual,
    NewBlock: (s, i, c) => onBlockWhileHolding(s, i.height, c),
    ChannelClosed: unusual,
  },
  AwaitingChannelReady: {
    // Funding is under way: a part arriving now joins the forward at channel_ready (unless it makes holding unsafe).
    AddPart: (s, i, c) => {
      const parts = [...s.parts, i.part];
      return cltvUnsafe(parts, i.height, c) ? fail(parts, 'cltv-margin', c, true) : stay({ ...s, parts });
    },
    // Collecting is over once funding started.
    CollectTimeout: unusual,
    FundingFailed: (s, _i, c) => fail(s.parts, 'funding-failed', c, true),
    ChannelReady: channelReady,
    PaymentSettled: unusual,
    PaymentFailed: unusual,
    FundingBroadcast: unusual,
    NewBlock: (s, i, c) => onBlockWhileHolding(s, i.height, c),
    ChannelClosed: unusual,
  },
  AwaitingSettlement: {
    AddPart: (s, i) => {
      const forward = lateForward(i.part, owedFee(s));
      return stay({ ...s, forwarded: [...s.forwarded, forward] }, [{ kind: 'ForwardHtlcs', channel: s.channel, parts: [forward] }]);
    },
    CollectTimeout: unusual,
    FundingFailed: unusual,
    ChannelReady: unusual,
    PaymentSettled: (s) => ({ state: { kind: 'Broadcasting', channel: s.channel, funding: s.funding }, actions: [{ kind: 'BroadcastFunding', channel: s.channel, funding: s.funding }] }),
    PaymentFailed: settlementFailed,
    FundingBroadcast: unusual,
    // Forwarded HTLCs are the channel's business now; the session no longer holds any.
    NewBlock: unusual,
    ChannelClosed: (s, i) => (i.channel === s.channel ? abandon(s.channel, s.funding) : unusual(s, i)),
  },
  Broadcasting: {
    // The payment already settled: late parts go through without fee.
    AddPart: (s, i) => stay(s, [{ kind: 'ForwardHtlcs', channel: s.channel, parts: [lateForward(i.part, 0)] }]),
    CollectTimeout: unusual,
    FundingFailed: unusual,
    ChannelReady: unusual,
    PaymentSettled: unusual,
    PaymentFailed: unusual,
    FundingBroadcast: () => stay({ kind: 'Succeeded' }),
    NewBlock: unusual,
    ChannelClosed: unusual,
  },
  Failed: terminalRow(),
  Abandoned: terminalRow(),
  Succeeded: terminalRow(),
};

function terminalRow<S extends StateKind>(): { readonly [I in InputKind]: Handler<S, I> } {
  return {
    AddPart: terminalError,
    CollectTimeout: terminalError,
    FundingFailed: terminalError,
    ChannelReady: terminalError,
    PaymentSettled: terminalError,
    PaymentFailed: terminalError,
    FundingBroadcast: terminalError,
    NewBlock: terminalError,
    ChannelClosed: terminalError,
  };
}

