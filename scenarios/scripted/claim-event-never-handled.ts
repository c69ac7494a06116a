// rust-lightning's claim-event tests (chanmon_update_fail_tests.rs / reload_tests.rs: a
// PaymentClaimed the application never handled must come back after a reload), as steps.
// C claims p1 but its application handles no event, and none of its manager writes since
// before p1 arrived reach the disk. The next payment's dance would revoke the commitment that
// carried p1 and prune its preimage from the monitor: C must hold that revocation until
// PaymentClaimed is handled, so that after a crash the monitor still brings the claim back.
import { defineScenario } from '../define.ts';

export const claimEventNeverHandled = defineScenario({
  name: 'claim-event-never-handled',
  description:
    'Scripted (rust-lightning #3988, claim event never handled): C claims a payment while its application handles no ' +
    'event and its manager writes are all lost; a second payment follows; C crashes. PaymentClaimed must still reach ' +
    "C's application after the restart (planted bug ldk-3988 prunes the preimage first: payment-claimed-delivered).",
  topology: { nodes: ['A', 'C'], channels: [{ id: 'ac', between: ['A', 'C'], capacity: 1_000_000 }] },
  faults: {},
  steps: [
    { holdWrites: { node: 'C', manager: true } }, // the manager on disk stays from before p1
    { holdEvents: 'C' },
    { pay: { from: 'A', to: 'C', amount: 100_000, id: 'p1' } },
    { claim: { node: 'C', payment: 'p1' } },
    { expect: { node: 'C', event: 'PaymentClaimed', payment: 'p1', handled: true, count: 0 } },
    { pay: { from: 'A', to: 'C', amount: 50_000, id: 'p2' } }, // its dance revokes the commitment that carried p1
    { expect: { node: 'A', payment: 'p1', is: 'succeeded' } },
    { crash: { node: 'C' } },
    { restart: 'C' },
    { releaseWrites: { node: 'C', manager: true } },
  ],
});

export default claimEventNeverHandled;
