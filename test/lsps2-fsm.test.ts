// The LSPS2 session state machine, pair by pair: every (state, input) of the
// table is stepped with a representative input and the resulting state,
// actions and note are checked against the transitions DESIGN 3.5 specifies;
// then the branches inside the interesting pairs.
import { describe, expect, it } from 'vitest';
import { step } from '../model/lsps2/session/fsm.ts';
import { allocateFee } from '../model/lsps2/session/allocate.ts';
import { INPUT_KINDS, STATE_KINDS, type ActionKind, type HtlcId, type InputKind, type Part, type SessionConfig, type SessionInput, type SessionState, type StateKind } from '../model/lsps2/session/types.ts';
import { makeFeeParams } from '../model/lsps2/protocol/fee-params.ts';
import { TEMPORARY_CHANNEL_FAILURE, UNKNOWN_NEXT_PEER } from '../model/lsps2/failure-codes.ts';
import { BUG } from '../model/lsps2/bugs.ts';

const POLICY = { minFeeMsat: 100, proportionalPpm: 10_000, validForTicks: 1_000, minLifetime: 1_008, maxClientToSelfDelay: 2_016, minPaymentSizeMsat: 1_000, maxPaymentSizeMsat: 1_000_000 };
const params = makeFeeParams('test-secret', POLICY, 0);
const config = (over: Partial<SessionConfig> = {}): SessionConfig => ({ params, paymentSizeMsat: 10_000, maxParts: 3, cltvSafetyMargin: 6, bugs: new Set(), ...over });

const A: HtlcId = { scid: '1x1x0', id: 0 };
const B: HtlcId = { scid: '1x2x0', id: 0 };
const C: HtlcId = { scid: '1x1x0', id: 1 };
const part = (htlc: HtlcId, amountMsat: number, cltvExpiry = 500): Part => ({ htlc, amountMsat, cltvExpiry });

/** One representative state per kind. */
const STATES: Record<StateKind, SessionState> = {
  Collecting: { kind: 'Collecting', parts: [part(A, 4_000)] },
  AwaitingChannelReady: { kind: 'AwaitingChannelReady', parts: [part(A, 6_000), part(B, 5_000)], feeMsat: 100 },
  AwaitingSettlement: {
    kind: 'AwaitingSettlement',
    forwarded: [
      { htlc: A, amountMsat: 6_000, feeMsat: 100, forwardMsat: 5_900 },
      { htlc: B, amountMsat: 5_000, feeMsat: 0, forwardMsat: 5_000 },
    ],
    feeMsat: 100,
    channel: 'c1',
    funding: 'f1',
  },
  Broadcasting: { kind: 'Broadcasting', channel: 'c1', funding: 'f1' },
  Failed: { kind: 'Failed' },
  Abandoned: { kind: 'Abandoned' },
  Succeeded: { kind: 'Succeeded' },
};

/** One representative input per kind: nothing expired, nothing near its expiry. */
const INPUTS: { readonly [I in InputKind]: Extract<SessionInput, { kind: I }> } = {
  AddPart: { kind: 'AddPart', part: part(C, 3_000), now: 10, height: 100 },
  CollectTimeout: { kind: 'CollectTimeout', now: 100 },
  FundingFailed: { kind: 'FundingFailed', reason: 'client disconnected before funding_signed' },
  ChannelReady: { kind: 'ChannelReady', channel: 'c1', funding: 'f1' },
  PaymentSettled: { kind: 'PaymentSettled' },
  PaymentFailed: { kind: 'PaymentFailed', htlc: A },
  FundingBroadcast: { kind: 'FundingBroadcast' },
  NewBlock: { kind: 'NewBlock', height: 100 },
  ChannelClosed: { kind: 'ChannelClosed', channel: 'c1' },
};

interface Expect {
  readonly to: StateKind;
  readonly actions: readonly ActionKind[];
  readonly note?: 'unusual' | 'error';
}

const U = (to: StateKind): Expect => ({ to, actions: [], note: 'unusual' });
const row = (expect: Expect): Record<InputKind, Expect> => Object.fromEntries(INPUT_KINDS.map((i) => [i, expect])) as Record<InputKind, Expect>;
const unusualRow = (to: StateKind) => row(U(to));
const errorRow = (to: StateKind) => row({ to, actions: [], note: 'error' });

/** The transition table of DESIGN 3.5, for the representative inputs above. */
const TABLE: Record<StateKind, Record<InputKind, Expect>> = {
  Collecting: {
    ...unusualRow('Collecting'),
    AddPart: { to: 'Collecting', actions: [] },
    CollectTimeout: { to: 'Failed', actions: ['FailHtlcs', 'FailSession'] },
    NewBlock: { to: 'Collecting', actions: [] },
  },
  AwaitingChannelReady: {
    ...unusualRow('AwaitingChannelReady'),
    AddPart: { to: 'AwaitingChannelReady', actions: [] },
    FundingFailed: { to: 'Failed', actions: ['FailHtlcs', 'Disconnect', 'FailSession'] },
    ChannelReady: { to: 'AwaitingSettlement', actions: ['ForwardHtlcs'] },
    NewBlock: { to: 'AwaitingChannelReady', actions: [] },
  },
  AwaitingSettlement: {
    ...unusualRow('AwaitingSettlement'),
    AddPart: { to: 'AwaitingSettlement', actions: ['ForwardHtlcs'] },
    PaymentSettled: { to: 'Broadcasting', actions: ['BroadcastFunding'] },
    PaymentFailed: { to: 'AwaitingSettlement', actions: [] },
    ChannelClosed: { to: 'Abandoned', actions: ['Disconnect', 'AbandonSession'] },
  },
  Broadcasting: {
    ...unusualRow('Broadcasting'),
    AddPart: { to: 'Broadcasting', actions: ['ForwardHtlcs'] },
    FundingBroadcast: { to: 'Succeeded', actions: [] },
  },
  Failed: errorRow('Failed'),
  Abandoned: errorRow('Abandoned'),
  Succeeded: errorRow('Succeeded'),
};

describe('LSPS2 session state machine: every (state, input) pair', () => {
  it('the table covers every state and input kind', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...STATE_KINDS].sort());
    for (const s of STATE_KINDS) expect(Object.keys(TABLE[s]).sort()).toEqual([...INPUT_KINDS].sort());
  });
  for (const s of STATE_KINDS) {
    for (const i of INPUT_KINDS) {
      const want = TABLE[s][i];
      it(`${s} × ${i} → ${want.to} [${want.actions.join(', ')}]${want.note ? ` (${want.note})` : ''}`, () => {
        const result = step(config(), STATES[s], INPUTS[i]);
        expect(result.state.kind).toBe(want.to);
        expect(result.actions.map((a) => a.kind)).toEqual(want.actions);
        expect(result.note?.kind).toBe(want.note);
        // An unusual or erroneous input changes nothing at all.
        if (want.note) expect(result.state).toBe(STATES[s]);
      });
    }
  }
});

function failCodes(result: ReturnType<typeof step>) {
  return result.actions.flatMap((a) => (a.kind === 'FailHtlcs' ? [{ code: a.code, cause: a.cause, htlcs: a.htlcs }] : []));
}

describe('Collecting', () => {
  it('collects until the parts reach payment_size, then takes the fee on payment_size and funds', () => {
    const r = step(config(), STATES.Collecting, { ...INPUTS.AddPart, part: part(C, 7_000) });
    expect(r.state).toEqual({ kind: 'AwaitingChannelReady', parts: [part(A, 4_000), part(C, 7_000)], feeMsat: 100 });
    expect(r.actions).toEqual([{ kind: 'FundChannel', feeMsat: 100 }]);
  });
  it('an overpaid payment is charged the fee of the agreed size, not of the sum', () => {
    const big = { ...POLICY, minFeeMsat: 0 };
    const r = step(config({ params: makeFeeParams('s', big, 0) }), STATES.Collecting, { ...INPUTS.AddPart, part: part(C, 16_000) });
    expect(r.state.kind === 'AwaitingChannelReady' && r.state.feeMsat).toBe(100); // 1% of 10,000, not of 20,000
    const buggy = step(config({ params: makeFeeParams('s', big, 0), bugs: new Set([BUG.feeOnParts]) }), STATES.Collecting, { ...INPUTS.AddPart, part: part(C, 16_000) });
    expect(buggy.state.kind === 'AwaitingChannelReady' && buggy.state.feeMsat).toBe(200);
  });
  it('more parts than max_parts fail with temporary_channel_failure (cln-perm-code: unknown_next_peer)', () => {
    const full: SessionState = { kind: 'Collecting', parts: [part(A, 1_000), part(B, 1_000), part(C, 1_000)] };
    const add = { ...INPUTS.AddPart, part: part({ scid: '1x2x0', id: 1 }, 1_000) };
    expect(failCodes(step(config(), full, add))).toEqual([{ code: TEMPORARY_CHANNEL_FAILURE, cause: 'too-many-parts', htlcs: [A, B, C, { scid: '1x2x0', id: 1 }] }]);
    expect(failCodes(step(config({ bugs: new Set([BUG.permCode]) }), full, add))[0].code).toBe(UNKNOWN_NEXT_PEER);
  });
  it('a payment that cannot pay the fee fails with unknown_next_peer', () => {
    const pricey = makeFeeParams('s', { ...POLICY, minFeeMsat: 20_000 }, 0);
    const r = step(config({ params: pricey }), STATES.Collecting, { ...INPUTS.AddPart, part: part(C, 6_000) });
    expect(r.state.kind).toBe('Failed');
    expect(failCodes(r)).toEqual([{ code: UNKNOWN_NEXT_PEER, cause: 'fee-not-covered', htlcs: [A, C] }]);
  });
  it('a fee the parts cannot pay while keeping 1 msat each fails with unknown_next_peer', () => {
    const pricey = makeFeeParams('s', { ...POLICY, minFeeMsat: 9_999 }, 0);
    const ones: SessionState = { kind: 'Collecting', parts: [part(A, 1), part(B, 1)] };
    const r = step(config({ params: pricey, paymentSizeMsat: 10_000, maxParts: 5 }), ones, { ...INPUTS.AddPart, part: part(C, 9_998) });
    expect(failCodes(r)[0]).toMatchObject({ code: UNKNOWN_NEXT_PEER, cause: 'fee-not-covered' });
  });
  it('a part after valid_until fails everything with unknown_next_peer; so does the timer then', () => {
    expect(failCodes(step(config(), STATES.Collecting, { ...INPUTS.AddPart, now: params.valid_until }))[0]).toMatchObject({ code: UNKNOWN_NEXT_PEER, cause: 'offer-expired' });
    expect(failCodes(step(config(), STATES.Collecting, { kind: 'CollectTimeout', now: params.valid_until }))[0]).toMatchObject({ code: UNKNOWN_NEXT_PEER, cause: 'offer-expired' });
    expect(failCodes(step(config(), STATES.Collecting, INPUTS.CollectTimeout))[0]).toMatchObject({ code: TEMPORARY_CHANNEL_FAILURE, cause: 'collect-timeout' });
  });
  it('fails held parts once height + 6 reaches the earliest expiry (cln-cltv-late: only past it)', () => {
    const held: SessionState = { kind: 'Collecting', parts: [part(A, 4_000, 120), part(B, 1_000, 110)] };
    expect(step(config(), held, { kind: 'NewBlock', height: 103 }).state.kind).toBe('Collecting');
    const r = step(config(), held, { kind: 'NewBlock', height: 104 });
    expect(r.state.kind).toBe('Failed');
    expect(r.actions.map((a) => a.kind)).toEqual(['FailHtlcs', 'Disconnect', 'FailSession']);
    expect(failCodes(r)[0]).toMatchObject({ code: TEMPORARY_CHANNEL_FAILURE, cause: 'cltv-margin' });
    const late = config({ bugs: new Set([BUG.cltvLate]) });
    expect(step(late, held, { kind: 'NewBlock', height: 110 }).state.kind).toBe('Collecting');
    expect(step(late, held, { kind: 'NewBlock', height: 111 }).state.kind).toBe('Failed');
  });
  it('a part arriving already inside the margin is not held', () => {
    const r = step(config(), STATES.Collecting, { ...INPUTS.AddPart, part: part(C, 1_000, 105), height: 100 });
    expect(failCodes(r)[0]).toMatchObject({ cause: 'cltv-margin', htlcs: [A, C] });
  });
});

describe('Collecting in var-amount mode (no payment_size)', () => {
  const empty: SessionState = { kind: 'Collecting', parts: [] };
  const varConfig = config({ paymentSizeMsat: undefined });
  it('the first HTLC funds at once, its fee computed on its own amount', () => {
    const r = step(varConfig, empty, { ...INPUTS.AddPart, part: part(A, 50_000) });
    expect(r.state).toEqual({ kind: 'AwaitingChannelReady', parts: [part(A, 50_000)], feeMsat: 500 });
    expect(r.actions).toEqual([{ kind: 'FundChannel', feeMsat: 500 }]);
  });
  it('a second HTLC fails with temporary_channel_failure', () => {
    const one: SessionState = { kind: 'Collecting', parts: [part(A, 50_000)] };
    expect(failCodes(step(varConfig, one, { ...INPUTS.AddPart, part: part(B, 1_000) }))).toEqual([{ code: TEMPORARY_CHANNEL_FAILURE, cause: 'too-many-parts', htlcs: [A, B] }]);
  });
  it('an HTLC outside [min, max]_payment_size or not above the fee fails with unknown_next_peer', () => {
    expect(failCodes(step(varConfig, empty, { ...INPUTS.AddPart, part: part(A, 999) }))[0]).toMatchObject({ code: UNKNOWN_NEXT_PEER, cause: 'size-out-of-range' });
    expect(failCodes(step(varConfig, empty, { ...INPUTS.AddPart, part: part(A, 1_000_001) }))[0]).toMatchObject({ code: UNKNOWN_NEXT_PEER, cause: 'size-out-of-range' });
    const pricey = config({ paymentSizeMsat: undefined, params: makeFeeParams('s', { ...POLICY, minFeeMsat: 5_000 }, 0) });
    expect(failCodes(step(pricey, empty, { ...INPUTS.AddPart, part: part(A, 5_000) }))[0]).toMatchObject({ code: UNKNOWN_NEXT_PEER, cause: 'fee-not-covered' });
  });
});

describe('AwaitingChannelReady', () => {
  it('channel_ready takes the fee from the first parts, extra_fee only on parts that paid', () => {
    const r = step(config(), STATES.AwaitingChannelReady, INPUTS.ChannelReady);
    expect(r.actions).toEqual([
      {
        kind: 'ForwardHtlcs',
        channel: 'c1',
        parts: [
          { htlc: A, amountMsat: 6_000, feeMsat: 100, forwardMsat: 5_900 },
          { htlc: B, amountMsat: 5_000, feeMsat: 0, forwardMsat: 5_000 },
        ],
      },
    ]);
    expect(r.state).toEqual({ ...STATES.AwaitingSettlement });
  });
  it('the fee spreads over parts when one cannot pay it alone, each keeping 1 msat', () => {
    expect(allocateFee([part(A, 60), part(B, 100)], 100)).toEqual([
      { htlc: A, amountMsat: 60, feeMsat: 59, forwardMsat: 1 },
      { htlc: B, amountMsat: 100, feeMsat: 41, forwardMsat: 59 },
    ]);
    expect(allocateFee([part(A, 60), part(B, 40)], 100)).toBeUndefined();
  });
  it('channel_ready with more parts than max_parts abandons the channel and fails them temporarily', () => {
    const crowded: SessionState = { kind: 'AwaitingChannelReady', parts: [part(A, 3_000), part(B, 3_000), part(C, 3_000), part({ scid: '1x2x0', id: 1 }, 3_000)], feeMsat: 100 };
    const r = step(config(), crowded, INPUTS.ChannelReady);
    expect(r.state.kind).toBe('Abandoned');
    expect(r.actions.map((a) => a.kind)).toEqual(['FailHtlcs', 'Disconnect', 'AbandonSession']);
    expect(failCodes(r)[0]).toMatchObject({ code: TEMPORARY_CHANNEL_FAILURE, cause: 'too-many-parts' });
  });
  it('a failed funding fails the parts temporarily (cln-perm-code: permanently)', () => {
    expect(failCodes(step(config(), STATES.AwaitingChannelReady, INPUTS.FundingFailed))[0]).toMatchObject({ code: TEMPORARY_CHANNEL_FAILURE, cause: 'funding-failed' });
    expect(failCodes(step(config({ bugs: new Set([BUG.permCode]) }), STATES.AwaitingChannelReady, INPUTS.FundingFailed))[0].code).toBe(UNKNOWN_NEXT_PEER);
  });
  it('the CLTV margin applies while the channel opens too', () => {
    expect(step(config(), STATES.AwaitingChannelReady, { kind: 'NewBlock', height: 494 }).state.kind).toBe('Failed');
  });
});

describe('AwaitingSettlement', () => {
  it('a failed part is dropped alone while others can still settle (cln-abandon-all: everything is abandoned)', () => {
    const r = step(config(), STATES.AwaitingSettlement, INPUTS.PaymentFailed);
    expect(r.state.kind === 'AwaitingSettlement' && r.state.forwarded.map((f) => f.htlc)).toEqual([B]);
    expect(step(config({ bugs: new Set([BUG.abandonAll]) }), STATES.AwaitingSettlement, INPUTS.PaymentFailed).state.kind).toBe('Abandoned');
  });
  it('the last part failing abandons the channel', () => {
    const one = step(config(), STATES.AwaitingSettlement, INPUTS.PaymentFailed).state;
    const r = step(config(), one, { kind: 'PaymentFailed', htlc: B });
    expect(r.state.kind).toBe('Abandoned');
    expect(r.actions).toEqual([{ kind: 'Disconnect' }, { kind: 'AbandonSession', channel: 'c1', funding: 'f1' }]);
  });
  it('a failure of an unknown part, or a close of another channel, is unusual', () => {
    expect(step(config(), STATES.AwaitingSettlement, { kind: 'PaymentFailed', htlc: C }).note?.kind).toBe('unusual');
    expect(step(config(), STATES.AwaitingSettlement, { kind: 'ChannelClosed', channel: 'c2' }).note?.kind).toBe('unusual');
  });
  it('late parts go through without fee, unless a part that paid the fee has failed', () => {
    const late = step(config(), STATES.AwaitingSettlement, INPUTS.AddPart);
    expect(late.actions).toEqual([{ kind: 'ForwardHtlcs', channel: 'c1', parts: [{ htlc: C, amountMsat: 3_000, feeMsat: 0, forwardMsat: 3_000 }] }]);
    const payerGone = step(config(), STATES.AwaitingSettlement, INPUTS.PaymentFailed).state;
    const owed = step(config(), payerGone, INPUTS.AddPart);
    expect(owed.actions).toEqual([{ kind: 'ForwardHtlcs', channel: 'c1', parts: [{ htlc: C, amountMsat: 3_000, feeMsat: 100, forwardMsat: 2_900 }] }]);
  });
  it('the settle broadcasts the funding, and the broadcast ends the session', () => {
    const settled = step(config(), STATES.AwaitingSettlement, INPUTS.PaymentSettled);
    expect(settled.actions).toEqual([{ kind: 'BroadcastFunding', channel: 'c1', funding: 'f1' }]);
    expect(step(config(), settled.state, INPUTS.FundingBroadcast).state.kind).toBe('Succeeded');
  });
});
