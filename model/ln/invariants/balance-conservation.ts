// balance-conservation: every commitment spends exactly the channel's
// capacity, and after the calm phase every node holds exactly its starting
// funds, less what it paid, plus what it was paid (a payment counts as paid
// once its receiver revealed the preimage).
import type { Checker } from '../../../sim/world.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { Revelations, unresolved, wealth, type Topology } from './ledger.ts';

/** One HTLC of a payment's route: `from` pays `amount` to `to` over `channel` once `to` reveals the preimage there. */
interface Hop {
  readonly channel: string;
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  readonly hash: string;
}

export function balanceConservation(topology: Topology): Checker {
  const hops: Hop[] = [];
  const revelations = new Revelations();
  return {
    name: 'balance-conservation',
    onRecord(r) {
      if (r.k === 'commitment' && r.d!.total !== r.d!.capacity) {
        return `${r.n}'s ${r.d!.side} commitment ${r.d!.number} of ${r.d!.channel} carries ${r.d!.total}, the channel holds ${r.d!.capacity}`;
      }
      if (r.k === 'pay' && r.n && r.d!.route === 'found') {
        const hash = hashOf(preimageFor(r.d!.paymentId as string));
        for (const part of r.d!.parts as { path: string; amount: number; fees: { node: string; fee: number }[] }[]) {
          let from = r.n;
          let amount = part.amount;
          part.path.split('>').forEach((channel, j) => {
            const [a, b] = topology.channels[channel];
            const to = from === a ? b : a;
            hops.push({ channel, from, to, amount, hash });
            amount -= part.fees[j]?.fee ?? 0;
            from = to;
          });
        }
      }
      revelations.observe(r);
      return undefined;
    },
    atEnd(world) {
      // Money still in flight is judged by no-lost-htlc and liveness, not here.
      if (unresolved(world)) return undefined;
      revelations.scanChain(world, topology);
      const expected: Record<string, number> = { ...topology.initialWealth };
      for (const hop of hops) {
        if (!revelations.revealedOn(hop.hash, hop.channel, hop.to)) continue;
        expected[hop.from] -= hop.amount;
        expected[hop.to] += hop.amount;
      }
      for (const node of world.nodeIds()) {
        const have = wealth(world, node);
        if (have !== expected[node]) return `${node} ends with ${have}, expected ${expected[node]} (started with ${topology.initialWealth[node]}, net of every HTLC settled with its preimage)`;
      }
      return undefined;
    },
  };
}
