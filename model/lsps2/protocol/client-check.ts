// The client's check of the JIT forwards it receives (bLIP-52 §5): each part's
// amount is the onion amount minus its extra_fee TLV, the TLV appears only on
// parts that paid fee, and all extra_fees together stay within the opening fee
// promised for payment_size_msat (var-amount mode: for the single HTLC).

export interface ReceivedPart {
  /** What the payer's onion says this hop should deliver. */
  readonly onionAmountMsat: number;
  /** What actually arrived. */
  readonly receivedMsat: number;
  /** The extra_fee TLV (type 65537), when present. */
  readonly extraFeeMsat?: number;
}

export type PartVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function checkPart(part: ReceivedPart): PartVerdict {
  const fee = part.extraFeeMsat ?? 0;
  if (part.extraFeeMsat !== undefined && part.extraFeeMsat <= 0) return { ok: false, reason: 'extra_fee TLV on a part that paid no fee' };
  if (part.receivedMsat !== part.onionAmountMsat - fee) return { ok: false, reason: `received ${part.receivedMsat} msat, onion says ${part.onionAmountMsat} minus extra_fee ${fee}` };
  return { ok: true };
}

/** Sum of extra_fee over the parts, checked against the promised opening fee. */
export function checkTotalFee(parts: readonly ReceivedPart[], promisedFeeMsat: bigint): PartVerdict {
  const total = parts.reduce((sum, p) => sum + BigInt(p.extraFeeMsat ?? 0), 0n);
  if (total > promisedFeeMsat) return { ok: false, reason: `extra_fee total ${total} msat exceeds the promised opening fee ${promisedFeeMsat} msat` };
  return { ok: true };
}

/** The client may claim once the parts deliver at least payment_size - opening_fee. */
export function isClaimable(parts: readonly ReceivedPart[], paymentSizeMsat: bigint, promisedFeeMsat: bigint): boolean {
  const received = parts.reduce((sum, p) => sum + BigInt(p.receivedMsat), 0n);
  return received >= paymentSizeMsat - promisedFeeMsat;
}
