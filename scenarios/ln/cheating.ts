// The adversarial counterparty (docs/DESIGN.md 3.8) in the default mix: peers that
// broadcast a commitment they revoked, or (right after a restart from a stale
// manager) an old commitment, while the victim may be down or its monitor
// writes may stall. The victim's monitor must punish within the CSV window.
import type { Scenario } from '../scenario.ts';
import { BROADCAST_REVOKED, BROADCAST_STALE } from '../../model/ln/cheat.ts';
import { buildLnSpec, LN_FAULTS, LN_INVARIANTS } from './build.ts';

const MILLION = 1_000_000;

export const cheatingPeer: Scenario = {
  name: 'cheating-peer',
  description:
    'A, B and C in a line pay each other through B while any of them may broadcast one of its own revoked ' +
    'commitments (or, after a restart from a stale manager, the old commitment its manager restored), at any moment: ' +
    'with HTLCs in flight, while the victim is down, while its monitor writes are slow or stalled. The victim must ' +
    'sweep the cheater\'s to_local and every HTLC output by penalty before the to_self_delay runs out; the cheater ' +
    'never ends with more than it was owed, the victim never with less.',
  invariants: LN_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    buildLnSpec(
      {
        nodes: ['A', 'B', 'C'],
        channels: [
          { id: 'ab', a: 'A', b: 'B', capacity: MILLION, aBalance: 600_000 },
          { id: 'bc', a: 'B', b: 'C', capacity: MILLION, aBalance: 600_000 },
        ],
        payments: { count: [4, 12], amount: [1_000, 80_000], pairs: [['A', 'C'], ['C', 'A'], ['A', 'B'], ['B', 'C']] },
        faults: {
          ...LN_FAULTS,
          keyStall: { manager: [0.02, 0.2] },
          actions: { ...LN_FAULTS.actions, [BROADCAST_REVOKED]: [0.01, 0.05], [BROADCAST_STALE]: [0.2, 0.6] },
        },
      },
      bugs,
    ),
};
