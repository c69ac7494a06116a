import { LDK_FAULTS, ldkScenario } from './build.ts';

/** Two real LDK nodes, one channel, payments both ways, every kernel fault. */
export const ldkTwoNodePayments = ldkScenario(
  {
    name: 'ldk-two-node-payments',
    description:
      'Two real rust-lightning 0.1 nodes (WebAssembly) share one channel and pay each other both ways. Monitor writes ' +
      'complete at once (Completed), later (InProgress, then channel_monitor_updated) or not before a crash; manager ' +
      'writes lag or stall; nodes crash anywhere, even between two writes of one LDK call, and restart from the durable ' +
      'monitors and manager; connections drop. Then a calm phase in which every payment must resolve.',
  },
  {
    nodes: ['A', 'B'],
    channels: [{ id: 'ab', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 500_000 }],
    payments: { count: [3, 12], amount: [1_000, 60_000], pairs: [['A', 'B'], ['B', 'A']] },
    faults: LDK_FAULTS,
  },
);
