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
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import type { LnState } from '../node.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { Cheaters, confirmedRevoked, PerDirection, Revelations, RevokedOnWire, type Topology, type WireMessage } from './ledger.ts';

const newChannels = (): Set<string> => new Set();

export function paymentOutcomeConsistent(topology: Topology): Checker {
  return new PaymentOutcomeConsistent(topology);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class PaymentOutcomeConsistent implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly revelations: Revelations;
  declare private readonly cheaters: Cheaters;
  declare private readonly revoked: RevokedOnWire;
  /** Node, then hash → channels the node offered the payment's HTLCs on. */
  declare private readonly firstHops: PerDirection<Set<string>>;
  /** "node/paymentId" → the payer, the payment's id and hash, in the order payments were first made. */
  declare private readonly payments: Map<string, { readonly node: string; readonly paymentId: string; readonly hash: string }>;
  /** Node → hashes whose preimage reached it off-chain. */
  declare private readonly reached: Map<string, Set<string>>;
  declare private readonly outcomes: Map<string, Set<string>>;

  constructor(private readonly topology: Topology) {
    this.name = 'payment-outcome-consistent';
    this.kinds = ['send', 'fault', 'pay', 'handled'];
    this.revelations = new Revelations();
    this.cheaters = new Cheaters();
    this.revoked = new RevokedOnWire();
    this.firstHops = new PerDirection<Set<string>>();
    this.payments = new Map<string, { readonly node: string; readonly paymentId: string; readonly hash: string }>();
    this.reached = new Map<string, Set<string>>();
    this.outcomes = new Map<string, Set<string>>();
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    if (r.k === 'fault') this.cheaters.observe(r);
    if (r.k === 'send' && r.n) {
      // The type is read once and handed on: messages come in many shapes, each read of a member is a slow lookup.
      const message = r.d!.message as WireMessage;
      const type = message.type;
      // The observers read only sends (revelations, revocations) and faults (cheaters).
      this.revelations.sent(r.n, r.d!.to as string, type, message);
      this.revoked.sent(r.n, type, message);
      if (this.cheaters.has(r.n)) return undefined;
      if (type === 'update_fulfill_htlc' && message.preimage) {
        const to = r.d!.to as string;
        let hashes = this.reached.get(to);
        if (hashes === undefined) this.reached.set(to, (hashes = new Set()));
        hashes.add(hashOf(message.preimage));
      }
      if (type === 'update_add_htlc') this.firstHops.entry(r.n, message.hash as string, newChannels).add(message.channel!);
      return undefined;
    }
    if (r.n && this.cheaters.has(r.n)) return undefined;
    if (r.k === 'pay' && r.n) {
      const id = r.d!.paymentId as string;
      const key = `${r.n}/${id}`;
      if (!this.payments.has(key)) this.payments.set(key, { node: r.n, paymentId: id, hash: hashOf(preimageFor(id)) });
    }
    if (r.k === 'handled' && r.n && (r.d!.type === 'PaymentSent' || r.d!.type === 'PaymentFailed')) return this.outcome(world, r.n, r.d!);
    return undefined;
  }

  private outcome(world: World, node: string, d: Readonly<Record<string, unknown>>): string | undefined {
    const key = `${node}/${d.paymentId}`;
    if (!this.outcomes.has(key)) this.outcomes.set(key, new Set());
    this.outcomes.get(key)!.add(d.type as string);
    if (this.outcomes.get(key)!.size > 1) return `${node}'s application saw both PaymentSent and PaymentFailed for ${d.paymentId}`;
    if (d.type === 'PaymentFailed' && this.reached.get(node)?.has(d.hash as string) && !this.overCheatedChannel(world, node, d.hash as string)) return `${node} reported PaymentFailed for ${d.paymentId} though the preimage had reached it`;
    return undefined;
  }

  atEnd(world: World): string | undefined {
    // On-chain: a claim with the preimage of an HTLC the payer offered also reaches the payer.
    this.revelations.scanChain(world, this.topology);
    for (const [key, { node, paymentId, hash }] of this.payments) {
      if (this.cheaters.has(node)) continue;
      const seen = this.outcomes.get(key);
      const known = outboundOf(world.state<LnState>(node), paymentId);
      if ((!seen || seen.size === 0) && known && known.status !== 'pending') return `${node}'s payment ${paymentId} ended ${known.status} but its application never saw the outcome`;
      if (!seen) continue;
      if (seen.has('PaymentFailed') && this.revelations.revealedTo(hash, node) && !seen.has('PaymentSent') && !this.overCheatedChannel(world, node, hash)) {
        return `${node} reported PaymentFailed for ${paymentId} though its preimage was claimed on-chain`;
      }
    }
    return undefined;
  }

  /** The payment's HTLC went over a channel its peer closed with a revoked commitment. */
  private overCheatedChannel(world: World, node: string, hash: string): boolean {
    const hops = this.firstHops.get(node, hash);
    if (hops === undefined) return false;
    // Loops, not .some/.find with an arrow made per call (its compiled code would die with it).
    const confirmed = confirmedRevoked(world, this.revoked);
    for (let i = 0; i < confirmed.length; i++) if (confirmed[i].holder !== node && hops.has(confirmed[i].channel)) return true;
    return false;
  }
}

/** The node's outbound payment `paymentId`, if its node is up and knows it. */
function outboundOf(state: LnState | undefined, paymentId: string): LnState['mgr']['outbound'][number] | undefined {
  if (state === undefined) return undefined;
  const outbound = state.mgr.outbound;
  for (let i = 0; i < outbound.length; i++) if (outbound[i].paymentId === paymentId) return outbound[i];
  return undefined;
}
