// payment-claimed-delivered: every payment whose receiver revealed the
// preimage gets PaymentClaimed handled by the receiver's application (at least
// once), and PaymentClaimed is never handled for a payment its application
// never claimed.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { Revelations, type Topology, type WireMessage } from './ledger.ts';

export function paymentClaimedDelivered(topology: Topology): Checker {
  return new PaymentClaimedDelivered(topology);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class PaymentClaimedDelivered implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly revelations: Revelations;
  declare private readonly receivers: { node: string; hash: string; paymentId: string }[];
  declare private readonly claimedBy: Set<string>;
  declare private readonly delivered: Set<string>;

  constructor(private readonly topology: Topology) {
    this.name = 'payment-claimed-delivered';
    this.kinds = ['send', 'pay', 'claim', 'replay-claim', 'claimed-on-chain', 'handled'];
    this.revelations = new Revelations();
    this.receivers = [];
    this.claimedBy = new Set<string>();
    this.delivered = new Set<string>();
  }

  onRecord(r: TraceRecord): string | undefined {
    if (!r.n) return undefined;
    if (r.k === 'send') {
      const message = r.d!.message as WireMessage;
      this.revelations.sent(r.n, r.d!.to as string, message.type, message); // it reads only sends
      return undefined;
    }
    if (r.k === 'pay' && r.d!.route === 'found') this.receivers.push({ node: r.d!.to as string, hash: hashOf(preimageFor(r.d!.paymentId as string)), paymentId: r.d!.paymentId as string });
    if (r.k === 'claim' || r.k === 'replay-claim' || r.k === 'claimed-on-chain') this.claimedBy.add(`${r.n}/${r.d!.hash}`);
    if (r.k === 'handled' && r.d!.type === 'PaymentClaimed') {
      const key = `${r.n}/${r.d!.hash}`;
      this.delivered.add(key);
      if (!this.claimedBy.has(key)) return `${r.n} delivered PaymentClaimed for ${String(r.d!.hash).slice(0, 12)}… which its application never claimed`;
    }
    return undefined;
  }

  atEnd(world: World): string | undefined {
    this.revelations.scanChain(world, this.topology);
    for (const p of this.receivers) {
      if (this.revelations.revealedBy(p.hash, p.node) && !this.delivered.has(`${p.node}/${p.hash}`)) {
        return `${p.node} revealed the preimage of payment ${p.paymentId} but its application never saw PaymentClaimed`;
      }
    }
    return undefined;
  }
}
