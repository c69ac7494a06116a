// The invariants' own oracles agree with the specs they are written from, independently of the model's code.
import { describe, expect, it } from 'vitest';
import { specOpeningFee } from '../model/lsps2/invariants/payment-fee-correct.ts';
import { computeOpeningFee } from '../model/lsps2/protocol/amounts.ts';

describe('bLIP-52 opening fee oracle (payment-fee-correct)', () => {
  it('rounds the proportional part up and takes the larger of it and min_fee_msat', () => {
    expect(specOpeningFee(1_000_000n, '0', 1)).toBe(1n);
    expect(specOpeningFee(1_000_001n, '0', 1)).toBe(2n);
    expect(specOpeningFee(2_000_000n, '10000', 5000)).toBe(10_000n);
    expect(specOpeningFee(40_000_000n, '10000', 5000)).toBe(200_000n);
    expect(specOpeningFee(40_000_001n, '10000', 5000)).toBe(200_001n);
  });

  it('fails on u64 overflow of the product or of the rounding addition, and on malformed amounts', () => {
    const max = (1n << 64n) - 1n;
    expect(specOpeningFee(max, '0', 2)).toBeUndefined();
    expect(specOpeningFee(max, '0', 1)).toBeUndefined(); // product fits, + 999,999 overflows
    expect(specOpeningFee((max - 999_999n) / 1_000_000n, '0', 1_000_000)).toBeDefined();
    expect(specOpeningFee(1n, '18446744073709551616', 0)).toBeUndefined();
    expect(specOpeningFee(1n, '01', 0)).toBeUndefined();
  });

  it('agrees with the model on the sizes and rates the scenarios use (a different formula in the model would not)', () => {
    for (const size of [0n, 1n, 999_999n, 2_000_000n, 10_000_000n, 40_000_000n, 123_456_789n]) {
      for (const ppm of [0, 1, 5000, 999_999]) {
        for (const min of [0n, 10_000n]) expect(specOpeningFee(size, String(min), ppm)).toBe(computeOpeningFee(size, min, BigInt(ppm)));
      }
    }
  });
});
