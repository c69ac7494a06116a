// Shared end-of-run views of the Lightning world for the invariants: who is
// owed what, what is still unresolved, by reading node memory and the chain.
// The classes here are made per run: their members are made in the
// constructor (declare fields), as field initializers would compile as a
// function of their own.
import type { Tx } from '../../../sim/chain.ts';
import type { TraceRecord } from '../../../sim/trace.ts';
import type { World } from '../../../sim/world.ts';
import type { LnState } from '../node.ts';
import { parseScript, preimageFromWitness } from '../onchain.ts';
import { hashOf, preimageFor } from '../payments.ts';

export interface Topology {
  /** Channel id → its two nodes: the channels of genesis and those the workload may open. */
  readonly channels: Readonly<Record<string, readonly [string, string]>>;
  /** Each node's funds at the start: wallet coins plus its side of every channel. */
  readonly initialWealth: Readonly<Record<string, number>>;
  /** The to_self_delay (CSV, blocks) of every channel: how long a victim has to punish a revoked commitment. */
  readonly toSelfDelay?: number;
}

/**
 * A message on the wire, as a `send` record carries it: the observers here are handed its type, loaded once by the
 * checker (message objects come in many shapes, so every read of a member is a slow lookup).
 */
export interface WireMessage {
  readonly type: string;
  readonly channel?: string;
  readonly number?: number;
  readonly preimage?: string;
  readonly id?: number;
  readonly hash?: string;
}

/** One HTLC of a payment's route: `from` pays `amount` to `to` over `channel` once `to` reveals the preimage there. */
interface Hop {
  readonly channel: string;
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  readonly hash: string;
}

/**
 * A route's channels, from its "c1>c2" text: every run of a scenario pays over the same few routes, so each text is
 * split once per thread (up to a bound), not once per payment and checker. The lists are shared: never mutated.
 */
const routes = new Map<string, readonly string[]>();
const ROUTES_LIMIT = 1_024;

function channelsOf(path: string): readonly string[] {
  let channels = routes.get(path);
  if (channels === undefined) {
    if (routes.size >= ROUTES_LIMIT) routes.clear();
    channels = path.split('>');
    routes.set(path, channels);
  }
  return channels;
}

/**
 * What each node is owed, from the trace alone: its starting funds, less every HTLC it offered whose receiver
 * revealed the preimage over that hop, plus every such HTLC it received. Routes come from the `pay` records.
 */
export class Owed {
  declare private readonly hops: Hop[];
  declare readonly revelations: Revelations;

  constructor(private readonly topology: Topology) {
    this.hops = [];
    this.revelations = new Revelations();
  }

  /** A `pay` record: the hops of its route. */
  paid(r: TraceRecord): void {
    if (!r.n || r.d!.route !== 'found') return;
    const hash = hashOf(preimageFor(r.d!.paymentId as string));
    const parts = r.d!.parts as readonly { path: string; amount: number; fees: readonly { node: string; fee: number }[] }[];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      let from = r.n;
      let amount = part.amount;
      const path = channelsOf(part.path);
      for (let j = 0; j < path.length; j++) {
        const channel = path[j];
        const [a, b] = this.topology.channels[channel];
        const to = from === a ? b : a;
        this.hops.push({ channel, from, to, amount, hash });
        amount -= part.fees[j]?.fee ?? 0;
        from = to;
      }
    }
  }

  /** Per node, what it should end with. Call once, at the end (reads the chain's preimage claims). */
  expected(world: World): Record<string, number> {
    this.revelations.scanChain(world, this.topology);
    const expected: Record<string, number> = { ...this.topology.initialWealth };
    for (const hop of this.hops) {
      if (!this.revelations.revealedOn(hop.hash, hop.channel, hop.to)) continue;
      expected[hop.from] -= hop.amount;
      expected[hop.to] += hop.amount;
    }
    return expected;
  }
}

/**
 * Who revoked which of its commitments, from the wire: a node that sent revoke_and_ack for commitment n of a channel
 * revoked every commitment of its up to n. Judged from `send` records, so a node's memory cannot hide it.
 */
export class RevokedOnWire {
  /** Holder → channel → the highest commitment number it revoked (nested: no "holder/channel" text per message). */
  declare private readonly upTo: Map<string, Map<string, number>>;

  constructor() {
    this.upTo = new Map<string, Map<string, number>>();
  }

  /** `node` sent `message` (of type `type`). */
  sent(node: string, type: string, message: WireMessage): void {
    if (type !== 'revoke_and_ack' || message.channel === undefined) return;
    let byChannel = this.upTo.get(node);
    if (byChannel === undefined) this.upTo.set(node, (byChannel = new Map()));
    byChannel.set(message.channel, Math.max(byChannel.get(message.channel) ?? -1, message.number!));
  }

  /** Whether `holder` revoked its commitment `number` of `channel`. */
  revoked(holder: string, channel: string, number: number): boolean {
    return number <= (this.upTo.get(holder)?.get(channel) ?? -1);
  }
}

/** Fault kinds of the adversarial counterparty (cheat.ts). */
export const CHEAT_FAULTS: readonly string[] = ['broadcast-revoked', 'broadcast-stale'];

/**
 * Nodes the fault plan made cheat (the kernel's `fault` records name them): the adversary. Invariants that protect
 * a node's own application (its payment outcomes) do not protect the adversary's; penalty-enforced judges it.
 */
export class Cheaters {
  declare private readonly nodes: Set<string>;

  constructor() {
    this.nodes = new Set<string>();
  }

  observe(r: TraceRecord): void {
    if (r.k === 'fault' && r.n && CHEAT_FAULTS.includes(r.d?.kind as string)) this.nodes.add(r.n);
  }

  has(node: string): boolean {
    return this.nodes.has(node);
  }
}

/** A commitment transaction's holder, channel and number, read from its txid (commit/<channel>/<holder>/<number>). */
export function parseCommitmentTxid(txid: string): { channel: string; holder: string; number: number } | undefined {
  if (!txid.startsWith('commit/')) return undefined; // most txids: no split
  const p = txid.split('/');
  return p[0] === 'commit' && p.length === 4 ? { channel: p[1], holder: p[2], number: Number(p[3]) } : undefined;
}

/**
 * What a finished world's chain and nodes show, computed once per world and shared by every checker's atEnd: a
 * finished world no longer changes. A world still running (a checker judging as records arrive) is read afresh.
 * One typed field per view, kept for the last finished world asked about (a thread finishes one world at a time;
 * another world asked about replaces it): no keyed lookup, no closure per question.
 */
class EndView {
  declare txs: readonly Tx[] | undefined;
  declare commitments: readonly ConfirmedCommitment[] | undefined;
  declare htlcOutputs: readonly HtlcOutput[] | undefined;
  declare ownedUnspent: ReadonlyMap<string, number> | undefined;
  declare readonly wealth: Map<string, number>;
  /** null: not judged yet (undefined is a verdict: nothing unresolved). */
  declare unresolved: string | undefined | null;
  declare chainRevelations: readonly ChainRevelation[] | undefined;

  constructor() {
    this.txs = undefined;
    this.commitments = undefined;
    this.htlcOutputs = undefined;
    this.ownedUnspent = undefined;
    this.wealth = new Map<string, number>();
    this.unresolved = null;
    this.chainRevelations = undefined;
  }
}

let endWorld: World | undefined;
let endView: EndView | undefined;

/** The finished world's views; undefined while it still runs. */
function endOf(world: World): EndView | undefined {
  if (!world.done) return undefined;
  if (world !== endWorld) {
    endWorld = world;
    endView = new EndView();
  }
  return endView;
}

/** Every confirmed transaction, in chain order (most blocks hold none). */
function confirmedTxs(world: World): readonly Tx[] {
  const view = endOf(world);
  if (view?.txs !== undefined) return view.txs;
  const out: Tx[] = [];
  const blocks = world.chain.blocks;
  for (let b = 0; b < blocks.length; b++) {
    const txs = blocks[b].txs;
    for (let t = 0; t < txs.length; t++) out.push(txs[t]);
  }
  if (view) view.txs = out;
  return out;
}

interface ConfirmedCommitment {
  readonly txid: string;
  readonly channel: string;
  readonly holder: string;
  readonly number: number;
}

/** Every confirmed commitment transaction, in chain order. */
function confirmedCommitments(world: World): readonly ConfirmedCommitment[] {
  const view = endOf(world);
  if (view?.commitments !== undefined) return view.commitments;
  const out: ConfirmedCommitment[] = [];
  for (const tx of confirmedTxs(world)) {
    const c = parseCommitmentTxid(tx.txid);
    if (c) out.push({ txid: tx.txid, ...c });
  }
  if (view) view.commitments = out;
  return out;
}

/** Confirmed commitments whose holder had revoked them: a cheat (or a stale state) the chain accepted. */
export function confirmedRevoked(world: World, revoked: RevokedOnWire): ConfirmedCommitment[] {
  // A loop, not .filter with an arrow made per call.
  const all = confirmedCommitments(world);
  const out: ConfirmedCommitment[] = [];
  for (let i = 0; i < all.length; i++) if (revoked.revoked(all[i].holder, all[i].channel, all[i].number)) out.push(all[i]);
  return out;
}

export function lnState(world: World, node: string): LnState | undefined {
  return world.state<LnState>(node);
}

interface HtlcOutput {
  readonly txid: string;
  readonly vout: number;
  readonly channel: string;
  readonly holder: string;
  readonly offeredByHolder: boolean;
  readonly id: number;
  readonly hash: string;
  readonly value: number;
  readonly spentWith?: string;
}

/** Confirmed commitment transactions, with each HTLC output and what spent it. */
export function confirmedHtlcOutputs(world: World): readonly HtlcOutput[] {
  const view = endOf(world);
  if (view?.htlcOutputs !== undefined) return view.htlcOutputs;
  const out = scanHtlcOutputs(world);
  if (view) view.htlcOutputs = out;
  return out;
}

function scanHtlcOutputs(world: World): HtlcOutput[] {
  const out: HtlcOutput[] = [];
  for (const tx of confirmedTxs(world)) {
    if (!tx.txid.startsWith('commit/')) continue;
    for (let vout = 0; vout < tx.outputs.length; vout++) {
      const script = tx.outputs[vout].script;
      // Its to_local and to_remote outputs are skipped unparsed (an HTLC output's script is "h/...").
      if (!script.startsWith('h/')) continue;
      const parsed = parseScript(script);
      if (parsed.kind !== 'htlc') continue;
      const spender = world.chain.spender({ txid: tx.txid, vout });
      const witness = spender ? world.chain.confirmedTx(spender)!.inputs.find((i) => i.txid === tx.txid && i.vout === vout)?.witness : undefined;
      out.push({ txid: tx.txid, vout, channel: parsed.channel, holder: parsed.holder, offeredByHolder: parsed.offeredByHolder, id: parsed.id, hash: parsed.hash, value: tx.outputs[vout].value, spentWith: spender ? witness ?? 'spent' : undefined });
    }
  }
  return out;
}

/** Everything a node can call its own: unspent outputs paying it, and its side of open channels. */
export function wealth(world: World, node: string): number {
  const view = endOf(world);
  const known = view?.wealth.get(node);
  if (known !== undefined) return known;
  const value = scanWealth(world, node);
  view?.wealth.set(node, value);
  return value;
}

/** Per node, the value of the unspent outputs paying it (its wallet coins, its outputs of confirmed commitments). */
function ownedUnspent(world: World): ReadonlyMap<string, number> {
  const view = endOf(world);
  if (view?.ownedUnspent !== undefined) return view.ownedUnspent;
  const owned = new Map<string, number>();
  for (const { output } of world.chain.unspent()) {
    const p = parseScript(output.script);
    const owner = p.kind === 'wallet' || p.kind === 'to-counterparty' ? p.owner : p.kind === 'to-holder' ? p.holder : undefined;
    if (owner !== undefined) owned.set(owner, (owned.get(owner) ?? 0) + output.value);
  }
  if (view) view.ownedUnspent = owned;
  return owned;
}

function scanWealth(world: World, node: string): number {
  let total = ownedUnspent(world).get(node) ?? 0;
  const state = lnState(world, node);
  // A channel counts once its funding output exists; until then the funder's coin is still in its wallet.
  for (const ch of state?.mgr.channels ?? []) if (ch.status === 'open' && world.chain.output(ch.funding) !== undefined) total += ch.localCommit.toHolder;
  return total;
}

/** A description of the first thing still unresolved, if any: HTLCs in open channels, closes not confirmed, HTLC outputs unspent. */
export function unresolved(world: World): string | undefined {
  const view = endOf(world);
  if (view !== undefined && view.unresolved !== null) return view.unresolved;
  const found = scanUnresolved(world);
  if (view) view.unresolved = found;
  return found;
}

function scanUnresolved(world: World): string | undefined {
  for (const node of world.nodeIds()) {
    const state = lnState(world, node);
    if (!state) return `${node} is down`;
    for (const ch of state.mgr.channels) {
      if (ch.status === 'open' && ch.htlcs.length > 0) return `${node} still has ${ch.htlcs.length} HTLC(s) on open channel ${ch.id} (${ch.htlcs.map((h) => `${h.offered ? 'out' : 'in'}#${h.id} ${h.state}`).join(', ')})`;
      if (ch.status === 'closed' && world.chain.spender(ch.funding) === undefined) return `${node}'s closed channel ${ch.id} has no confirmed commitment`;
    }
  }
  for (const o of confirmedHtlcOutputs(world)) {
    if (o.spentWith === undefined) return `HTLC output ${o.id} (${o.value}) of ${o.txid} is unspent`;
  }
  return undefined;
}

/**
 * Which nodes revealed which preimages: by sending update_fulfill_htlc on the
 * wire, or by a confirmed on-chain claim carrying it. Only a preimage that left
 * a node counts as revealed; an application's decision to claim does not.
 */
export class Revelations {
  declare private readonly byHash: Map<string, Set<string>>;
  /** Hash → channel → nodes that revealed the preimage over that channel (nested: no "hash/channel" text). */
  declare private readonly byChannel: Map<string, Map<string, Set<string>>>;
  /** Hash → nodes the preimage was revealed to, as the offerer of the HTLC it settled. */
  declare private readonly toOfferer: Map<string, Set<string>>;

  constructor() {
    this.byHash = new Map<string, Set<string>>();
    this.byChannel = new Map<string, Map<string, Set<string>>>();
    this.toOfferer = new Map<string, Set<string>>();
  }

  /** `node` sent `message` (of type `type`) to `to`. */
  sent(node: string, to: string, type: string, message: WireMessage): void {
    if (type !== 'update_fulfill_htlc' || !message.preimage) return;
    const hash = hashOf(message.preimage);
    this.add(this.byHash, hash, node);
    this.addOn(hash, message.channel as string, node);
    this.add(this.toOfferer, hash, to);
  }

  /** Add the on-chain revelations (claims confirmed with a preimage witness). */
  scanChain(world: World, topology: Topology): void {
    for (const { hash, claimer, htlc } of chainRevelations(world)) {
      this.add(this.byHash, hash, claimer);
      if (htlc) {
        this.add(this.toOfferer, hash, offererOf(htlc, topology));
        this.addOn(hash, htlc.channel, claimer);
      }
    }
  }

  revealedBy(hash: string, node: string): boolean {
    return this.byHash.get(hash)?.has(node) ?? false;
  }

  /** `node` revealed the preimage over `channel` (settling the HTLC it received there). */
  revealedOn(hash: string, channel: string, node: string): boolean {
    return this.byChannel.get(hash)?.get(channel)?.has(node) ?? false;
  }

  /** The preimage settled an HTLC that `node` offered: `node` paid it downstream. */
  revealedTo(hash: string, node: string): boolean {
    return this.toOfferer.get(hash)?.has(node) ?? false;
  }

  /** Per hash, the nodes that paid an HTLC with it downstream. */
  paidDownstream(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.toOfferer;
  }

  private add(map: Map<string, Set<string>>, hash: string, node: string): void {
    let nodes = map.get(hash);
    if (nodes === undefined) map.set(hash, (nodes = new Set()));
    nodes.add(node);
  }

  private addOn(hash: string, channel: string, node: string): void {
    let byChannel = this.byChannel.get(hash);
    if (byChannel === undefined) this.byChannel.set(hash, (byChannel = new Map()));
    this.add(byChannel, channel, node);
  }
}

/** A preimage revealed on-chain: by a confirmed claim's input, and the HTLC output that input spent (if it was one). */
interface ChainRevelation {
  readonly hash: string;
  readonly claimer: string;
  readonly htlc?: { readonly channel: string; readonly holder: string; readonly offeredByHolder: boolean };
}

/** The preimages confirmed claims reveal, in chain order. */
function chainRevelations(world: World): readonly ChainRevelation[] {
  const view = endOf(world);
  if (view?.chainRevelations !== undefined) return view.chainRevelations;
  const out: ChainRevelation[] = [];
  for (const tx of confirmedTxs(world)) {
    if (tx.label !== 'claim-preimage') continue;
    const claimer = tx.txid.split('/').at(-2)!;
    for (const input of tx.inputs) {
      const preimage = preimageFromWitness(input.witness);
      if (!preimage) continue;
      const spent = world.chain.confirmedTx(input.txid)?.outputs[input.vout];
      const parsed = spent ? parseScript(spent.script) : undefined;
      out.push({ hash: hashOf(preimage), claimer, htlc: parsed?.kind === 'htlc' ? parsed : undefined });
    }
  }
  if (view) view.chainRevelations = out;
  return out;
}

/** The node that offered an HTLC output of a commitment. */
export function offererOf(o: { channel: string; holder: string; offeredByHolder: boolean }, topology: Topology): string {
  const [a, b] = topology.channels[o.channel];
  const counterparty = o.holder === a ? b : a;
  return o.offeredByHolder ? o.holder : counterparty;
}

/**
 * Per direction of a link, by sender then receiver (or per node, then channel or file): checkers that follow the
 * wire build no "from>to" (or "node/channel") text per message.
 */
export class PerDirection<T> {
  declare private readonly bySender: Map<string, Map<string, T>>;
  /**
   * The entry last found or set, and its direction: a node's messages come in runs to one peer (an update, then its
   * commitment_signed), each looked up again. Entries are never removed, so the one kept stays right until replaced.
   */
  declare private lastFrom: string | undefined;
  declare private lastTo: string | undefined;
  declare private lastValue: T | undefined;

  constructor() {
    this.bySender = new Map<string, Map<string, T>>();
    this.lastFrom = undefined;
    this.lastTo = undefined;
    this.lastValue = undefined;
  }

  get(from: string, to: string): T | undefined {
    if (to === this.lastTo && from === this.lastFrom) return this.lastValue;
    const value = this.bySender.get(from)?.get(to);
    if (value !== undefined) this.keep(from, to, value);
    return value;
  }

  /** The direction's entry, made by `make` the first time. */
  entry(from: string, to: string, make: () => T): T {
    if (to === this.lastTo && from === this.lastFrom && this.lastValue !== undefined) return this.lastValue;
    let byReceiver = this.bySender.get(from);
    if (byReceiver === undefined) this.bySender.set(from, (byReceiver = new Map()));
    let value = byReceiver.get(to);
    if (value === undefined) byReceiver.set(to, (value = make()));
    this.keep(from, to, value);
    return value;
  }

  set(from: string, to: string, value: T): void {
    let byReceiver = this.bySender.get(from);
    if (byReceiver === undefined) this.bySender.set(from, (byReceiver = new Map()));
    byReceiver.set(to, value);
    this.keep(from, to, value);
  }

  private keep(from: string, to: string, value: T): void {
    this.lastFrom = from;
    this.lastTo = to;
    this.lastValue = value;
  }

  /** Visit every entry whose sender is `from`. */
  forEachOf(from: string, visit: (value: T) => void): void {
    const byReceiver = this.bySender.get(from);
    if (byReceiver !== undefined) for (const value of byReceiver.values()) visit(value);
  }
}
