// Channels opened during the run while their first monitor writes are slow and
// nodes crash (rust-lightning #1678).
import type { Scenario } from '../scenario.ts';
import { buildLnSpec, LN_FAULTS, LN_INVARIANTS } from './build.ts';

export const channelOpenRestart: Scenario = {
  name: 'channel-open-restart',
  description:
    'A, B and C start with channels A–B and B–C and open one to three new channels during the run (A→C, C→B, B→A), ' +
    'each funded from a wallet coin: open_channel, accept_channel, funding_created; the fundee creates its monitor and ' +
    'sends funding_signed only once that first write is durable, the funder creates its own and broadcasts the funding ' +
    'only once durable, and the channel carries payments after the funding is buried and channel_ready crossed. First ' +
    'monitor writes complete late or stall while the manager, which records the new channel at once, is persisted on ' +
    'its own schedule; nodes crash in between. A restart that finds the channel in the manager but no monitor must drop ' +
    'it, since its first monitor write never completed (rust-lightning #1678), not refuse to start; the peer learns the ' +
    'channel is unknown when it reconnects and forgets its never-funded side. Payments run over old and new channels.',
  invariants: LN_INVARIANTS,
  inDefaultMix: false,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C'],
        channels: [
          { id: 'ab', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 600_000 },
          { id: 'bc', a: 'B', b: 'C', capacity: 1_000_000, aBalance: 600_000 },
        ],
        opens: {
          channels: [
            { id: 'ac', funder: 'A', fundee: 'C', capacity: 400_000, coin: 500_000 },
            { id: 'cb', funder: 'C', fundee: 'B', capacity: 400_000, coin: 400_000 },
            { id: 'ba', funder: 'B', fundee: 'A', capacity: 300_000, coin: 350_000 },
          ],
          count: [1, 3],
        },
        payments: { count: [3, 10], amount: [1_000, 60_000], pairs: [['A', 'C'], ['C', 'B'], ['B', 'A'], ['A', 'B']] },
        // Slow and stalled monitor snapshots (first writes among them), never a stalled manager: the race needs the
        // manager durable while the monitor is not.
        // Aimed faults in half the runs: over 600 seeds (npm run bench's searches section, and rates from seed
        // 5,000,001) they break ldk-1678 in 51 runs where the plain sweep does in 36.
        faults: { ...LN_FAULTS, crash: [0.004, 0.03], persistDelay: [0.3, 0.9], keyStall: { 'monitor/': [0.05, 0.4] }, aim: {} },
      },
      bugs,
    ),
};
