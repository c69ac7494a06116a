// failure-code-correct: every HTLC the LSP fails carries the code bLIP-52
// mandates for its cause (unknown_next_peer only when the payment cannot pay
// the fee or the offer expired; temporary_channel_failure for everything the
// payer may retry). Failures relayed from the client keep the client's code.
import type { Checker } from '../../../sim/world.ts';
import { codeName, mandatedCode, type FailureCause } from '../failure-codes.ts';
import type { Lsps2Roles } from './roles.ts';

export const NAME = 'failure-code-correct';
export const DESCRIPTION = 'Every HTLC the LSP fails carries the code the spec mandates for its cause: unknown_next_peer only when the payment cannot cover the opening fee or the offer expired, temporary_channel_failure for every retryable cause.';

export function failureCodeCorrect(roles: Lsps2Roles): Checker {
  return {
    name: NAME,
    onRecord(r) {
      if (r.n !== roles.lsp || r.k !== 'lsp-htlc' || r.d?.action !== 'fail' || r.d.cause === 'relayed') return undefined;
      const cause = r.d.cause as FailureCause;
      const expected = mandatedCode(cause);
      const code = r.d.code as number;
      return code === expected ? undefined : `HTLC ${r.d.htlc} failed for ${cause} with ${codeName(code)}; the spec mandates ${codeName(expected)}`;
    },
  };
}
