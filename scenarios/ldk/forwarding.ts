// Multi-hop and multi-part scenarios on real LDK, and the shapes of the model's
// scenarios aimed at rust-lightning #3988 and #3989 (scenarios/ln/claim-event.ts,
// scenarios/ln/forwarding.ts), to hunt those bugs in LDK 0.1.0 itself.
import { LDK_FAULTS, ldkScenario } from './build.ts';

const MILLION = 1_000_000;
const line = [
  { id: 'ab', a: 'A', b: 'B', capacity: MILLION, aBalance: 600_000 },
  { id: 'bc', a: 'B', b: 'C', capacity: MILLION, aBalance: 600_000 },
];

export const ldkForwardAsyncPersist = ldkScenario(
  {
    name: 'ldk-forward-async-persist',
    description:
      'A pays C through B, all three real LDK nodes. The forwarder B persists asynchronously (monitor writes complete ' +
      'late, stall, or are lost in a crash) and its manager writes lag; B crashes and restarts mid-forward; links drop.',
  },
  {
    nodes: ['A', 'B', 'C'],
    channels: line,
    payments: { count: [3, 8], amount: [1_000, 50_000], pairs: [['A', 'C'], ['C', 'A']] },
    faults: { ...LDK_FAULTS, persistDelay: [0.3, 0.9], nodes: ['B'] },
  },
);

export const ldkMppClaimRestart = ldkScenario(
  {
    name: 'ldk-mpp-claim-restart',
    description:
      'A pays C in two or three parts over two direct channels and a path through B. C claims all parts at once; its ' +
      'per-channel preimage updates complete at different times and C crashes with a stale manager; C\'s application ' +
      'is slow. Every part must be claimed and PaymentClaimed delivered (rust-lightning #3120, #3988 shapes).',
  },
  {
    nodes: ['A', 'B', 'C'],
    channels: [
      { id: 'ac1', a: 'A', b: 'C', capacity: MILLION, aBalance: 700_000 },
      { id: 'ac2', a: 'A', b: 'C', capacity: MILLION, aBalance: 700_000 },
      ...line,
    ],
    payments: { count: [2, 6], amount: [3_000, 90_000], pairs: [['A', 'C']], parts: [2, 3] },
    faults: { ...LDK_FAULTS, crash: [0.004, 0.03], persistDelay: [0.3, 0.9], keyStall: { manager: [0.02, 0.3] }, nodes: ['C'] },
    app: { backgroundJitter: 150 },
  },
);

export const ldkClaimEventRestart = ldkScenario(
  {
    name: 'ldk-claim-event-restart',
    description:
      'The shape of the model\'s claim-event-restart (rust-lightning #3988, fixed after 0.1): A pays C many payments ' +
      'over two channels; C\'s application is slow, so after a claim the next payment\'s dance can revoke the ' +
      'commitment that carried the claimed HTLC while PaymentClaimed waits unhandled; C crashes often, its persists ' +
      'complete late and its manager writes stall. PaymentClaimed must still reach the application.',
  },
  {
    nodes: ['A', 'C'],
    channels: [
      { id: 'ac1', a: 'A', b: 'C', capacity: MILLION, aBalance: 700_000 },
      { id: 'ac2', a: 'A', b: 'C', capacity: MILLION, aBalance: 700_000 },
    ],
    payments: { count: [8, 14], amount: [1_000, 40_000], pairs: [['A', 'C']] },
    faults: { crash: [0.02, 0.06], persistDelay: [0.3, 0.9], keyStall: { manager: [0.3, 0.8] }, nodes: ['C'] },
    swarm: false,
    app: { backgroundJitter: 400 },
  },
);

export const ldkForwardCloseHeld = ldkScenario(
  {
    name: 'ldk-forward-close-held',
    description:
      'The shape of the model\'s forward-close-held (rust-lightning #3989, fixed after 0.1): A and D pay C through B ' +
      'in bursts; B\'s monitor writes for its channel with A often stall, so B holds the downstream revocation while ' +
      'forwards from D are signed into a held update; channels are force-closed by the fault plan. B must fail every ' +
      'such forward back rather than leave its upstream peer to force-close at expiry.',
  },
  {
    nodes: ['A', 'B', 'C', 'D'],
    channels: [...line, { id: 'db', a: 'D', b: 'B', capacity: MILLION, aBalance: 600_000 }],
    payments: { count: [10, 20], amount: [1_000, 30_000], pairs: [['A', 'C'], ['D', 'C'], ['D', 'C']] },
    faults: { ...LDK_FAULTS, crash: undefined, persistDelay: [0.3, 0.9], keyStall: { 'monitor/ab/': [0.1, 0.5] }, actions: { 'force-close': [0.005, 0.02] }, nodes: ['B'] },
  },
);
