// balance-conservation: every commitment spends exactly the channel's
// capacity, and after the calm phase every node holds exactly its starting
// funds, less what it paid, plus what it was paid (a payment counts as paid
// once its receiver revealed the preimage). A channel whose revoked
// commitment confirmed (a cheat, punished or not) shifts money between its
// two nodes by design: those two are judged by penalty-enforced instead, and
// here only the total across all nodes must be conserved.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import { confirmedRevoked, Owed, RevokedOnWire, unresolved, wealth, type Topology, type WireMessage } from './ledger.ts';

export function balanceConservation(topology: Topology): Checker {
  return new BalanceConservation(topology);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class BalanceConservation implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly owed: Owed;
  declare private readonly revoked: RevokedOnWire;

  constructor(private readonly topology: Topology) {
    this.name = 'balance-conservation';
    this.kinds = ['commitment', 'pay', 'send'];
    this.revoked = new RevokedOnWire();
    this.owed = new Owed(topology);
  }

  onRecord(r: TraceRecord): string | undefined {
    if (r.k === 'commitment') {
      if (r.d!.total === r.d!.capacity) return undefined;
      return `${r.n}'s ${r.d!.side} commitment ${r.d!.number} of ${r.d!.channel} carries ${r.d!.total}, the channel holds ${r.d!.capacity}`;
    }
    // Each observer reads only sends (and Owed, pays): the others are not handed to them.
    if (r.k === 'pay') {
      this.owed.paid(r);
      return undefined;
    }
    if (r.k === 'send' && r.n) {
      // The type is read once and handed on: messages come in many shapes, each read of a member is a slow lookup.
      const message = r.d!.message as WireMessage;
      const type = message.type;
      this.revoked.sent(r.n, type, message);
      this.owed.revelations.sent(r.n, r.d!.to as string, type, message);
    }
    return undefined;
  }

  atEnd(world: World): string | undefined {
    // Money still in flight is judged by no-lost-htlc and liveness, not here.
    if (unresolved(world)) return undefined;
    const topology = this.topology;
    const expected = this.owed.expected(world);
    const cheated = new Set<string>();
    for (const c of confirmedRevoked(world, this.revoked)) for (const node of topology.channels[c.channel]) cheated.add(node);
    let haveTotal = 0;
    let expectedTotal = 0;
    for (const node of world.nodeIds()) {
      const have = wealth(world, node);
      haveTotal += have;
      expectedTotal += expected[node];
      if (!cheated.has(node) && have !== expected[node]) return `${node} ends with ${have}, expected ${expected[node]} (started with ${topology.initialWealth[node]}, net of every HTLC settled with its preimage)`;
    }
    if (haveTotal !== expectedTotal) return `the nodes end with ${haveTotal} in all, they started with ${expectedTotal}`;
    return undefined;
  }
}
