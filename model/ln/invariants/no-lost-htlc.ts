// no-lost-htlc: after the calm phase every HTLC is resolved on both sides
// (settled off-chain, or its output spent on-chain); no node that revealed a
// preimage lost the HTLC it revealed it for (timed out on-chain instead); and
// a forwarding node that paid downstream claimed upstream; and no forwarder
// forgets an HTLC, leaving its upstream peer to force-close at expiry.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import { receivedHtlc } from '../channel.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { confirmedHtlcOutputs, confirmedRevoked, lnState, Revelations, RevokedOnWire, unresolved, type Topology, type WireMessage } from './ledger.ts';

export function noLostHtlc(topology: Topology): Checker {
  return new NoLostHtlc(topology);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class NoLostHtlc implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly revelations: Revelations;
  /** Payer → hashes of its payments. */
  declare private readonly payers: Map<string, Set<string>>;
  declare private readonly revoked: RevokedOnWire;
  /** Per hash, "node/channel" where the node was offered an HTLC with it (the upstream edges of forwards). */
  declare private readonly offeredTo: Map<string, Set<string>>;

  constructor(private readonly topology: Topology) {
    this.name = 'no-lost-htlc';
    this.kinds = ['send', 'pay', 'force-close'];
    this.revelations = new Revelations();
    this.payers = new Map<string, Set<string>>();
    this.revoked = new RevokedOnWire();
    this.offeredTo = new Map<string, Set<string>>();
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    if (r.k === 'send' && r.n) {
      // The type is read once and handed on: messages come in many shapes, each read of a member is a slow lookup.
      const m = r.d!.message as WireMessage;
      const type = m.type;
      // Both observers read only sends.
      this.revelations.sent(r.n, r.d!.to as string, type, m);
      this.revoked.sent(r.n, type, m);
      if (type === 'update_add_htlc') {
        if (!this.offeredTo.has(m.hash!)) this.offeredTo.set(m.hash!, new Set());
        this.offeredTo.get(m.hash!)!.add(`${r.d!.to as string}/${m.channel}`);
      }
      return undefined;
    }
    if (r.k === 'pay' && r.n) {
      let hashes = this.payers.get(r.n);
      if (hashes === undefined) this.payers.set(r.n, (hashes = new Set()));
      hashes.add(hashOf(preimageFor(r.d!.paymentId as string)));
    }
    if (r.k === 'force-close' && r.n && r.d!.reason === 'htlc-timeout') {
      const [a, b] = this.topology.channels[r.d!.channel as string];
      return forgottenForward(world, r.n === a ? b : a, r.d!.channel as string, r.d!.htlc as number);
    }
    return undefined;
  }

  atEnd(world: World): string | undefined {
    const open = unresolved(world);
    if (open) return open;
    const topology = this.topology;
    const revelations = this.revelations;
    revelations.scanChain(world, topology);
    // An upstream channel closed by a revoked commitment: the penalty took the cheater's whole side, the HTLC with it.
    // penalty-enforced judges what each of the two ends with (the victim no less than owed, the cheater no more).
    // Worked out only if some node paid downstream what it did not pay itself (a forward).
    let punished: Set<string> | undefined;
    for (const [hash, nodes] of revelations.paidDownstream()) {
      for (const node of nodes) {
        if (this.payers.get(node)?.has(hash)) continue;
        punished ??= punishedEdges(world, this.revoked, topology);
        if (overPunished(this.offeredTo.get(hash), node, punished)) continue;
        if (!revelations.revealedBy(hash, node)) return `forwarding node ${node} paid HTLC ${hash.slice(0, 12)}… downstream but never claimed it upstream`;
      }
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
  }
}

/** "node/channel" of both nodes of every channel closed by a confirmed revoked commitment. */
function punishedEdges(world: World, revoked: RevokedOnWire, topology: Topology): Set<string> {
  const out = new Set<string>();
  for (const c of confirmedRevoked(world, revoked)) for (const n of topology.channels[c.channel]) out.add(`${n}/${c.channel}`);
  return out;
}

/** Whether `node` was offered the HTLC (`edges`: "node/channel" of its upstream edges) over a punished channel. */
function overPunished(edges: ReadonlySet<string> | undefined, node: string, punished: ReadonlySet<string>): boolean {
  if (edges === undefined) return false;
  const prefix = `${node}/`;
  for (const edge of edges) if (edge.startsWith(prefix) && punished.has(edge)) return true;
  return false;
}

/**
 * The offerer force-closes `channel` because inbound HTLC `id` of `receiver` nears expiry. If `receiver` is
 * running and holds that HTLC as a forward it neither failed back nor has anywhere downstream (no channel,
 * no monitor carries an HTLC it is the source of), the receiver lost it: a correct node fails back what it
 * cannot forward long before expiry.
 */
function forgottenForward(world: World, receiver: string, channel: string, id: number): string | undefined {
  const state = lnState(world, receiver);
  const ch = state?.mgr.channels.find((c) => c.id === channel);
  if (!state || state.refused || ch?.status !== 'open') return undefined;
  const htlc = receivedHtlc(ch.htlcs, id);
  // Until it is irrevocably committed the receiver can neither forward nor fail it (its channel may be stuck).
  // BOLT 2: an inbound HTLC is irrevocably ours once our commitment has it and we received the peer's revocation.
  if (!htlc || htlc.removal || htlc.state !== 'RCVD_ADD_ACK_REVOCATION' || htlc.onion?.nextChannel === undefined || ch.pendingInbound.includes(id)) return undefined;
  const forwardOf = (h: { source?: { kind: string; channel?: string; htlcId?: number } }) => h.source?.kind === 'forward' && h.source.channel === channel && h.source.htlcId === id;
  if (state.mgr.channels.some((c) => c.htlcs.some(forwardOf))) return undefined;
  // Read the monitors' commitments directly (not through the model's helper, which the node's own forward check uses).
  if (state.monitors.some((m) => [m.holderCommitment, ...m.counterpartyCommitments].some((c) => c.htlcs.some(forwardOf)))) return undefined;
  return `${receiver} forgot HTLC ${id} it received on ${channel} to forward: not failed back, nowhere downstream, so its peer force-closed at expiry`;
}
