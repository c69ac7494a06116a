// The two LSPS2 requests as pure functions of the LSP's configuration and the
// request: lsps2.get_info (the fee menu) and lsps2.buy (validate the chosen
// offer and payment size, hand out a JIT scid). Error codes are bLIP-52's.
import { formatMsat, parseMsat } from './amounts.ts';
import { decodeFeeParams, makeFeeParams, openingFeeFor, promiseHolds, type FeePolicy, type OpeningFeeParams } from './fee-params.ts';

export const ERR_UNRECOGNIZED_OR_STALE_TOKEN = 200;
export const ERR_INVALID_OPENING_FEE_PARAMS = 201;
export const ERR_PAYMENT_SIZE_TOO_SMALL = 202;
export const ERR_PAYMENT_SIZE_TOO_LARGE = 203;
/** JSON-RPC invalid params (a malformed request, not an LSPS2 condition). */
export const ERR_INVALID_PARAMS = -32602;

export interface RpcError {
  readonly code: number;
  readonly message: string;
}

export interface GetInfoRequest {
  readonly token?: string;
}

export interface GetInfoResult {
  readonly opening_fee_params_menu: readonly OpeningFeeParams[];
}

export interface BuyRequest {
  readonly opening_fee_params: unknown;
  /** Present: "MPP+fixed-invoice" mode. Absent: "no-MPP+var-invoice" mode. */
  readonly payment_size_msat?: string;
}

export interface BuyResult {
  readonly jit_channel_scid: string;
  readonly lsp_cltv_expiry_delta: number;
  readonly client_trusts_lsp: boolean;
}

export interface LspOffer {
  /** Key of the promise MAC. */
  readonly secret: string;
  readonly policy: FeePolicy;
  /** Tokens the LSP recognises; undefined: any token (or none) is fine. */
  readonly tokens?: readonly string[];
  /** CLTV delta the LSP wants on the route hint hop. */
  readonly cltvExpiryDelta: number;
  /** Incoming liquidity the LSP can receive from the public network, msat. */
  readonly liquidityMsat: number;
  /** The LSP withholds funding until the preimage arrives, so it must advertise client_trusts_lsp = true. */
  readonly clientTrustsLsp: boolean;
}

export type Answer<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: RpcError };

export function getInfo(offer: LspOffer, request: GetInfoRequest, now: number): Answer<GetInfoResult> {
  if (request.token !== undefined && offer.tokens !== undefined && !offer.tokens.includes(request.token)) {
    return { ok: false, error: { code: ERR_UNRECOGNIZED_OR_STALE_TOKEN, message: 'unrecognized_or_stale_token' } };
  }
  return { ok: true, result: { opening_fee_params_menu: [makeFeeParams(offer.secret, offer.policy, now)] } };
}

/** A validated purchase: what the LSP must remember about this JIT scid. */
export interface AcceptedBuy {
  readonly params: OpeningFeeParams;
  /** undefined: var-amount mode. */
  readonly paymentSizeMsat: string | undefined;
  /** Fixed mode: the opening fee agreed for payment_size_msat. */
  readonly openingFeeMsat: string | undefined;
}

/** Validate a buy request; the caller allocates the scid and builds the BuyResult. */
export function validateBuy(offer: LspOffer, request: BuyRequest, now: number): Answer<AcceptedBuy> {
  const fail = (code: number, message: string): Answer<AcceptedBuy> => ({ ok: false, error: { code, message } });
  if (!promiseHolds(offer.secret, request.opening_fee_params)) return fail(ERR_INVALID_OPENING_FEE_PARAMS, 'invalid_opening_fee_params: the promise does not match the parameters');
  const params = request.opening_fee_params;
  const decoded = decodeFeeParams(params)!;
  if (now >= decoded.validUntil) return fail(ERR_INVALID_OPENING_FEE_PARAMS, 'invalid_opening_fee_params: valid_until has passed');
  if (request.payment_size_msat === undefined) return { ok: true, result: { params, paymentSizeMsat: undefined, openingFeeMsat: undefined } };
  const size = parseMsat(request.payment_size_msat);
  if (size === undefined) return fail(ERR_INVALID_PARAMS, 'payment_size_msat is not a u64 msat string');
  if (size < decoded.minPaymentSizeMsat) return fail(ERR_PAYMENT_SIZE_TOO_SMALL, 'payment_size_too_small: below min_payment_size_msat');
  if (size > decoded.maxPaymentSizeMsat) return fail(ERR_PAYMENT_SIZE_TOO_LARGE, 'payment_size_too_large: above max_payment_size_msat');
  const fee = openingFeeFor(params, size);
  if (fee === undefined) return fail(ERR_PAYMENT_SIZE_TOO_LARGE, 'payment_size_too_large: the opening fee computation overflows');
  if (fee >= size) return fail(ERR_PAYMENT_SIZE_TOO_SMALL, 'payment_size_too_small: the opening fee is not below the payment size');
  if (size > BigInt(offer.liquidityMsat)) return fail(ERR_PAYMENT_SIZE_TOO_LARGE, 'payment_size_too_large: not enough incoming liquidity');
  return { ok: true, result: { params, paymentSizeMsat: formatMsat(size), openingFeeMsat: formatMsat(fee) } };
}

/** The client's side of buy: pick an offer and check the fee it will be charged before buying. */
export function clientPlanBuy(menu: readonly unknown[], paymentSizeMsat: bigint | undefined): Answer<{ params: OpeningFeeParams; openingFeeMsat: bigint | undefined }> {
  const params = menu.find((p) => decodeFeeParams(p) !== undefined) as OpeningFeeParams | undefined;
  if (!params) return { ok: false, error: { code: ERR_INVALID_OPENING_FEE_PARAMS, message: 'no well-formed opening_fee_params in the menu' } };
  if (paymentSizeMsat === undefined) return { ok: true, result: { params, openingFeeMsat: undefined } };
  const fee = openingFeeFor(params, paymentSizeMsat);
  if (fee === undefined || fee >= paymentSizeMsat) return { ok: false, error: { code: ERR_PAYMENT_SIZE_TOO_SMALL, message: 'the opening fee would not leave anything of the payment' } };
  return { ok: true, result: { params, openingFeeMsat: fee } };
}
