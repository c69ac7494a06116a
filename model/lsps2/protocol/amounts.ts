// Millisatoshi arithmetic as LSPS2 demands it: unsigned 64-bit, every
// addition and multiplication checked for overflow (bLIP-52 "Computing the
// opening_fee"). bigint carries the values; `undefined` means "overflowed,
// abort the flow".

export const U64_MAX = (1n << 64n) - 1n;

export function checkedAdd(a: bigint, b: bigint): bigint | undefined {
  const sum = a + b;
  return sum > U64_MAX ? undefined : sum;
}

export function checkedMul(a: bigint, b: bigint): bigint | undefined {
  const product = a * b;
  return product > U64_MAX ? undefined : product;
}

/**
 * opening_fee = max(min_fee_msat, ceil(payment_size_msat * proportional / 1e6)),
 * every step checked. Returns undefined on overflow.
 */
export function computeOpeningFee(paymentSizeMsat: bigint, minFeeMsat: bigint, proportionalPpm: bigint): bigint | undefined {
  if (paymentSizeMsat < 0n || minFeeMsat < 0n || proportionalPpm < 0n) return undefined;
  const product = checkedMul(paymentSizeMsat, proportionalPpm);
  if (product === undefined) return undefined;
  const roundedUp = checkedAdd(product, 999_999n);
  if (roundedUp === undefined) return undefined;
  const proportional = roundedUp / 1_000_000n;
  return proportional < minFeeMsat ? minFeeMsat : proportional;
}

/** Parse an LSPS0 msat string ("decimal digits, fits u64"); undefined when malformed. */
export function parseMsat(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const value = BigInt(text);
  return value > U64_MAX ? undefined : value;
}

export function formatMsat(value: bigint | number): string {
  return BigInt(value).toString();
}
