// BOLT 4 failure codes this slice uses, and the cause each failure stands for.
// The spec (bLIP-52) mandates unknown_next_peer (permanent: the payer
// blocklists the route) only when the payment cannot cover the opening fee or
// the offer has expired; everything retryable is temporary_channel_failure.

export const PERM = 0x4000;
export const NODE = 0x2000;
export const UPDATE = 0x1000;

export const TEMPORARY_CHANNEL_FAILURE = UPDATE | 7;
export const UNKNOWN_NEXT_PEER = PERM | 10;
export const INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS = PERM | 15;
/** Final-node MPP timeout (BOLT 4 code 23): retryable. */
export const MPP_TIMEOUT = 23;

export function isPermanent(code: number): boolean {
  return (code & PERM) !== 0;
}

export function codeName(code: number): string {
  switch (code) {
    case TEMPORARY_CHANNEL_FAILURE:
      return 'temporary_channel_failure';
    case UNKNOWN_NEXT_PEER:
      return 'unknown_next_peer';
    case INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS:
      return 'incorrect_or_unknown_payment_details';
    case MPP_TIMEOUT:
      return 'mpp_timeout';
    default:
      return `code_${code}`;
  }
}

/** Why the LSP fails an incoming HTLC. */
export type FailureCause =
  /** The payment cannot pay the opening fee (fee ≥ size, overflow, not 1 msat left per part). */
  | 'fee-not-covered'
  /** valid_until passed before the parts were complete, or a part arrived for an expired offer. */
  | 'offer-expired'
  /** Var-amount HTLC outside [min, max]_payment_size_msat. */
  | 'size-out-of-range'
  /** The next hop scid is no JIT channel offer of this LSP. */
  | 'unknown-scid'
  /** More parts than the session accepts, or a second part in var-amount mode. */
  | 'too-many-parts'
  /** Parts did not sum up within the collect timeout. */
  | 'collect-timeout'
  /** Channel funding failed, or the client disconnected before funding_signed. */
  | 'funding-failed'
  /** Fee allocation over the parts failed at channel_ready. */
  | 'allocation-failed'
  /** The earliest held HTLC is within the CLTV safety margin. */
  | 'cltv-margin'
  /** The manager refused the part (scid mismatch, scid busy, purchase already funded or over). */
  | 'refused'
  /** The forward into the JIT channel failed locally (channel gone). */
  | 'forward-failed';

/** The code the spec mandates for each cause. */
export function mandatedCode(cause: FailureCause): number {
  switch (cause) {
    case 'fee-not-covered':
    case 'offer-expired':
    case 'size-out-of-range':
    case 'unknown-scid':
      return UNKNOWN_NEXT_PEER;
    case 'too-many-parts':
    case 'collect-timeout':
    case 'funding-failed':
    case 'allocation-failed':
    case 'cltv-margin':
    case 'refused':
    case 'forward-failed':
      return TEMPORARY_CHANNEL_FAILURE;
  }
}
