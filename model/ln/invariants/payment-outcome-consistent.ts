// payment-outcome-consistent: a sender never sees PaymentFailed for a payment
// whose preimage reached it (an update_fulfill_htlc to it, or an on-chain
// claim of its HTLC with the preimage), never sees both outcomes, and sees one
// outcome for every payment its node still knows at the end. (A payment a
// stale manager forgot entirely, with no HTLC left in any monitor, has no
// outcome to give, as in LDK; liveness covers payments still pending.) A node
// the fault plan made cheat is the adversary: its own outcomes are not judged;
// nor are those of its victim's payments whose HTLC went over the channel the
// cheater closed with a revoked commitment (the penalty took the cheater's
// whole side: the victim paid nothing, whatever the cheater revealed).
import type { Checker, World } from '../../../sim/world.ts';
import type { LnState } from '../node.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { Cheaters, confirmedRevoked, PerDirection, Revelations, RevokedOnWire, type Topology } from './ledger.ts';

const newChannels = (): Set<string> => new Set();

export function paymentOutcomeConsistent(topology: Topology): Checker {
  const revelations = new Revelations();
  const cheaters = new Cheaters();
  const revoked = new RevokedOnWire();
  /** Node, then hash → channels the node offered the payment's HTLCs on. */
  const firstHops = new PerDirection<Set<string>>();
  /** "node/paymentId" → the payer, the payment's id and hash, in the order payments were first made. */
  const payments = new Map<string, { readonly node: string; readonly paymentId: string; readonly hash: string }>();
  /** Node → hashes whose preimage reached it off-chain. */
  const reached = new Map<string, Set<string>>();
  const outcomes = new Map<string, Set<string>>();

  /** The payment's HTLC went over a channel its peer closed with a revoked commitment. */
  const overCheatedChannel = (world: World, node: string, hash: string): boolean => {
    const hops = firstHops.get(node, hash);
    return hops !== undefined && confirmedRevoked(world, revoked).some((c) => c.holder !== node && hops.has(c.channel));
  };

  return {
    name: 'payment-outcome-consistent',
    kinds: ['send', 'fault', 'pay', 'handled'],
    onRecord(r, world) {
      // The observers read only sends (revelations, revocations) and faults (cheaters).
      if (r.k === 'send') {
        revelations.observe(r);
        revoked.observe(r);
      } else if (r.k === 'fault') cheaters.observe(r);
      if (r.n && cheaters.has(r.n)) return undefined;
      if (r.k === 'pay' && r.n) {
        const id = r.d!.paymentId as string;
        const key = `${r.n}/${id}`;
        if (!payments.has(key)) payments.set(key, { node: r.n, paymentId: id, hash: hashOf(preimageFor(id)) });
      }
      if (r.k === 'send' && r.n) {
        const message = r.d!.message as { type: string; preimage?: string; hash?: string; channel?: string };
        if (message.type === 'update_fulfill_htlc' && message.preimage) {
          const to = r.d!.to as string;
          let hashes = reached.get(to);
          if (hashes === undefined) reached.set(to, (hashes = new Set()));
          hashes.add(hashOf(message.preimage));
        }
        if (message.type === 'update_add_htlc') firstHops.entry(r.n, message.hash as string, newChannels).add(message.channel!);
      }
      if (r.k === 'handled' && r.n && (r.d!.type === 'PaymentSent' || r.d!.type === 'PaymentFailed')) {
        const key = `${r.n}/${r.d!.paymentId}`;
        if (!outcomes.has(key)) outcomes.set(key, new Set());
        outcomes.get(key)!.add(r.d!.type as string);
        if (outcomes.get(key)!.size > 1) return `${r.n}'s application saw both PaymentSent and PaymentFailed for ${r.d!.paymentId}`;
        if (r.d!.type === 'PaymentFailed' && reached.get(r.n)?.has(r.d!.hash as string) && !overCheatedChannel(world, r.n, r.d!.hash as string)) return `${r.n} reported PaymentFailed for ${r.d!.paymentId} though the preimage had reached it`;
      }
      return undefined;
    },
    atEnd(world) {
      // On-chain: a claim with the preimage of an HTLC the payer offered also reaches the payer.
      revelations.scanChain(world, topology);
      for (const [key, { node, paymentId, hash }] of payments) {
        if (cheaters.has(node)) continue;
        const seen = outcomes.get(key);
        const known = world.state<LnState>(node)?.mgr.outbound.find((p) => p.paymentId === paymentId);
        if ((!seen || seen.size === 0) && known && known.status !== 'pending') return `${node}'s payment ${paymentId} ended ${known.status} but its application never saw the outcome`;
        if (!seen) continue;
        if (seen.has('PaymentFailed') && revelations.revealedTo(hash, node) && !seen.has('PaymentSent') && !overCheatedChannel(world, node, hash)) {
          return `${node} reported PaymentFailed for ${paymentId} though its preimage was claimed on-chain`;
        }
      }
      return undefined;
    },
  };
}
