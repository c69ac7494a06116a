// rust-lightning's test_inverted_mon_completion_order (chanmon_update_fail_tests.rs), as steps.
// B forwards A→C. When C's preimage reaches B, B writes it to the upstream (A–B) monitor first;
// that write stays in progress while the downstream (B–C) dance runs to its end. B must not let
// the downstream monitor drop the preimage (the final RAA's update) until the upstream write is
// durable. Here B then crashes losing the upstream write, with a manager from before the claim:
// only the downstream monitor can still hand B the preimage to claim from A.
import { defineScenario } from '../define.ts';

export const invertedMonCompletion = defineScenario({
  name: 'inverted-mon-completion',
  description:
    "Scripted (rust-lightning test_inverted_mon_completion_order): B forwards A→C; B's upstream preimage write stays in " +
    'progress while the downstream dance completes; B crashes losing it, its manager stale. The downstream monitor must ' +
    'still hold the preimage so B claims from A (planted bug ldk-2169 loses it: no-lost-htlc).',
  topology: {
    nodes: ['A', 'B', 'C'],
    channels: [
      { id: 'ab', between: ['A', 'B'], capacity: 1_000_000 },
      { id: 'bc', between: ['B', 'C'], capacity: 1_000_000 },
    ],
  },
  faults: {},
  steps: [
    { holdEvents: 'C' }, // C's application waits: the payment stops at claimable
    { pay: { from: 'A', to: 'C', amount: 100_000, id: 'p1' } },
    { expect: { node: 'C', payment: 'p1', is: 'claimable' } },
    { holdWrites: { node: 'B', monitor: 'ab', manager: true } }, // B's upstream monitor and manager writes go InProgress
    { claim: { node: 'C', payment: 'p1' } },
    { releaseEvents: 'C' }, // C handles PaymentClaimed, so the B–C dance can run to its end
    { expect: { node: 'B', event: 'PaymentForwarded', count: 0 } }, // not before the upstream claim is durable
    { crash: { node: 'B', keep: 'none' } }, // the upstream preimage write and the manager writes are lost
    { restart: 'B' },
    { releaseWrites: { node: 'B', monitor: 'ab', manager: true } },
  ],
});

export default invertedMonCompletion;
