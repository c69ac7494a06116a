// rust-lightning's test_claim_to_closed_channel_blocks_claimed_event (chanmon_update_fail_tests.rs),
// as steps. A force-closes the channel while B holds a claimable payment; B claims it against the
// closed channel's monitor, whose write stays in progress. That update is in flight like any
// other: when B crashes losing it, the restart must find it in the manager's in-flight record and
// replay it, not find a monitor behind the manager with nothing to replay.
import { defineScenario } from '../define.ts';

export const claimToClosedChannel = defineScenario({
  name: 'claim-to-closed-channel',
  description:
    'Scripted (rust-lightning test_claim_to_closed_channel_blocks_claimed_event): B claims a payment after A ' +
    "force-closed the channel; the closed monitor's preimage write stays in progress and B crashes losing it. B must " +
    'replay it at restart (planted bug ldk-3414 treats it as complete at once: B refuses to start, liveness).',
  topology: { nodes: ['A', 'B'], channels: [{ id: 'ab', between: ['A', 'B'], capacity: 1_000_000 }] },
  faults: {},
  steps: [
    { holdEvents: 'B' },
    { pay: { from: 'A', to: 'B', amount: 100_000, id: 'p1' } },
    { expect: { node: 'B', payment: 'p1', is: 'claimable' } },
    { forceClose: { node: 'A', channel: 'ab' } },
    { confirm: 'mempool' }, // A's commitment confirms: B's channel closes too
    { expect: { node: 'B', channel: 'ab', is: 'closed' } },
    { holdWrites: { node: 'B', monitor: 'ab' } },
    { claim: { node: 'B', payment: 'p1' } },
    { crash: { node: 'B' } },
    { restart: 'B' },
    { releaseWrites: { node: 'B', monitor: 'ab' } },
  ],
});

export default claimToClosedChannel;
