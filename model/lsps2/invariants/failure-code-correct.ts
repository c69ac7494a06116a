// failure-code-correct: every HTLC the LSP fails carries the code bLIP-52
// mandates for its cause (unknown_next_peer only when the payment cannot pay
// the fee or the offer expired; temporary_channel_failure for everything the
// payer may retry). Failures relayed from the client keep the client's code.
//
// The oracle is the checker's own table, written from the spec (BOLT 4 code
// numbers, bLIP-52's "fail with unknown_next_peer" / "temporary_channel_failure"
// rules), not the model's mandatedCode: a wrong entry in the model's table
// would otherwise move the LSP and the check together.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';
import type { Lsps2Roles } from './roles.ts';

export const NAME = 'failure-code-correct';
export const DESCRIPTION = 'Every HTLC the LSP fails carries the code the spec mandates for its cause: unknown_next_peer only when the payment cannot cover the opening fee or the offer expired, temporary_channel_failure for every retryable cause.';

/** BOLT 4: UPDATE|7 and PERM|10. */
const TEMPORARY_CHANNEL_FAILURE = 0x1000 | 7;
const UNKNOWN_NEXT_PEER = 0x4000 | 10;

/** bLIP-52, per failure cause: permanent only where retrying cannot help (the fee, the offer, the scid). */
const SPEC_CODE: Readonly<Record<string, number>> = {
  'fee-not-covered': UNKNOWN_NEXT_PEER,
  'offer-expired': UNKNOWN_NEXT_PEER,
  'size-out-of-range': UNKNOWN_NEXT_PEER,
  'unknown-scid': UNKNOWN_NEXT_PEER,
  'too-many-parts': TEMPORARY_CHANNEL_FAILURE,
  'collect-timeout': TEMPORARY_CHANNEL_FAILURE,
  'funding-failed': TEMPORARY_CHANNEL_FAILURE,
  'allocation-failed': TEMPORARY_CHANNEL_FAILURE,
  'cltv-margin': TEMPORARY_CHANNEL_FAILURE,
  refused: TEMPORARY_CHANNEL_FAILURE,
  'forward-failed': TEMPORARY_CHANNEL_FAILURE,
};

function name(code: number): string {
  return code === TEMPORARY_CHANNEL_FAILURE ? 'temporary_channel_failure' : code === UNKNOWN_NEXT_PEER ? 'unknown_next_peer' : `code ${code}`;
}

export function failureCodeCorrect(roles: Lsps2Roles): Checker {
  return new FailureCodeCorrect(roles);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class FailureCodeCorrect implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];

  constructor(private readonly roles: Lsps2Roles) {
    this.name = NAME;
    this.kinds = ['lsp-htlc'];
  }

  onRecord(r: TraceRecord): string | undefined {
    if (r.n !== this.roles.lsp || r.k !== 'lsp-htlc' || r.d?.action !== 'fail' || r.d.cause === 'relayed') return undefined;
    const cause = r.d.cause as string;
    const expected = SPEC_CODE[cause];
    if (expected === undefined) return `HTLC ${r.d.htlc} failed for an unknown cause '${cause}': the spec table has no code for it`;
    const code = r.d.code as number;
    return code === expected ? undefined : `HTLC ${r.d.htlc} failed for ${cause} with ${name(code)}; the spec mandates ${name(expected)}`;
  }
}
