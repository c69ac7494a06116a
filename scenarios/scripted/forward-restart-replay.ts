// The restart half of rust-lightning #2364 ("Re-claim forwarded HTLCs on startup"), as steps. A pays C through B.
// B learns the preimage from C's update_fulfill_htlc and writes it to the downstream (B–C) monitor, which completes;
// its upstream (A–B) preimage write and its manager writes stay in progress. C goes down before it could go on-chain,
// and B crashes losing the in-progress writes. B restarts with a manager from before the claim (the B–C channel is
// force-closed for it), and the only record of the preimage is the downstream monitor: the peer that could resend
// the fulfill is down, the manager holds no in-flight update to replay, and the chain learns nothing while C is
// away. B must re-claim the upstream HTLC from that monitor at startup, before any block.
import { defineScenario } from '../define.ts';

export const forwardRestartReplay = defineScenario({
  name: 'forward-restart-replay',
  description:
    'Scripted (rust-lightning #2364): the forwarder B has the preimage only in its downstream monitor when it restarts ' +
    'with a stale manager, the downstream peer down; B must re-claim the upstream HTLC from that monitor at startup ' +
    '(planted bug ldk-2364 walks only monitors of channels the manager no longer lists: upstream-claimed-in-time), ' +
    'then the seed explores.',
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
    { expect: { node: 'C', payment: 'p1', is: 'claimable' } },
    { holdWrites: { node: 'B', monitor: 'ab', manager: true } }, // the upstream claim and the manager stay InProgress
    { holdMessages: { from: 'C', to: 'B' } },
    { claim: { node: 'C', payment: 'p1' } },
    { deliver: { from: 'C', to: 'B', count: 1 } }, // update_fulfill_htlc only: the B–C monitor learns the preimage, durably
    { crash: { node: 'C', keep: 'all' } }, // C is down: no fulfill resent, no preimage swept on-chain
    { crash: { node: 'B', keep: 'none' } }, // the upstream preimage write and the manager writes are lost
    { restart: 'B' },
    { releaseWrites: { node: 'B', monitor: 'ab', manager: true } },
    { mine: 3 },
  ],
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

export default forwardRestartReplay;
