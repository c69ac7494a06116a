// payment-outcome-consistent: a sender never sees PaymentFailed for a payment
// whose preimage reached it (an update_fulfill_htlc to it, or an on-chain
// claim of its HTLC with the preimage), never sees both outcomes, and sees one
// outcome for every payment it committed to (signed a commitment carrying one
// of its HTLCs; a payment forgotten by a crash before that never left).
import type { Checker } from '../../../sim/world.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { Revelations, type Topology } from './ledger.ts';

/** The payment id at the end of an onion. */
function findPaymentId(onion: { paymentId?: string; rest?: unknown } | undefined): string | undefined {
  let o = onion as { paymentId?: string; rest?: unknown } | undefined;
  while (o && o.paymentId === undefined) o = o.rest as typeof o;
  return o?.paymentId;
}

export function paymentOutcomeConsistent(topology: Topology): Checker {
  const revelations = new Revelations();
  const payer = new Map<string, string>();
  const hashOfPayment = new Map<string, string>();
  /** "node/hash": the preimage reached that node off-chain. */
  const reached = new Set<string>();
  const outcomes = new Map<string, Set<string>>();
  /** "node/channel" → payment keys whose update_add went out there and await a commitment_signed. */
  const uncommitted = new Map<string, string[]>();
  const committed = new Set<string>();
  /** Payment key by hash, per payer. */
  const byHash = new Map<string, string>();
  return {
    name: 'payment-outcome-consistent',
    onRecord(r) {
      revelations.observe(r);
      if (r.k === 'pay' && r.n) {
        const id = r.d!.paymentId as string;
        payer.set(`${r.n}/${id}`, r.n);
        hashOfPayment.set(`${r.n}/${id}`, hashOf(preimageFor(id)));
        byHash.set(`${r.n}/${hashOf(preimageFor(id))}`, `${r.n}/${id}`);
      }
      if (r.k === 'send' && r.n) {
        const message = r.d!.message as { type: string; channel: string; preimage?: string; onion?: { paymentId?: string } };
        if (message.type === 'update_fulfill_htlc' && message.preimage) reached.add(`${r.d!.to}/${hashOf(message.preimage)}`);
        const link = `${r.n}/${message.channel}`;
        if (message.type === 'update_add_htlc') {
          const key = byHash.get(`${r.n}/${(message as { hash?: string }).hash}`);
          if (key && findPaymentId(message.onion) !== undefined) uncommitted.set(link, [...(uncommitted.get(link) ?? []), key]);
        }
        if (message.type === 'commitment_signed') {
          for (const key of uncommitted.get(link) ?? []) committed.add(key);
          uncommitted.delete(link);
        }
      }
      // Adds not covered by a commitment_signed are forgotten by a disconnect or crash (and resent if remembered).
      if (r.k === 'disconnect' || r.k === 'crash') {
        const nodes = r.k === 'crash' ? [r.n] : [r.d!.a, r.d!.b];
        for (const link of [...uncommitted.keys()]) if (nodes.includes(link.split('/')[0])) uncommitted.delete(link);
      }
      if (r.k === 'handled' && r.n && (r.d!.type === 'PaymentSent' || r.d!.type === 'PaymentFailed')) {
        const key = `${r.n}/${r.d!.paymentId}`;
        if (!outcomes.has(key)) outcomes.set(key, new Set());
        outcomes.get(key)!.add(r.d!.type as string);
        if (outcomes.get(key)!.size > 1) return `${r.n}'s application saw both PaymentSent and PaymentFailed for ${r.d!.paymentId}`;
        if (r.d!.type === 'PaymentFailed' && reached.has(`${r.n}/${r.d!.hash}`)) return `${r.n} reported PaymentFailed for ${r.d!.paymentId} though the preimage had reached it`;
      }
      return undefined;
    },
    atEnd(world) {
      // On-chain: a claim with the preimage of an HTLC the payer offered also reaches the payer.
      revelations.scanChain(world, topology);
      for (const [key, node] of payer) {
        const seen = outcomes.get(key);
        if ((!seen || seen.size === 0) && committed.has(key)) return `${node}'s application never saw an outcome for payment ${key.split('/')[1]}`;
        if (!seen) continue;
        if (seen.has('PaymentFailed') && revelations.revealedTo(hashOfPayment.get(key)!, node) && !seen.has('PaymentSent')) {
          return `${node} reported PaymentFailed for ${key.split('/')[1]} though its preimage was claimed on-chain`;
        }
      }
      return undefined;
    },
  };
}
