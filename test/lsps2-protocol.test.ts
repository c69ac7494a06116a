// The LSPS2 protocol core (bLIP-52): the opening fee with checked u64
// arithmetic, lsps2.get_info and lsps2.buy with the spec's error codes, the
// client's own checks, and the LSP node answering bad requests and HTLCs for
// an unknown scid as the spec says.
import { describe, expect, it } from 'vitest';
import { computeOpeningFee, U64_MAX } from '../model/lsps2/protocol/amounts.ts';
import { decodeFeeParams, makeFeeParams, makePromise, promiseHolds, type FeePolicy } from '../model/lsps2/protocol/fee-params.ts';
import { clientPlanBuy, getInfo, validateBuy, type LspOffer } from '../model/lsps2/protocol/lsps2-api.ts';
import { checkPart, checkTotalFee, isClaimable } from '../model/lsps2/protocol/client-check.ts';
import { lspNode } from '../model/lsps2/lsp/node.ts';
import { UNKNOWN_NEXT_PEER } from '../model/lsps2/failure-codes.ts';
import type { Message, NodeEnv } from '../sim/node.ts';
import type { DiskView } from '../sim/disk.ts';

const POLICY: FeePolicy = { minFeeMsat: 2_000, proportionalPpm: 1_000, validForTicks: 600, minLifetime: 1_008, maxClientToSelfDelay: 2_016, minPaymentSizeMsat: 10_000, maxPaymentSizeMsat: 1_000_000_000 };
const OFFER: LspOffer = { secret: 'k', policy: POLICY, tokens: ['coupon'], cltvExpiryDelta: 6, liquidityMsat: 500_000_000, clientTrustsLsp: true };

describe('opening fee (bLIP-52 "Computing the opening_fee")', () => {
  it('is the proportional fee rounded up, or min_fee_msat when that is larger', () => {
    expect(computeOpeningFee(1_000_000n, 546n, 1_200n)).toBe(1_200n);
    expect(computeOpeningFee(1_000_001n, 0n, 1_200n)).toBe(1_201n); // 1200.0012 rounds up
    expect(computeOpeningFee(42_000n, 546_000n, 1_200n)).toBe(546_000n);
    expect(computeOpeningFee(0n, 0n, 0n)).toBe(0n);
  });
  it('aborts (undefined) when any multiplication or addition overflows u64', () => {
    expect(computeOpeningFee(U64_MAX, 0n, 2n)).toBeUndefined();
    expect(computeOpeningFee(U64_MAX, 0n, 1n)).toBeUndefined(); // U64_MAX * 1 + 999999 overflows
    expect(computeOpeningFee(U64_MAX - 999_999n, 0n, 1n)).toBe((U64_MAX - 999_999n + 999_999n) / 1_000_000n);
  });
});

describe('lsps2.get_info', () => {
  it('returns one promised offer valid for the policy window', () => {
    const answer = getInfo(OFFER, {}, 100);
    expect(answer.ok).toBe(true);
    const params = answer.ok ? answer.result.opening_fee_params_menu[0] : undefined;
    expect(params).toMatchObject({ min_fee_msat: '2000', proportional: 1_000, valid_until: 700, min_payment_size_msat: '10000', max_payment_size_msat: '1000000000' });
    expect(promiseHolds('k', params)).toBe(true);
    expect(promiseHolds('other key', params)).toBe(false);
  });
  it('rejects an unrecognised token with 200', () => {
    expect(getInfo(OFFER, { token: 'nope' }, 0)).toMatchObject({ ok: false, error: { code: 200 } });
    expect(getInfo(OFFER, { token: 'coupon' }, 0).ok).toBe(true);
  });
});

describe('lsps2.buy errors', () => {
  const params = makeFeeParams('k', POLICY, 0); // valid_until 600
  const buy = (request: Parameters<typeof validateBuy>[1], now = 10, offer = OFFER) => validateBuy(offer, request, now);
  it('201 when the promise does not match (tampered or unknown fields)', () => {
    expect(buy({ opening_fee_params: { ...params, min_fee_msat: '1' } })).toMatchObject({ ok: false, error: { code: 201 } });
    expect(buy({ opening_fee_params: { ...params, extra: 1 } })).toMatchObject({ ok: false, error: { code: 201 } });
    expect(buy({ opening_fee_params: 'garbage' })).toMatchObject({ ok: false, error: { code: 201 } });
  });
  it('201 when valid_until has passed', () => {
    expect(buy({ opening_fee_params: params }, 600)).toMatchObject({ ok: false, error: { code: 201, message: expect.stringContaining('valid_until') } });
  });
  it('202 below min_payment_size_msat, 203 above max_payment_size_msat', () => {
    expect(buy({ opening_fee_params: params, payment_size_msat: '9999' })).toMatchObject({ ok: false, error: { code: 202 } });
    expect(buy({ opening_fee_params: params, payment_size_msat: '1000000001' })).toMatchObject({ ok: false, error: { code: 203 } });
  });
  it('202 when the fee is not below the payment size', () => {
    const steep = makeFeeParams('k', { ...POLICY, minFeeMsat: 50_000 }, 0);
    expect(buy({ opening_fee_params: steep, payment_size_msat: '50000' })).toMatchObject({ ok: false, error: { code: 202, message: expect.stringContaining('opening fee') } });
    expect(buy({ opening_fee_params: steep, payment_size_msat: '50001' }).ok).toBe(true);
  });
  it('203 when the fee computation overflows or the LSP lacks the liquidity', () => {
    // An offer (really made by this LSP) whose range reaches u64: size × proportional overflows.
    const { promise: _p, ...body } = { ...makeFeeParams('k', POLICY, 0), proportional: 1_000_000, max_payment_size_msat: U64_MAX.toString() };
    const wide = { ...body, promise: makePromise('k', body) };
    expect(buy({ opening_fee_params: wide, payment_size_msat: (U64_MAX / 2n).toString() })).toMatchObject({ ok: false, error: { code: 203, message: expect.stringContaining('overflow') } });
    expect(buy({ opening_fee_params: params, payment_size_msat: '600000000' })).toMatchObject({ ok: false, error: { code: 203, message: expect.stringContaining('liquidity') } });
  });
  it('a malformed payment size is a JSON-RPC invalid-params error', () => {
    expect(buy({ opening_fee_params: params, payment_size_msat: '12.5' })).toMatchObject({ ok: false, error: { code: -32602 } });
  });
  it('a valid buy records the agreed size and fee (var mode: no size, no fee yet)', () => {
    expect(buy({ opening_fee_params: params, payment_size_msat: '1000000' })).toEqual({ ok: true, result: { params, paymentSizeMsat: '1000000', openingFeeMsat: '2000' } });
    expect(buy({ opening_fee_params: params })).toEqual({ ok: true, result: { params, paymentSizeMsat: undefined, openingFeeMsat: undefined } });
  });
});

describe('the client side', () => {
  const params = makeFeeParams('k', POLICY, 0);
  it('checks the fee it will be charged before buying, and refuses malformed offers', () => {
    expect(clientPlanBuy([params], 10_000_000n)).toEqual({ ok: true, result: { params, openingFeeMsat: 10_000n } });
    expect(clientPlanBuy([params], 2_000n)).toMatchObject({ ok: false, error: { code: 202 } });
    expect(clientPlanBuy([{ ...params, surprise: true }], 10_000_000n)).toMatchObject({ ok: false, error: { code: 201 } });
    expect(decodeFeeParams({ ...params, promise: 'x'.repeat(513) })).toBeUndefined();
  });
  it('accepts a forward only if amount = onion amount - extra_fee, with the TLV only where fee was taken', () => {
    expect(checkPart({ onionAmountMsat: 5_000, receivedMsat: 4_900, extraFeeMsat: 100 }).ok).toBe(true);
    expect(checkPart({ onionAmountMsat: 5_000, receivedMsat: 5_000 }).ok).toBe(true);
    expect(checkPart({ onionAmountMsat: 5_000, receivedMsat: 4_800, extraFeeMsat: 100 }).ok).toBe(false);
    expect(checkPart({ onionAmountMsat: 5_000, receivedMsat: 5_000, extraFeeMsat: 0 }).ok).toBe(false);
  });
  it('accepts at most the promised fee in total, and claims once payment_size - fee has arrived', () => {
    const parts = [
      { onionAmountMsat: 6_000, receivedMsat: 5_900, extraFeeMsat: 100 },
      { onionAmountMsat: 4_000, receivedMsat: 4_000 },
    ];
    expect(checkTotalFee(parts, 100n).ok).toBe(true);
    expect(checkTotalFee(parts, 99n).ok).toBe(false);
    expect(isClaimable(parts, 10_000n, 100n)).toBe(true);
    expect(isClaimable(parts.slice(0, 1), 10_000n, 100n)).toBe(false);
  });
});

/** A NodeEnv on a disk that makes every write durable at once, recording what the node sends and traces. */
function fakeEnv(now = 0) {
  const store = new Map<string, string>();
  const sent: { to: string; message: Message }[] = [];
  const traces: { kind: string; data?: Record<string, unknown> }[] = [];
  const disk: DiskView = {
    read: (k) => store.get(k),
    readValue: (k) => (store.has(k) ? JSON.parse(store.get(k)!) : undefined),
    keys: (prefix) => [...store.keys()].filter((k) => k.startsWith(prefix)).sort(),
    count: (prefix) => [...store.keys()].filter((k) => k.startsWith(prefix)).length,
    write: (k, v) => (store.set(k, typeof v === 'string' ? v : JSON.stringify(v)), 'durable'),
    delete: (k) => (store.delete(k), 'durable'),
    rename: (from, to) => (store.set(to, store.get(from)!), store.delete(from), 'durable'),
  };
  const env: NodeEnv = {
    id: 'L',
    now,
    chain: { height: 10, confirmations: () => 0, confirmedTx: () => undefined, spender: () => undefined, output: () => undefined, inMempool: () => false, blocksAfter: () => [] },
    disk,
    send: (to, message) => sent.push({ to, message }),
    isConnected: () => true,
    broadcast: () => 'accepted',
    setTimer: () => {},
    pick: () => 0,
    draw: () => 0,
    trace: (kind, data) => traces.push({ kind, data }),
  };
  return { env, sent, traces };
}

describe('the LSP node answers bad requests as the spec says', () => {
  const node = lspNode({ client: 'C', incoming: [{ scid: '1x1x0', peer: 'P' }], offer: OFFER, maxParts: 4, cltvSafetyMargin: 6, collectTimeout: 90, capacityFactor: 2, walletScript: 'w', walletTxids: [], bugs: new Set() });
  const params = makeFeeParams('k', POLICY, 0);
  const buyError = (message: Record<string, unknown>, now: number) => {
    const { env, sent } = fakeEnv(now);
    const state = node.boot(env);
    node.onMessage(state, env, 'C', { type: 'lsps2.buy', id: 'r1', opening_fee_params: params, ...message });
    return (sent.find((s) => s.message.type === 'lsps2.buy.response')!.message.error as { code: number }) ?? undefined;
  };
  it('expired fee params: 201', () => expect(buyError({ payment_size_msat: '100000' }, 700).code).toBe(201));
  it('payment size out of range: 202 below, 203 above', () => {
    expect(buyError({ payment_size_msat: '5' }, 10).code).toBe(202);
    expect(buyError({ payment_size_msat: '2000000000' }, 10).code).toBe(203);
  });
  it('fee not below the payment size: 202', () => {
    const steep = makeFeeParams('k', { ...POLICY, minFeeMsat: 20_000, minPaymentSizeMsat: 1 }, 0);
    const { env, sent } = fakeEnv(10);
    const state = node.boot(env);
    node.onMessage(state, env, 'C', { type: 'lsps2.buy', id: 'r2', opening_fee_params: steep, payment_size_msat: '20000' });
    expect((sent[0].message.error as { code: number }).code).toBe(202);
  });
  it('a good buy is answered with a scid, the cltv delta and client_trusts_lsp = true (the funding is withheld)', () => {
    const { env, sent } = fakeEnv(10);
    const state = node.boot(env);
    node.onMessage(state, env, 'C', { type: 'lsps2.buy', id: 'r3', opening_fee_params: params, payment_size_msat: '100000' });
    expect(sent[0].message).toMatchObject({ type: 'lsps2.buy.response', id: 'r3', result: { jit_channel_scid: expect.any(String), lsp_cltv_expiry_delta: 6, client_trusts_lsp: true } });
  });
  it('an HTLC for an unknown scid fails with unknown_next_peer', () => {
    const { env, sent, traces } = fakeEnv(10);
    const state = node.boot(env);
    node.onMessage(state, env, 'P', { type: 'htlc_add', scid: '1x1x0', id: 0, hash: 'h', amountMsat: 50_000, cltvExpiry: 500, onion: { nextScid: '9x9x9', amountToForwardMsat: 50_000, partId: 'p0' } });
    expect(sent).toEqual([{ to: 'P', message: { type: 'htlc_fail', scid: '1x1x0', id: 0, code: UNKNOWN_NEXT_PEER } }]);
    expect(traces.find((t) => t.kind === 'lsp-htlc')?.data).toMatchObject({ action: 'fail', cause: 'unknown-scid', code: UNKNOWN_NEXT_PEER });
  });
});
