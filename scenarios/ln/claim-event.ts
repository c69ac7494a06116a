// A receiver whose channels move faster than its application: the window in
// which a claimed payment's preimage can leave every monitor before
// PaymentClaimed is handled (rust-lightning #3988).
import type { Scenario } from '../scenario.ts';
import { buildLnSpec, LN_INVARIANTS } from './build.ts';

export const claimEventRestart: Scenario = {
  name: 'claim-event-restart',
  description:
    'A pays C many single-part payments over two channels. C\'s application is slow to handle events, so after a ' +
    'claim the next payment\'s dance can revoke the commitment that still carried the claimed HTLC, and prune its ' +
    'preimage from the monitor, while PaymentClaimed waits unhandled (rust-lightning #3988: the RAA must be held ' +
    'until the event is handled). C crashes often, its persists complete late and its manager writes stall, every ' +
    'run (no swarm: the race needs all three at once). After a crash with a stale manager, PaymentClaimed must still ' +
    'reach the application.',
  invariants: LN_INVARIANTS,
  inDefaultMix: false,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'C'],
        channels: [
          { id: 'ac1', a: 'A', b: 'C', capacity: 1_000_000, aBalance: 700_000 },
          { id: 'ac2', a: 'A', b: 'C', capacity: 1_000_000, aBalance: 700_000 },
        ],
        payments: { count: [8, 14], amount: [1_000, 40_000], pairs: [['A', 'C']] },
        faults: { crash: [0.02, 0.06], persistDelay: [0.3, 0.9], keyStall: { manager: [0.3, 0.8] }, nodes: ['C'] },
        swarm: false,
        // C's application is slow: a PaymentClaimed can wait out a whole dance of the next payment.
        params: { backgroundJitter: 400 },
      },
      bugs,
    ),
};
