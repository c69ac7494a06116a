// Lightning scenarios beyond the first slice: forwarding, MPP, claims against
// closed channels, a restarting sender. Each names the race it is after.
import type { Scenario } from '../scenario.ts';
import { buildLnSpec, LN_FAULTS, LN_INVARIANTS, type ChannelSpec } from './build.ts';

const MILLION = 1_000_000;


const line: ChannelSpec[] = [
  { id: 'ab', a: 'A', b: 'B', capacity: MILLION, aBalance: 600_000 },
  { id: 'bc', a: 'B', b: 'C', capacity: MILLION, aBalance: 600_000 },
];

export const forwardAsyncPersist: Scenario = {
  name: 'forward-async-persist',
  description:
    'A pays C and C pays A through B. B is a forwarding node whose monitor persists complete late and in any order, ' +
    'and which crashes between writes: the upstream preimage update may still be in progress when the downstream ' +
    'channel completes its dance (rust-lightning #2169), and a restart must replay the claim onto the upstream edge. ' +
    'The forwarder must never end paid downstream but unpaid upstream.',
  invariants: LN_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C'],
        channels: line,
        payments: { count: [3, 10], amount: [1_000, 60_000], pairs: [['A', 'C'], ['C', 'A'], ['A', 'B']] },
        // Aimed faults in 3 runs of 4 (sim/aim.ts): over 600 seeds aimed runs broke ldk-3021 3x and ldk-4377 2x as often as plain ones.
        faults: { ...LN_FAULTS, persistDelay: [0.3, 0.9], keyStall: { manager: [0.02, 0.3] }, nodes: ['B'], aim: { runs: 0.75 } },
      },
      bugs,
    ),
};

export const mppClaimRestart: Scenario = {
  name: 'mpp-claim-restart',
  description:
    'A pays C in two or three parts over two direct channels and a path through B. C claims all parts at once; its ' +
    'per-channel preimage updates complete at different times and C crashes with a stale manager, so one part channel ' +
    'may finish its dance (pruning the preimage) while another part is still unclaimed (rust-lightning #3120); C\'s ' +
    'application is slow to handle events, so a channel may also move past an unhandled PaymentClaimed (#3988). ' +
    'Every part must be claimed, and PaymentClaimed delivered.',
  invariants: LN_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C'],
        channels: [
          { id: 'ac1', a: 'A', b: 'C', capacity: MILLION, aBalance: 700_000 },
          { id: 'ac2', a: 'A', b: 'C', capacity: MILLION, aBalance: 700_000 },
          ...line,
        ],
        payments: { count: [2, 8], amount: [3_000, 90_000], pairs: [['A', 'C']], parts: [2, 3] },
        faults: { ...LN_FAULTS, crash: [0.004, 0.03], persistDelay: [0.3, 0.9], keyStall: { manager: [0.02, 0.3] }, nodes: ['C'] },
        // C's application is slow to handle events: PaymentClaimed can wait while the channels move on.
        params: { backgroundJitter: 150 },
      },
      bugs,
    ),
};

export const claimOnClosedChannel: Scenario = {
  name: 'claim-on-closed-channel',
  description:
    'Payments A→C through B while channels are force-closed often: a claim then lands on the monitor of a channel ' +
    'that is already closed, and must be treated as in flight until durable (rust-lightning #3414); a closed ' +
    "monitor's preimage must be used on-chain.",
  invariants: LN_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C'],
        channels: line,
        payments: { count: [3, 10], amount: [1_000, 60_000], pairs: [['A', 'C'], ['C', 'A']] },
        faults: { ...LN_FAULTS, actions: { 'force-close': [0.01, 0.04] }, keyStall: { manager: [0.02, 0.3] } },
      },
      bugs,
    ),
};

export const senderRestart: Scenario = {
  name: 'sender-restart',
  description:
    'A pays B and C and restarts often, sometimes with its manager written long before: after the preimage came back, ' +
    'the sender must report PaymentSent, never PaymentFailed, even if the channel force-closes on a stale manager ' +
    '(rust-lightning #2112); outbound preimages live in the monitor until the application saw PaymentSent.',
  invariants: LN_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C'],
        channels: line,
        payments: { count: [4, 12], amount: [1_000, 50_000], pairs: [['A', 'B'], ['A', 'C']] },
        faults: { ...LN_FAULTS, crash: [0.005, 0.03], persistStall: [0.05, 0.2], keyStall: { manager: [0.02, 0.3] }, nodes: ['A'] },
      },
      bugs,
    ),
};

export const sameHashReplay: Scenario = {
  name: 'same-hash-replay',
  description:
    'A and B both pay C, and some payments reuse an earlier payment hash (a second payment with the same hash). ' +
    'C claims the first and must refuse the second; C restarts often, and its restart replay of the first claim must ' +
    'not claim the second payment, which its application never consented to (an open rust-lightning issue).',
  invariants: LN_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C'],
        channels: [
          { id: 'ac', a: 'A', b: 'C', capacity: MILLION, aBalance: 700_000 },
          { id: 'bc', a: 'B', b: 'C', capacity: MILLION, aBalance: 700_000 },
        ],
        // Most later payments are second payments of an earlier hash (a payer retrying an invoice another already paid).
        payments: { count: [3, 10], amount: [1_000, 60_000], pairs: [['A', 'C'], ['B', 'C']], reuseHash: 0.8 },
        // Aimed faults in 3 runs of 4 (sim/aim.ts): over 600 seeds aimed runs broke ldk-same-hash 3x as often as plain ones
        // (measured before the faults below; with them, plain and aimed runs break it about as often: 1 in 190 and 1 in 270).
        // C's monitor writes are often slow and it crashes often: the window is a crash while a second payment's HTLC is
        // committed but its revocation write is still in progress. With reuseHash 0.5, crash up to 0.03 and LN_FAULTS'
        // persistDelay, ldk-same-hash broke about 1 seed in 600; with these, 1 in 250 (7,500 seeds).
        faults: { ...LN_FAULTS, crash: [0.01, 0.05], persistDelay: [0.3, 0.9], keyStall: { manager: [0.02, 0.3] }, nodes: ['C'], aim: { runs: 0.75 } },
      },
      bugs,
    ),
};

export const forwardCloseHeld: Scenario = {
  name: 'forward-close-held',
  description:
    'A and D pay C through B, in bursts. When a payment settles, B claims it upstream and holds the downstream ' +
    "revocation until that claim is durable; B's monitor writes for the channel with A often stall, so the hold lasts, " +
    'and forwards from D that arrive meanwhile are signed into the held update. When the downstream channel then ' +
    'force-closes (at the latest when those HTLCs near expiry), they are in neither the monitor nor the holding cell, ' +
    'and B must still fail them back upstream (rust-lightning #3989) rather than leave D to force-close at expiry.',
  invariants: LN_INVARIANTS,
  // About 10 ms a run (four nodes, bursts of payments): swept by its own test and on demand, not by `npm start`.
  inDefaultMix: false,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C', 'D'],
        channels: [...line, { id: 'db', a: 'D', b: 'B', capacity: MILLION, aBalance: 600_000 }],
        payments: { count: [10, 20], amount: [1_000, 30_000], pairs: [['A', 'C'], ['D', 'C'], ['D', 'C']], spread: 0.05 },
        // No crashes: a crash would end the stall (and the hold) early.
        faults: { ...LN_FAULTS, crash: undefined, persistDelay: [0.3, 0.9], keyStall: { 'monitor-update/ab/': [0.1, 0.5] }, nodes: ['B'] },
      },
      bugs,
    ),
};

export const onchainClaimArchive: Scenario = {
  name: 'onchain-claim-archive',
  description:
    'A pays C through B; channels are force-closed while HTLCs are in flight, and C is slow to claim, so C often ' +
    "settles B's HTLC with its preimage after the downstream channel closed (on-chain or on the closing state). B's " +
    'monitor of that channel hands the preimage to the manager as a monitor event (claim the upstream edge), and once ' +
    "everything it watched is buried B's background processor archives it. B's upstream monitor writes and its " +
    'manager writes stall, and B crashes: a monitor archived while its event is still pending (the upstream claim not ' +
    'yet durable) leaves the restarted forwarder without the preimage, and A times the HTLC out (rust-lightning #3450).',
  invariants: LN_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C'],
        channels: line,
        payments: { count: [4, 10], amount: [1_000, 60_000], pairs: [['A', 'C']] },
        faults: {
          crash: [0.003, 0.012],
          persistDelay: [0.1, 0.5],
          crashKeepsPending: [0, 0.2],
          disconnect: [0.02, 0.1],
          blockBurst: [0.01, 0.05],
          actions: { 'force-close-inflight': [0.05, 0.2] },
          // The forwarder's upstream monitor (update files and whole rewrites, such as a force-close) and its manager
          // are the writes whose delay loses the preimage.
          keyStall: { manager: [0.3, 0.7], 'monitor-update/ab/': [0.3, 0.7], 'monitor/ab': [0.3, 0.7] },
          nodes: ['B'],
        },
        // Every kind on in every run: the race needs stalls, crashes and force-closes together.
        swarm: false,
        // Long enough for a closed channel to be buried and archived, and B to crash, before the upstream HTLC expires.
        timing: { faultPhase: 8000 },
        // Slow applications: C claims a while after the HTLC arrived, so force-closes catch it in flight.
        params: { backgroundJitter: 150 },
      },
      bugs,
    ),
};
