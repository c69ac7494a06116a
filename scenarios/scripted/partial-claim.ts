// rust-lightning's test_partial_claim_mon_update_compl_actions (chanmon_update_fail_tests.rs)
// and test_partial_claim_before_restart (reload_tests.rs), as steps. D claims a two-part payment;
// the preimage reaches the first part's monitor while the second part's write stays in progress.
// The first part's channel must not finish its dance (pruning the preimage) until every part's
// preimage is durable; here D then crashes losing the second write, with a stale manager.
import { defineScenario } from '../define.ts';

export const partialClaim = defineScenario({
  name: 'partial-claim',
  description:
    "Scripted (rust-lightning test_partial_claim_mon_update_compl_actions): D claims a two-part payment; one part's " +
    "preimage write completes, the other's stays in progress; a later payment moves the first part's channel on; D " +
    'crashes with a stale manager. The claim must survive (planted bug ldk-3120 prunes it: payment-claimed-delivered).',
  topology: {
    nodes: ['A', 'D'],
    channels: [
      { id: 'ad1', between: ['A', 'D'], capacity: 1_000_000 },
      { id: 'ad2', between: ['A', 'D'], capacity: 1_000_000 },
    ],
  },
  faults: {},
  steps: [
    { holdWrites: { node: 'D', manager: true } },
    { holdEvents: 'D' },
    { pay: { from: 'A', to: 'D', amount: 200_000, parts: 2, id: 'p1' } },
    { expect: { node: 'D', payment: 'p1', is: 'claimable' } },
    { holdWrites: { node: 'D', monitor: 'ad1' } },
    { holdWrites: { node: 'D', monitor: 'ad2' } },
    { claim: { node: 'D', payment: 'p1' } }, // two preimage writes, both in progress
    { releaseWrites: { node: 'D', monitor: 'ad1' } }, // the first part's completes (and later ones on ad1 too)
    { releaseEvents: 'D' },
    { pay: { from: 'A', to: 'D', amount: 10_000, id: 'p2' } }, // moves ad1 on past the claimed HTLC
    { crash: { node: 'D' } }, // the second part's preimage write is lost
    { restart: 'D' },
    { releaseWrites: { node: 'D', monitor: 'ad2', manager: true } },
  ],
});

export default partialClaim;
