// Taking the opening fee out of the parts (bLIP-52 §5): parts in arrival
// order, each gives what it can while keeping htlc_minimum_msat (1 msat), so
// only the first parts pay; the rest go through verbatim.
import type { ForwardPart, Part } from './types.ts';

export const HTLC_MINIMUM_MSAT = 1;

/** Whether the parts can pay `feeMsat` while each keeps at least htlc_minimum_msat. */
export function canDeduct(parts: readonly Part[], feeMsat: number): boolean {
  return parts.reduce((sum, p) => sum + Math.max(0, p.amountMsat - HTLC_MINIMUM_MSAT), 0) >= feeMsat;
}

/** Per-part fee and forward amounts; undefined when the parts cannot pay the fee. */
export function allocateFee(parts: readonly Part[], feeMsat: number): ForwardPart[] | undefined {
  if (!canDeduct(parts, feeMsat)) return undefined;
  let remaining = feeMsat;
  return parts.map((p) => {
    const take = Math.min(remaining, Math.max(0, p.amountMsat - HTLC_MINIMUM_MSAT));
    remaining -= take;
    return { htlc: p.htlc, amountMsat: p.amountMsat, feeMsat: take, forwardMsat: p.amountMsat - take };
  });
}
