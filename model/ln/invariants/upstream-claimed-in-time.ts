// upstream-claimed-in-time: a forwarder that knows the preimage of an HTLC it
// forwarded claims the upstream edge promptly, also after a restart. BOLT 2
// ("Forwarding HTLCs"): upon receiving update_fulfill_htlc for the outgoing
// HTLC the node MUST fulfill the incoming one, "as soon as possible" (knowledge
// of the preimage is irrevocable); its "cltv_expiry_delta Selection" budgets a
// grace period G of 1 or 2 blocks for a node to respond, "as nodes are required
// to timeout or fulfill as soon as possible". Nothing on-chain gates an
// off-chain claim: LDK re-claims such HTLCs while reading the ChannelManager,
// before any block (rust-lightning #2364). A forwarder that sits on the
// preimage eats the upstream peer's margin until that peer must go on-chain
// for the HTLC at its expiry.
//
// Known: the downstream peer's update_fulfill_htlc for the very HTLC the
// node forwarded arrived (per HTLC: one part of a multi-part payment settled
// downstream says nothing of the others), and the node's monitor of that
// channel still holds the preimage: across a crash only what was durable comes
// back, so after a restart the preimage is known exactly when the monitor
// loaded from disk has it. Claimed:
// update_fulfill_htlc (or any removal) for the upstream HTLC on the wire in the
// node's current life; or its channel state shows the removal already
// committed, or the HTLC gone; or, on a closed upstream channel, its monitor
// holding the preimage (the on-chain claim is then the monitor's, judged by
// no-lost-htlc) or no commitment that can confirm carrying the HTLC.
//
// Bound: G = UPSTREAM_CLAIM_WITHIN_BLOCKS consecutive blocks each finding the
// forwarder able to send the claim (running, the upstream channel reestablished
// and not waiting on its own monitor: in progress, held or queued for startup,
// which ChannelMonitorUpdateStatus::InProgress makes a legitimate pause) and the
// claim still not out: a ready node that lets two blocks pass has not acted
// "as soon as possible". A claim that waits for the downstream channel's close
// to confirm and be swept fails it. And certainly before the upstream peer has
// to force-close for the HTLC at its expiry (its `force-close` record with
// reason htlc-timeout) while the forwarder was able to claim.
//
// Oracles: forwards from the `forward` records, the hashes of the
// update_add_htlc the upstream peer sent and the downstream peer's
// update_fulfill_htlc from the wire (sends matched to arrivals in order, per
// direction); the downstream monitor's preimages, the upstream HTLC's BOLT 2
// state and the channel's ability to send read as plain data. No model
// function is called.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import type { LnState } from '../node.ts';
import { lnState, PerDirection } from './ledger.ts';

export const NAME = 'upstream-claimed-in-time';
export const DESCRIPTION =
  'A forwarder whose downstream peer fulfilled a forwarded HTLC, while its downstream monitor holds the preimage (after a restart: durably), claims the upstream HTLC within two blocks of being able to (the grace period of BOLT 2), and before the upstream peer must force-close for it.';

/** Consecutive blocks that may find the forwarder able to claim upstream and the claim not yet out (BOLT 2's grace period G). */
export const UPSTREAM_CLAIM_WITHIN_BLOCKS = 2;

interface Obligation {
  readonly node: string;
  /** The upstream HTLC: channel, id, and the peer that offered it. */
  readonly channel: string;
  readonly id: number;
  readonly peer: string;
  readonly hash: string;
  /** The downstream channel whose monitor learned the preimage. */
  readonly downstream: string;
  /** Consecutive blocks that found the node able to claim and the claim not out. */
  ableBlocks: number;
  /**
   * The node sent a removal of the upstream HTLC in its current life: claimed until it crashes or restarts (most
   * obligations, most blocks: judged without reading the node).
   */
  removed: boolean;
}

interface Forward {
  readonly inbound: string;
  readonly inId: number;
  readonly outbound: string;
  readonly outId: number;
}

interface Wire {
  sent: number;
  done: number;
  readonly fulfills: { readonly seq: number; readonly channel: string; readonly id: number }[];
}

const newWire = (): Wire => ({ sent: 0, done: 0, fulfills: [] });

/** The startup updates, as far as the able check reads them (by index: no closure per call). */
interface Updates {
  readonly length: number;
  readonly [i: number]: { readonly channel: string };
}

/**
 * Whether the node can send the upstream claim now and has not (removals it sent are judged by the caller, through
 * `removed`). Only "able" matters to the invariant, so the cheap refusals come first; every read is plain data.
 */
function able(world: World, o: Obligation): boolean {
  const state = lnState(world, o.node);
  if (!state || state.refused) return false;
  // Known: the downstream monitor still holds the preimage (after a restart: loaded from disk). One that lost it
  // (pruned too early, archived, never durable before a crash) leaves the node nothing to claim with: no-lost-htlc.
  const monitors = state.monitors;
  let downstream: (typeof monitors)[number] | undefined;
  let upstream: (typeof monitors)[number] | undefined;
  for (let i = 0; i < monitors.length; i++) {
    const m = monitors[i];
    if (downstream === undefined && m.channel === o.downstream) downstream = m;
    if (upstream === undefined && m.channel === o.channel) upstream = m;
  }
  if (downstream === undefined || downstream.preimages[o.hash] === undefined) return false;
  if (state.archived.includes(o.channel)) return false;
  const channels = state.mgr.channels;
  let ch: (typeof channels)[number] | undefined;
  for (let i = 0; i < channels.length; i++) {
    if (channels[i].id === o.channel) {
      ch = channels[i];
      break;
    }
  }
  if (!ch) return false;
  if (ch.status !== 'open') {
    const m = upstream;
    if (!m || m.preimages[o.hash] !== undefined) return false;
    // Received by the node: in its holder commitment as not offered by the holder, in the peer's as offered by it.
    if (!carries(m.holderCommitment.htlcs, o.id, false)) {
      let onChain = false;
      const theirs = m.counterpartyCommitments;
      for (let i = 0; i < theirs.length && !onChain; i++) onChain = carries(theirs[i].htlcs, o.id, theirs[i] !== m.holderCommitment);
      if (!onChain) return false; // in no commitment that can confirm: nothing is left to claim
    }
    return !paused(state, ch.id, ch);
  }
  const htlcs = ch.htlcs;
  let htlc: (typeof htlcs)[number] | undefined;
  for (let i = 0; i < htlcs.length; i++) {
    if (!htlcs[i].offered && htlcs[i].id === o.id) {
      htlc = htlcs[i];
      break;
    }
  }
  // Gone, or its removal already signed for: nothing left to send.
  if (!htlc || (htlc.removal !== undefined && htlc.state !== 'SENT_REMOVE_HTLC')) return false;
  return !!state.reestablished[ch.id] && !paused(state, ch.id, ch);
}

function carries(htlcs: readonly { readonly id: number; readonly offeredByHolder: boolean }[], id: number, offeredByHolder: boolean): boolean {
  for (let i = 0; i < htlcs.length; i++) if (htlcs[i].id === id && htlcs[i].offeredByHolder === offeredByHolder) return true;
  return false;
}

/** Waiting on its own monitor: updates in progress, held, or queued for startup (ChannelMonitorUpdateStatus::InProgress). */
function paused(state: LnState, channel: string, ch: { readonly inFlight: { readonly length: number }; readonly blocked: { readonly length: number } }): boolean {
  if (ch.inFlight.length > 0 || ch.blocked.length > 0 || (state.persisting[channel] ?? []).length > 0) return true;
  const startup: Updates = state.startupUpdates;
  for (let i = 0; i < startup.length; i++) if (startup[i].channel === channel) return true;
  return false;
}

export function upstreamClaimedInTime(): Checker {
  return new UpstreamClaimedInTime();
}

/**
 * A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance).
 * One method per record kind: only the hot ones get compiled.
 */
class UpstreamClaimedInTime implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /** "channel#id>receiver" → the offerer and the hash it put in update_add_htlc. */
  declare private readonly adds: Map<string, { from: string; hash: string }>;
  /** node → its forwards (inbound HTLC → outbound HTLC). */
  declare private readonly forwards: Map<string, Forward[]>;
  /**
   * Per direction: messages sent and messages that arrived or were lost so far (FIFO per direction), and the fulfills
   * on the wire, in send order, each with its place among that direction's messages.
   */
  declare private readonly wires: PerDirection<Wire>;
  /** node → "channel#id" of removals it sent in its current life (for obligations that arise after the removal). */
  declare private readonly removalsSent: Map<string, Set<string>>;
  declare private readonly obligations: Obligation[];

  constructor() {
    this.name = NAME;
    this.kinds = ['crash', 'restart', 'send', 'forward', 'deliver', 'drop', 'force-close', 'block'];
    this.adds = new Map<string, { from: string; hash: string }>();
    this.forwards = new Map<string, Forward[]>();
    this.wires = new PerDirection<Wire>();
    this.removalsSent = new Map<string, Set<string>>();
    this.obligations = [];
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    const node = r.n;
    switch (r.k) {
      case 'block':
        return this.block(world);
      case 'send':
        return node ? this.send(node, r.d!) : undefined;
      // A message arrives (or is lost) in send order: an update_fulfill_htlc arriving is the forwarder learning the preimage.
      case 'deliver':
        return node ? this.arrive(node, r.d!.from as string, true) : undefined;
      case 'drop':
        return node && r.d!.reason !== 'not connected' ? this.arrive(node, r.d!.from as string, false) : undefined;
      case 'forward':
        return node ? this.forward(node, r.d!) : undefined;
      case 'crash':
      case 'restart':
        return node ? this.restart(node) : undefined;
      case 'force-close':
        return node && r.d!.reason === 'htlc-timeout' && r.d!.htlc !== undefined ? this.forceClose(world, node, r.d!) : undefined;
    }
    return undefined;
  }

  private block(world: World): string | undefined {
    const obligations = this.obligations;
    for (let i = 0; i < obligations.length; i++) {
      const o = obligations[i];
      if (o.removed || !able(world, o)) {
        o.ableBlocks = 0;
        continue;
      }
      if (++o.ableBlocks < UPSTREAM_CLAIM_WITHIN_BLOCKS) continue;
      return `${o.node} has known the preimage of ${o.hash.slice(0, 12)}… from its ${o.downstream} monitor, and ${UPSTREAM_CLAIM_WITHIN_BLOCKS} blocks in a row found it able to claim the upstream HTLC ${o.id} on ${o.channel}, but it still has not (height ${world.chain.height})`;
    }
    return undefined;
  }

  private send(node: string, d: Readonly<Record<string, unknown>>): undefined {
    const m = d.message as { type: string; channel: string; id: number; hash?: string };
    const w = this.wires.entry(node, d.to as string, newWire);
    const seq = w.sent++;
    const type = m.type;
    if (type === 'update_add_htlc') this.adds.set(`${m.channel}#${m.id}>${d.to as string}`, { from: node, hash: m.hash! });
    else if (type === 'update_fulfill_htlc' || type === 'update_fail_htlc') {
      if (type === 'update_fulfill_htlc') w.fulfills.push({ seq, channel: m.channel, id: m.id });
      this.removal(node, m.channel, m.id);
    }
    return undefined;
  }

  /** The node sent a removal of an HTLC: the obligations it meets are claimed. */
  private removal(node: string, channel: string, id: number): void {
    let sent = this.removalsSent.get(node);
    if (!sent) this.removalsSent.set(node, (sent = new Set()));
    sent.add(`${channel}#${id}`);
    const obligations = this.obligations;
    for (let i = 0; i < obligations.length; i++) {
      const o = obligations[i];
      if (o.node === node && o.channel === channel && o.id === id) o.removed = true;
    }
  }

  private arrive(node: string, from: string, delivered: boolean): undefined {
    const w = this.wires.entry(from, node, newWire);
    const seq = w.done++;
    const list = w.fulfills;
    if (list.length === 0 || list[0].seq !== seq) return undefined;
    const m = list.shift()!;
    if (delivered) this.fulfilled(node, m.channel, m.id);
    return undefined;
  }

  /** The downstream peer's update_fulfill_htlc arrived at the node: the forwards it settles become obligations. */
  private fulfilled(node: string, channel: string, id: number): void {
    const mine = this.forwards.get(node);
    if (mine === undefined) return;
    for (const f of mine) {
      if (f.outbound !== channel || f.outId !== id) continue;
      const add = this.adds.get(`${f.inbound}#${f.inId}>${node}`);
      if (!add || this.owes(node, f.inbound, f.inId, add.hash)) continue;
      const removed = this.removalsSent.get(node)?.has(`${f.inbound}#${f.inId}`) ?? false;
      this.obligations.push({ node, channel: f.inbound, id: f.inId, peer: add.from, hash: add.hash, downstream: f.outbound, ableBlocks: 0, removed });
    }
  }

  private owes(node: string, channel: string, id: number, hash: string): boolean {
    const obligations = this.obligations;
    for (let i = 0; i < obligations.length; i++) {
      const o = obligations[i];
      if (o.node === node && o.channel === channel && o.id === id && o.hash === hash) return true;
    }
    return false;
  }

  private forward(node: string, d: Readonly<Record<string, unknown>>): undefined {
    let list = this.forwards.get(node);
    if (!list) this.forwards.set(node, (list = []));
    list.push({ inbound: d.inbound as string, inId: d.inId as number, outbound: d.outbound as string, outId: d.outId as number });
    return undefined;
  }

  private restart(node: string): undefined {
    this.removalsSent.delete(node);
    for (const o of this.obligations) {
      if (o.node !== node) continue;
      o.ableBlocks = 0;
      o.removed = false;
    }
    return undefined;
  }

  private forceClose(world: World, node: string, d: Readonly<Record<string, unknown>>): string | undefined {
    for (const o of this.obligations) {
      if (o.peer !== node || o.channel !== d.channel || o.id !== d.htlc || o.ableBlocks === 0) continue;
      if (o.removed || !able(world, o)) continue;
      return `${node} had to force-close ${o.channel} for HTLC ${o.id} at its expiry (height ${world.chain.height}), though ${o.node} knew its preimage from its ${o.downstream} monitor and was able to claim it`;
    }
    return undefined;
  }
}
