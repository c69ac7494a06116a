// Cooperative close racing payments in flight (BOLT 2 shutdown/closing_signed;
// lnd #8393 message ordering, lnd #8145 shutdown while adds are possible).
import type { Scenario } from '../scenario.ts';
import { buildLnSpec, LN_CLOSE_INVARIANTS } from './build.ts';
import { LN_FAULTS } from './build.ts';

export const coopCloseInflight: Scenario = {
  name: 'coop-close-inflight',
  description:
    'A and B pay each other over one channel while one of them, at a random moment, asks for a cooperative close: ' +
    'shutdown goes out with HTLCs still in flight, the other side must stop adding and reply once its own updates are ' +
    'flushed, the HTLCs settle through the usual dance, then closing_signed is exchanged and the closing transaction ' +
    'pays each side its balance on-chain. Connections drop (shutdown is resent after channel_reestablish), nodes crash ' +
    '(the intent to close is remembered), monitor persists complete late, and the scheduler inside a node may reorder ' +
    'independent work: every channel message must still take effect in wire order (lnd #8393), and no HTLC may be ' +
    'offered after shutdown (lnd #8145). The calm phase must settle every HTLC and finish the close.',
  invariants: LN_CLOSE_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B'],
        channels: [{ id: 'ab', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 500_000 }],
        payments: {
          count: [6, 16],
          amount: [1_000, 40_000],
          pairs: [
            ['A', 'B'],
            ['B', 'A'],
          ],
        },
        closes: { channels: ['ab'] },
        faults: { ...LN_FAULTS, reorder: [0.2, 0.8], actions: { 'force-close': [0.001, 0.004] } },
      },
      bugs,
    ),
};
