// Regressions of the harness glue that drives real LDK (model/ldk/node.ts): single seeds that failed because of the
// glue, not because of LDK, and must stay green.
import { expect, it } from 'vitest';
import { loadScenario, runScenarioAsync } from '../api.ts';

it('a background pass sends what each event made before the next event writes (ldk-claim-event-restart seed 103)', async () => {
  // One pass handled PendingHTLCsForwardable (failing an HTLC back: a Completed update and its commitment_signed),
  // then PaymentClaimable (claim_funds: an InProgress preimage update). Sending the pass's messages only at its end
  // put that commitment_signed on the wire after the InProgress write, and monitor-safety blamed LDK for it.
  await loadScenario('ldk-claim-event-restart');
  const result = await runScenarioAsync('ldk-claim-event-restart', { seed: 103 });
  expect(result.violation).toBeUndefined();
}, 120_000);
