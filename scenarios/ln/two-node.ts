import type { Scenario } from '../scenario.ts';
import { buildLnSpec, LN_FAULTS, LN_INVARIANTS } from './build.ts';

/** The first slice: two nodes, one channel, payments both ways, every kernel fault. */
export const twoNodePayments: Scenario = {
  name: 'two-node-payments',
  description:
    'Two LDK-style nodes share one channel and pay each other in both directions through the full BOLT 2 dance ' +
    '(update_add/fulfill/fail, commitment_signed, revoke_and_ack, channel_reestablish with retransmission). ' +
    'Monitor persists complete at once, later, or not before a crash; nodes crash at any step, including between ' +
    'a monitor write and the manager write, and restart from disk; connections drop; either side may force-close, ' +
    'settling HTLCs on the simulated chain. Then a calm phase in which every payment must resolve.',
  invariants: LN_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B'],
        channels: [{ id: 'ab', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 500_000 }],
        payments: {
          count: [3, 12],
          amount: [1_000, 60_000],
          pairs: [
            ['A', 'B'],
            ['B', 'A'],
          ],
        },
        faults: LN_FAULTS,
      },
      bugs,
    ),
};
