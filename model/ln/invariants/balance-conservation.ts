// balance-conservation: every commitment spends exactly the channel's
// capacity, and after the calm phase every node holds exactly its starting
// funds, less what it paid, plus what it was paid (a payment counts as paid
// once its receiver revealed the preimage).
import type { Checker } from '../../../sim/world.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { Revelations, unresolved, wealth, type Topology } from './ledger.ts';

export function balanceConservation(topology: Topology): Checker {
  const payments: { payer: string; receiver: string; amount: number; sent: number; fees: { node: string; fee: number }[]; hash: string }[] = [];
  const revelations = new Revelations();
  return {
    name: 'balance-conservation',
    onRecord(r) {
      if (r.k === 'commitment' && r.d!.total !== r.d!.capacity) {
        return `${r.n}'s ${r.d!.side} commitment ${r.d!.number} of ${r.d!.channel} carries ${r.d!.total}, the channel holds ${r.d!.capacity}`;
      }
      if (r.k === 'pay' && r.n && r.d!.route === 'found') {
        const parts = r.d!.parts as { amount: number; fees: { node: string; fee: number }[] }[];
        payments.push({
          payer: r.n,
          receiver: r.d!.to as string,
          amount: r.d!.amount as number,
          sent: parts.reduce((s, p) => s + p.amount, 0),
          fees: parts.flatMap((p) => p.fees),
          hash: hashOf(preimageFor(r.d!.paymentId as string)),
        });
      }
      revelations.observe(r);
      return undefined;
    },
    atEnd(world) {
      // Money still in flight is judged by no-lost-htlc and liveness, not here.
      if (unresolved(world)) return undefined;
      revelations.scanChain(world, topology);
      const expected: Record<string, number> = { ...topology.initialWealth };
      for (const p of payments) {
        if (!revelations.revealedBy(p.hash, p.receiver)) continue;
        expected[p.payer] -= p.sent;
        expected[p.receiver] += p.amount;
        for (const f of p.fees) expected[f.node] += f.fee;
      }
      for (const node of world.nodeIds()) {
        const have = wealth(world, node);
        if (have !== expected[node]) return `${node} ends with ${have}, expected ${expected[node]} (started with ${topology.initialWealth[node]}, net of the payments whose preimage its receiver revealed)`;
      }
      return undefined;
    },
  };
}
