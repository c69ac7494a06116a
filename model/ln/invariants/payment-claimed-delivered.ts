// payment-claimed-delivered: every payment whose receiver revealed the
// preimage gets PaymentClaimed handled by the receiver's application (at least
// once), and PaymentClaimed is never handled for a payment its application
// never claimed.
import type { Checker } from '../../../sim/world.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { Revelations, type Topology } from './ledger.ts';

export function paymentClaimedDelivered(topology: Topology): Checker {
  const revelations = new Revelations();
  const receivers: { node: string; hash: string; paymentId: string }[] = [];
  const claimedBy = new Set<string>();
  const delivered = new Set<string>();
  return {
    name: 'payment-claimed-delivered',
    kinds: ['send', 'pay', 'claim', 'replay-claim', 'claimed-on-chain', 'handled'],
    onRecord(r) {
      if (r.k === 'send') revelations.observe(r); // it reads only sends
      if (!r.n) return undefined;
      if (r.k === 'pay' && r.d!.route === 'found') receivers.push({ node: r.d!.to as string, hash: hashOf(preimageFor(r.d!.paymentId as string)), paymentId: r.d!.paymentId as string });
      if (r.k === 'claim' || r.k === 'replay-claim' || r.k === 'claimed-on-chain') claimedBy.add(`${r.n}/${r.d!.hash}`);
      if (r.k === 'handled' && r.d!.type === 'PaymentClaimed') {
        const key = `${r.n}/${r.d!.hash}`;
        delivered.add(key);
        if (!claimedBy.has(key)) return `${r.n} delivered PaymentClaimed for ${String(r.d!.hash).slice(0, 12)}… which its application never claimed`;
      }
      return undefined;
    },
    atEnd(world) {
      revelations.scanChain(world, topology);
      for (const p of receivers) {
        if (revelations.revealedBy(p.hash, p.node) && !delivered.has(`${p.node}/${p.hash}`)) {
          return `${p.node} revealed the preimage of payment ${p.paymentId} but its application never saw PaymentClaimed`;
        }
      }
      return undefined;
    },
  };
}
