// The tutorial's scripted scenario, widened into a sweep (scenarios/README.md, "Scripted scenarios"):
// the exact interleaving of rust-lightning's test_inverted_mon_completion_order as a prefix, then
// every seed explores around it: B's crashes, slow and stalled persists, disconnects and more
// payments, drawn from the seed. test/steps-tutorial.test.ts runs the commands the tutorial shows.
import { defineScenario } from '../../index.ts';

export default defineScenario({
  name: 'inverted-mon-sweep',
  description: 'The inverted monitor-completion interleaving (B forwards A→C, its upstream preimage write in progress while the downstream dance ends), then seeded exploration around it.',
  topology: {
    nodes: ['A', 'B', 'C'],
    channels: [
      { id: 'ab', between: ['A', 'B'], capacity: 1_000_000, push: 300_000 },
      { id: 'bc', between: ['B', 'C'], capacity: 1_000_000, push: 300_000 },
    ],
  },
  steps: [
    { holdEvents: 'C' },
    { pay: { from: 'A', to: 'C', amount: 100_000, id: 'p1' } },
    { holdWrites: { node: 'B', monitor: 'ab', manager: true } },
    { claim: { node: 'C', payment: 'p1' } },
    { releaseEvents: 'C' },
    { expect: { node: 'B', event: 'PaymentForwarded', count: 0 } },
  ],
  // After the prefix: the held writes stall until a crash or the calm phase, and the seed takes over.
  then: 'explore',
  workload: { payments: { count: [0, 4], amount: [1_000, 50_000], pairs: [['A', 'C'], ['C', 'A']] } },
  faults: {
    crash: [0.005, 0.05],
    crashKeepsPending: [0.2, 0.8],
    persistDelay: [0.1, 0.8],
    persistStall: [0.01, 0.1],
    keyStall: { manager: [0.05, 0.4] },
    disconnect: [0.02, 0.2],
    nodes: ['B'],
  },
  timing: { faultPhase: 1_500 },
});
