// no-lost-htlc: after the calm phase every HTLC is resolved on both sides
// (settled off-chain, or its output spent on-chain); no node that revealed a
// preimage lost the HTLC it revealed it for (timed out on-chain instead); and
// a forwarding node that paid downstream claimed upstream.
import type { Checker } from '../../../sim/world.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { confirmedHtlcOutputs, Revelations, unresolved, type Topology } from './ledger.ts';

export function noLostHtlc(topology: Topology): Checker {
  const revelations = new Revelations();
  const payers = new Set<string>();
  return {
    name: 'no-lost-htlc',
    onRecord(r) {
      revelations.observe(r);
      if (r.k === 'pay' && r.n) payers.add(`${r.n}/${hashOf(preimageFor(r.d!.paymentId as string))}`);
      return undefined;
    },
    atEnd(world) {
      const open = unresolved(world);
      if (open) return open;
      revelations.scanChain(world, topology);
      for (const { hash, node } of revelations.paidDownstream()) {
        if (payers.has(`${node}/${hash}`)) continue;
        if (!revelations.revealedBy(hash, node)) return `forwarding node ${node} paid HTLC ${hash.slice(0, 12)}… downstream but never claimed it upstream`;
      }
      for (const o of confirmedHtlcOutputs(world)) {
        const [a, b] = topology.channels[o.channel];
        const counterparty = o.holder === a ? b : a;
        const receiver = o.offeredByHolder ? counterparty : o.holder;
        if (o.spentWith === 'timeout' && revelations.revealedOn(o.hash, o.channel, receiver)) {
          return `${receiver} revealed the preimage of ${o.hash.slice(0, 12)}… but HTLC ${o.id} on ${o.channel} was timed out on-chain by the offerer`;
        }
      }
      return undefined;
    },
  };
}
