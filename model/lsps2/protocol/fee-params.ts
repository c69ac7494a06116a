// opening_fee_params (bLIP-52 §1): what the LSP offers, with a promise that
// lets it recognise its own offers later without remembering them. The
// promise is an HMAC-SHA256 over a canonical serialisation of every other
// field, keyed with a secret only the LSP knows.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { computeOpeningFee, formatMsat, parseMsat } from './amounts.ts';

/** One entry of opening_fee_params_menu, as it travels on the wire. */
export interface OpeningFeeParams {
  /** Minimum opening fee, msat (LSPS0 msat string). */
  readonly min_fee_msat: string;
  /** Proportional opening fee, parts per million of the payment size. */
  readonly proportional: number;
  /** Until when the offer holds. Virtual time in ticks: stands for bLIP-52's ISO 8601 datetime. */
  readonly valid_until: number;
  /** Blocks the LSP keeps the channel open after confirmation. */
  readonly min_lifetime: number;
  /** Largest to_self_delay the client may impose on the LSP. */
  readonly max_client_to_self_delay: number;
  readonly min_payment_size_msat: string;
  readonly max_payment_size_msat: string;
  /** The LSP's MAC over the other fields. */
  readonly promise: string;
}

export const FEE_PARAMS_FIELDS = [
  'min_fee_msat',
  'proportional',
  'valid_until',
  'min_lifetime',
  'max_client_to_self_delay',
  'min_payment_size_msat',
  'max_payment_size_msat',
  'promise',
] as const;

/** Longest promise a client accepts (bLIP-52: 512 bytes). */
export const MAX_PROMISE_LENGTH = 512;

/** Decoded amounts of a params object (bigint msat, checked). */
export interface DecodedFeeParams {
  readonly minFeeMsat: bigint;
  readonly proportionalPpm: bigint;
  readonly validUntil: number;
  readonly minPaymentSizeMsat: bigint;
  readonly maxPaymentSizeMsat: bigint;
}

function canonical(p: Omit<OpeningFeeParams, 'promise'>): string {
  return [p.min_fee_msat, p.proportional, p.valid_until, p.min_lifetime, p.max_client_to_self_delay, p.min_payment_size_msat, p.max_payment_size_msat].join('|');
}

/** The MAC, cut to 128 bits (bLIP-52 leaves the promise's form to the LSP; it must only be unforgeable and committing). */
export function makePromise(secret: string, params: Omit<OpeningFeeParams, 'promise'>): string {
  const message = canonical(params);
  const key = `${secret.length}:${secret}${message}`;
  let promise = promises.get(key);
  if (promise === undefined) {
    if (promises.size >= MEMO_LIMIT) promises.clear();
    promise = bytesToHex(hmac(sha256, utf8ToBytes(secret), utf8ToBytes(message))).slice(0, 32);
    promises.set(key, promise);
  }
  return promise;
}

// Pure, and asked again for the same offers (made at get_info, checked at buy, in run after run of a sweep): remembered, up to a bound.
const MEMO_LIMIT = 4_096;
const promises = new Map<string, string>();

/** Whether `params` is exactly an offer this secret made (fields, types and MAC). */
export function promiseHolds(secret: string, params: unknown): params is OpeningFeeParams {
  const decoded = decodeFeeParams(params);
  if (!decoded) return false;
  const p = params as OpeningFeeParams;
  return p.promise === makePromise(secret, p);
}

/** Shape check as a client must do it: all fields, no others, well-formed amounts. */
export function decodeFeeParams(params: unknown): DecodedFeeParams | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  // The same params object is decoded at every step that prices a payment (the client at each part and block, the
  // session at each part): remembered per object. Params are never changed once made (readonly, as on the wire).
  const known = decodedParams.get(params);
  if (known !== undefined || decodedParams.has(params)) return known;
  const d = decodeFields(params as Record<string, unknown>);
  decodedParams.set(params, d);
  return d;
}

const decodedParams = new WeakMap<object, DecodedFeeParams | undefined>();

function decodeFields(p: Record<string, unknown>): DecodedFeeParams | undefined {
  const keys = Object.keys(p);
  if (keys.length !== FEE_PARAMS_FIELDS.length || !FEE_PARAMS_FIELDS.every((f) => f in p)) return undefined;
  const minFeeMsat = parseMsat(p.min_fee_msat);
  const minPaymentSizeMsat = parseMsat(p.min_payment_size_msat);
  const maxPaymentSizeMsat = parseMsat(p.max_payment_size_msat);
  const ints = [p.proportional, p.valid_until, p.min_lifetime, p.max_client_to_self_delay];
  if (minFeeMsat === undefined || minPaymentSizeMsat === undefined || maxPaymentSizeMsat === undefined) return undefined;
  if (!ints.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) return undefined;
  if (typeof p.promise !== 'string' || p.promise.length > MAX_PROMISE_LENGTH) return undefined;
  return { minFeeMsat, proportionalPpm: BigInt(p.proportional as number), validUntil: p.valid_until as number, minPaymentSizeMsat, maxPaymentSizeMsat };
}

/** The opening fee these params charge for a payment size; undefined on overflow or malformed params. */
export function openingFeeFor(params: OpeningFeeParams, paymentSizeMsat: bigint): bigint | undefined {
  const d = decodeFeeParams(params);
  return d === undefined ? undefined : computeOpeningFee(paymentSizeMsat, d.minFeeMsat, d.proportionalPpm);
}

/** What the LSP offers; every knob is one opening_fee_params field. */
export interface FeePolicy {
  /** Minimum fee, msat. */
  readonly minFeeMsat: number;
  /** Proportional fee, ppm. */
  readonly proportionalPpm: number;
  /** An offer is valid for this many ticks after get_info. */
  readonly validForTicks: number;
  readonly minLifetime: number;
  readonly maxClientToSelfDelay: number;
  readonly minPaymentSizeMsat: number;
  readonly maxPaymentSizeMsat: number;
}

export function makeFeeParams(secret: string, policy: FeePolicy, now: number): OpeningFeeParams {
  const body = {
    min_fee_msat: formatMsat(policy.minFeeMsat),
    proportional: policy.proportionalPpm,
    valid_until: now + policy.validForTicks,
    min_lifetime: policy.minLifetime,
    max_client_to_self_delay: policy.maxClientToSelfDelay,
    min_payment_size_msat: formatMsat(policy.minPaymentSizeMsat),
    max_payment_size_msat: formatMsat(policy.maxPaymentSizeMsat),
  };
  return { ...body, promise: makePromise(secret, body) };
}
