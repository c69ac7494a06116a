// A receiver claiming a multi-part payment whose part channels finish their dances at different times (rust-lightning #3120).
import type { Scenario } from '../scenario.ts';
import { buildLnSpec, LN_INVARIANTS } from './build.ts';

export const mppPartPrune: Scenario = {
  name: 'mpp-part-prune',
  description:
    'A pays C in two or three parts over three direct channels. C claims every part at once, but its per-channel ' +
    'preimage updates complete far apart, so one part channel can finish its whole dance (and prune the preimage ' +
    'from its monitor) while another part\'s preimage update is still in progress (rust-lightning #3120: every part ' +
    'channel must hold its revocation until all parts are durable). Every run (no swarm) C crashes often, its writes ' +
    'stall (its manager most), its application is slow, and channels are force-closed now and then: after a restart ' +
    'with a stale manager C must still find the preimage, claim every part and deliver PaymentClaimed.',
  invariants: LN_INVARIANTS,
  inDefaultMix: false,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'C'],
        channels: [
          { id: 'ac1', a: 'A', b: 'C', capacity: 1_000_000, aBalance: 700_000 },
          { id: 'ac2', a: 'A', b: 'C', capacity: 1_000_000, aBalance: 700_000 },
          { id: 'ac3', a: 'A', b: 'C', capacity: 1_000_000, aBalance: 700_000 },
        ],
        payments: { count: [4, 10], amount: [3_000, 90_000], pairs: [['A', 'C']], parts: [2, 3] },
        faults: { crash: [0.01, 0.04], persistDelay: [0.3, 0.9], persistStall: [0.05, 0.2], keyStall: { manager: [0.1, 0.5] }, disconnect: [0.02, 0.2], blockBurst: [0.01, 0.05], actions: { 'force-close': [0.01, 0.04] }, nodes: ['C'] },
        swarm: false,
        // C's application is slow: claims and PaymentClaimed wait while the part channels move on.
        params: { backgroundJitter: 150 },
      },
      bugs,
    ),
};
