// penalty-enforced (docs/DESIGN.md 3.8, the adversarial counterparty): when a
// commitment its holder had revoked confirms, the victim punishes it. Every
// output of it the cheater could take (its to_local, every HTLC output) is
// swept by the victim's penalty before the to_self_delay (CSV) window closes,
// never by anyone else; and after the calm phase the cheater holds no more
// than it was owed, the victim no less.
//
// Oracles, all from the trace and the chain, never the model's memory:
// - "revoked": the holder sent revoke_and_ack for that commitment (the wire);
// - "the victim had to know": the victim processed that revoke_and_ack (its
//   delivery, not cut off by a crash before handling) and then acted on the
//   channel (sent commitment_signed or revoke_and_ack there, in the same
//   incarnation): a node acts on a revocation only once its monitor holds it
//   durably. Until then the revocation may honestly be held back (an
//   RAA-blocking action) or lost in a crash (the peer resends it at
//   reestablish): the broadcast is then a unilateral close of a state the
//   victim never moved past, settled normally, and only the balances are
//   judged;
// - "owed": starting funds, less HTLCs paid, plus HTLCs received, by preimage
//   revelations (as balance-conservation, which leaves these two nodes to us).
// A victim that was down (or refused to start) through the whole window is no
// silent pass: it is reported as a violation naming that cause (liveness with
// a deadline).
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import { confirmedRevoked, Owed, parseCommitmentTxid, PerDirection, RevokedOnWire, unresolved, wealth, type Topology, type WireMessage } from './ledger.ts';

export const NAME = 'penalty-enforced';
export const DESCRIPTION =
  'A revoked commitment that confirms is punished: its to_local and HTLC outputs go to the victim by penalty within the to_self_delay window (a victim down through the window is reported, not excused); after the calm phase the cheater holds no more than it was owed, the victim no less.';

/** to_self_delay when the topology does not say (the model's channels use 6). */
const DEFAULT_TO_SELF_DELAY = 6;

interface Cheat {
  readonly txid: string;
  readonly channel: string;
  readonly cheater: string;
  readonly victim: string;
  readonly number: number;
  readonly height: number;
  /** The victim was up at some block of the window. */
  victimSeenUp: boolean;
  settled: boolean;
}

/** What a node processed of its peer's revocations on one channel (-1: none). */
interface Revocations {
  /** Highest revocation the node processed and then acted on (its protocol made it durable first). */
  secure: number;
  /** Highest revocation processed since the node's last crash, not yet acted on. */
  fresh: number;
}

/**
 * One direction of the wire: messages sent and messages delivered or dropped so far (the transport keeps them in
 * order), and the revoke_and_acks among them, each with its place: the only messages this checker follows.
 */
interface Wire {
  sent: number;
  done: number;
  readonly revocations: { readonly seq: number; readonly channel: string; readonly number: number }[];
}

const newRevocations = (): Revocations => ({ secure: -1, fresh: -1 });
const newWire = (): Wire => ({ sent: 0, done: 0, revocations: [] });
/** `to` processed its peer's revocation `number` of `channel` (not yet acted on). */
function processRevocation(processed: PerDirection<Revocations>, to: string, channel: string, number: number): void {
  const p = processed.entry(to, channel, newRevocations);
  p.fresh = Math.max(p.fresh, number);
}

/** A crash loses what was processed and not yet acted on. */
const forget = (p: Revocations): void => {
  p.fresh = -1;
};

export function penaltyEnforced(topology: Topology): Checker {
  return new PenaltyEnforced(topology);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class PenaltyEnforced implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly csv: number;
  declare private readonly revoked: RevokedOnWire;
  declare private readonly owed: Owed;
  /** Per node and channel: the peer's revocations it processed. */
  declare private readonly processed: PerDirection<Revocations>;
  declare private readonly wires: PerDirection<Wire>;
  /** A delivered revoke_and_ack a crash "before deliver" may still cut off (the very next record tells); to: undefined, none. */
  declare private deliveredTo: string | undefined;
  declare private deliveredChannel: string;
  declare private deliveredNumber: number;
  /** Index of the last record read: a record of another kind in between is a next record that is no crash. */
  declare private last: number;
  declare private readonly cheats: Cheat[];

  constructor(private readonly topology: Topology) {
    this.name = NAME;
    this.kinds = ['send', 'deliver', 'drop', 'crash', 'pay', 'block'];
    this.revoked = new RevokedOnWire();
    this.processed = new PerDirection<Revocations>();
    this.wires = new PerDirection<Wire>();
    this.deliveredTo = undefined;
    this.deliveredChannel = '';
    this.deliveredNumber = -1;
    this.last = -1;
    this.cheats = [];
    this.csv = topology.toSelfDelay ?? DEFAULT_TO_SELF_DELAY;
    this.owed = new Owed(topology);
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    this.settleDelivered(r);
    switch (r.k) {
      case 'send': {
        // The type is read once and handed on: messages come in many shapes, each read of a member is a slow lookup.
        const node = r.n!;
        const d = r.d!;
        const message = d.message as WireMessage;
        const type = message.type;
        this.send(node, d.to as string, type, message);
        // The observers read only sends (revocations, and Owed's revelations) and pays (Owed's routes).
        this.revoked.sent(node, type, message);
        this.owed.revelations.sent(node, d.to as string, type, message);
        return undefined;
      }
      case 'deliver':
        this.arrive(r.n!, r.d!.from as string, true);
        return undefined;
      case 'drop':
        if (r.d!.reason !== 'disconnected') return undefined; // never sent: no send record either
        this.arrive(r.n!, r.d!.from as string, false);
        return undefined;
      case 'crash':
        this.processed.forEachOf(r.n!, forget);
        return undefined;
      case 'pay':
        this.owed.paid(r);
        return undefined;
      case 'block':
        return this.block(world, r.d!.txs as readonly string[], r.d!.height as number);
    }
    return undefined;
  }

  atEnd(world: World): string | undefined {
    if (unresolved(world)) return undefined;
    const topology = this.topology;
    const confirmed = confirmedRevoked(world, this.revoked);
    // Most runs: no revoked commitment confirmed, nothing to judge (what each node is owed is not worked out).
    if (confirmed.length === 0) return undefined;
    const expected = this.owed.expected(world);
    const cheaters = new Set<string>();
    for (let i = 0; i < confirmed.length; i++) cheaters.add(confirmed[i].holder);
    for (const c of confirmed) {
      const [a, b] = topology.channels[c.channel];
      const victim = c.holder === a ? b : a;
      const cheater = wealth(world, c.holder);
      const gained = wealth(world, victim);
      // A node that cheated on one channel and was cheated on another is judged by the total (balance-conservation) only.
      if (!victimToo(confirmed, topology, c.holder) && cheater > expected[c.holder]) return `${c.holder} broadcast its revoked commitment ${c.number} of ${c.channel} and ends with ${cheater}, more than the ${expected[c.holder]} it was owed`;
      if (!cheaters.has(victim) && gained < expected[victim]) return `${victim} ends with ${gained}, less than the ${expected[victim]} it was owed, after ${c.holder}'s revoked commitment ${c.number} of ${c.channel} confirmed`;
    }
    return undefined;
  }

  private knows(victim: string, channel: string): number {
    return this.processed.get(victim, channel)?.secure ?? -1;
  }

  /** A revoke_and_ack delivered just before this record: processed, unless this record is its receiver crashing before handling it. */
  private settleDelivered(r: TraceRecord): void {
    if (this.deliveredTo !== undefined && r.i !== this.last + 1) {
      processRevocation(this.processed, this.deliveredTo, this.deliveredChannel, this.deliveredNumber);
      this.deliveredTo = undefined;
    }
    this.last = r.i;
    if (this.deliveredTo !== undefined) {
      // Unless the very next record is its receiver crashing before handling it, the revocation was processed.
      if (!(r.k === 'crash' && r.n === this.deliveredTo && String(r.d?.where ?? '').startsWith('before deliver'))) processRevocation(this.processed, this.deliveredTo, this.deliveredChannel, this.deliveredNumber);
      this.deliveredTo = undefined;
    }
  }

  private send(node: string, to: string, type: string, message: WireMessage): void {
    const w = this.wires.entry(node, to, newWire);
    const seq = w.sent++;
    // Acting on a channel after a revocation: the victim's protocol made it durable first.
    if ((type === 'commitment_signed' || type === 'revoke_and_ack') && message.channel !== undefined) {
      if (type === 'revoke_and_ack') w.revocations.push({ seq, channel: message.channel, number: message.number! });
      const p = this.processed.entry(node, message.channel, newRevocations);
      p.secure = Math.max(p.secure, p.fresh);
    }
  }

  private arrive(node: string, from: string, delivered: boolean): void {
    const w = this.wires.get(from, node);
    if (w === undefined || w.done === w.sent) return;
    const seq = w.done++;
    const list = w.revocations;
    if (list.length === 0 || list[0].seq !== seq) return;
    const m = list.shift()!;
    if (delivered) {
      this.deliveredTo = node;
      this.deliveredChannel = m.channel;
      this.deliveredNumber = m.number;
    }
  }

  private block(world: World, txs: readonly string[], height: number): string | undefined {
    const cheats = this.cheats;
    for (let t = 0; t < txs.length; t++) {
      const txid = txs[t];
      const parsed = parseCommitmentTxid(txid);
      if (!parsed || !this.revoked.revoked(parsed.holder, parsed.channel, parsed.number)) continue;
      const [a, b] = this.topology.channels[parsed.channel];
      const victim = parsed.holder === a ? b : a;
      cheats.push({ txid, channel: parsed.channel, cheater: parsed.holder, victim, number: parsed.number, height, victimSeenUp: false, settled: false });
    }
    for (const c of cheats) {
      if (c.settled) continue;
      const state = world.state<{ refused?: string }>(c.victim);
      if (state && !state.refused) c.victimSeenUp = true;
      // Only a victim that had to know the commitment was revoked is held to punish it.
      if (c.number > this.knows(c.victim, c.channel)) continue;
      const problem = this.judge(world, c);
      if (problem) return problem;
    }
    return undefined;
  }

  /** The cheater's outputs of a confirmed revoked commitment: what is wrong with them now, if anything. */
  private judge(world: World, c: Cheat): string | undefined {
    const csv = this.csv;
    const height = world.chain.height;
    const tx = world.chain.confirmedTx(c.txid)!;
    const open: number[] = [];
    for (let vout = 0; vout < tx.outputs.length; vout++) {
      const script = tx.outputs[vout].script;
      // The victim's own to_remote output is not the cheater's to take.
      if (script.startsWith('tr/')) continue;
      const spender = world.chain.spender({ txid: c.txid, vout });
      if (spender === undefined) {
        open.push(vout);
        continue;
      }
      // Swept to the victim: by penalty, or by its own preimage/timeout claim (it gets the value either way).
      if (!allTo(world.chain.confirmedTx(spender)!.outputs, `wallet/${c.victim}`)) return `${c.cheater}'s revoked commitment ${c.number} of ${c.channel} confirmed at ${c.height}; its output ${vout} (${script}) was spent by ${spender}, not by ${c.victim}`;
    }
    if (open.length > 0 && height > c.height + csv) {
      if (!c.victimSeenUp) return `${c.victim} was down (or refused to start) through the whole CSV window of ${c.cheater}'s revoked commitment ${c.number} of ${c.channel} (blocks ${c.height}..${c.height + csv}): the penalty could not be enforced`;
      return `${c.cheater}'s revoked commitment ${c.number} of ${c.channel} confirmed at ${c.height}; at ${height} (to_self_delay ${csv}) output(s) ${open.join(', ')} are still not swept by ${c.victim}'s penalty`;
    }
    if (open.length === 0) c.settled = true;
    return undefined;
  }
}

/**
 * Whether `node` was also cheated on, by another holder's confirmed revoked commitment (a loop, not a function and
 * an arrow made per atEnd).
 */
function victimToo(confirmed: readonly { readonly holder: string; readonly channel: string }[], topology: Topology, node: string): boolean {
  for (let i = 0; i < confirmed.length; i++) if (confirmed[i].holder !== node && topology.channels[confirmed[i].channel].includes(node)) return true;
  return false;
}

/** Every output pays `script` (a loop, not .every with an arrow made per call). */
function allTo(outputs: readonly { readonly script: string }[], script: string): boolean {
  for (let i = 0; i < outputs.length; i++) if (outputs[i].script !== script) return false;
  return true;
}
