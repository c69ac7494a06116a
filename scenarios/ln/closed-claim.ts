// A receiver that claims on channels already closed (rust-lightning #3414).
import type { Scenario } from '../scenario.ts';
import { buildLnSpec, LN_INVARIANTS } from './build.ts';

export const closedChannelClaim: Scenario = {
  name: 'closed-channel-claim',
  description:
    'A pays B over two channels while channels are force-closed often and B\'s application is slow to claim, so ' +
    'many claims land on the monitor of a channel that is already closed. Such a claim is a monitor update like any ' +
    'other: it must be tracked as in flight until durable (rust-lightning #3414). B\'s monitor update files stall ' +
    'and B crashes often, every run (no swarm: the race needs both): a restart must never find a monitor behind a ' +
    'manager that has no record of the missing update.',
  invariants: LN_INVARIANTS,
  inDefaultMix: false,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B'],
        channels: [
          { id: 'ab1', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 700_000 },
          { id: 'ab2', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 700_000 },
        ],
        payments: { count: [10, 16], amount: [1_000, 30_000], pairs: [['A', 'B']] },
        faults: {
          crash: [0.01, 0.04],
          persistDelay: [0.3, 0.9],
          keyStall: { 'monitor-update/': [0.2, 0.6] },
          actions: { 'force-close-inflight': [0.05, 0.2] },
          nodes: ['B'],
        },
        swarm: false,
        // B's application claims late: the channel is often closed by then.
        params: { backgroundJitter: 300 },
      },
      bugs,
    ),
};
