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
import type { Checker, World } from '../../../sim/world.ts';
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
}

type Able = 'claimed' | 'able' | 'unable' | 'unknown';

export function upstreamClaimedInTime(): Checker {
  /** "channel#id>receiver" → the offerer and the hash it put in update_add_htlc. */
  const adds = new Map<string, { from: string; hash: string }>();
  /** node → its forwards (inbound HTLC → outbound HTLC). */
  const forwards = new Map<string, { inbound: string; inId: number; outbound: string; outId: number }[]>();
  /**
   * Per direction: messages sent and messages that arrived or were lost so far (FIFO per direction), and the fulfills
   * on the wire, in send order, each with its place among that direction's messages.
   */
  const wires = new PerDirection<{ sent: number; done: number; fulfills: { seq: number; channel: string; id: number }[] }>();
  const newWire = () => ({ sent: 0, done: 0, fulfills: [] as { seq: number; channel: string; id: number }[] });
  const wire = (from: string, to: string) => wires.entry(from, to, newWire);
  /** node → "channel#id" of removals it sent in its current life. */
  const removalsSent = new Map<string, Set<string>>();
  let obligations: Obligation[] = [];

  const status = (world: World, o: Obligation): Able => {
    const state = lnState(world, o.node);
    if (!state || state.refused) return 'unable';
    // Known: the downstream monitor still holds the preimage (after a restart: loaded from disk). One that lost it
    // (pruned too early, archived, never durable before a crash) leaves the node nothing to claim with: no-lost-htlc.
    if (state.monitors.find((m) => m.channel === o.downstream)?.preimages[o.hash] === undefined) return 'unknown';
    if (removalsSent.get(o.node)?.has(`${o.channel}#${o.id}`)) return 'claimed';
    if (state.archived.includes(o.channel)) return 'claimed';
    const ch = state.mgr.channels.find((c) => c.id === o.channel);
    if (!ch) return 'claimed';
    const paused = ch.inFlight.length > 0 || ch.blocked.length > 0 || (state.persisting[ch.id] ?? []).length > 0 || state.startupUpdates.some((u) => u.channel === ch.id);
    if (ch.status !== 'open') {
      const m = state.monitors.find((x) => x.channel === o.channel);
      if (!m || m.preimages[o.hash] !== undefined) return 'claimed';
      // Received by the node: in its holder commitment as not offered by the holder, in the peer's as offered by it.
      const onChain = [m.holderCommitment, ...m.counterpartyCommitments].some((c) => c.htlcs.some((h) => h.id === o.id && h.offeredByHolder === (c !== m.holderCommitment)));
      if (!onChain) return 'claimed'; // in no commitment that can confirm: nothing is left to claim
      return paused ? 'unable' : 'able';
    }
    const htlc = ch.htlcs.find((h) => !h.offered && h.id === o.id);
    // Gone, or its removal already signed for: nothing left to send.
    if (!htlc || (htlc.removal !== undefined && htlc.state !== 'SENT_REMOVE_HTLC')) return 'claimed';
    return state.reestablished[ch.id] && !paused ? 'able' : 'unable';
  };

  return {
    name: NAME,
    kinds: ['crash', 'restart', 'send', 'forward', 'deliver', 'drop', 'force-close', 'block'],
    onRecord(r, world) {
      const node = r.n;
      if ((r.k === 'crash' || r.k === 'restart') && node) {
        removalsSent.delete(node);
        for (const o of obligations) if (o.node === node) o.ableBlocks = 0;
        return undefined;
      }
      if (r.k === 'send' && node) {
        const m = r.d!.message as { type: string; channel: string; id: number; hash?: string };
        const w = wire(node, r.d!.to as string);
        const seq = w.sent++;
        if (m.type === 'update_fulfill_htlc') w.fulfills.push({ seq, channel: m.channel, id: m.id });
        if (m.type === 'update_add_htlc') adds.set(`${m.channel}#${m.id}>${r.d!.to as string}`, { from: node, hash: m.hash! });
        else if (m.type === 'update_fulfill_htlc' || m.type === 'update_fail_htlc') {
          let sent = removalsSent.get(node);
          if (!sent) removalsSent.set(node, (sent = new Set()));
          sent.add(`${m.channel}#${m.id}`);
        }
        return undefined;
      }
      if (r.k === 'forward' && node) {
        let list = forwards.get(node);
        if (!list) forwards.set(node, (list = []));
        list.push({ inbound: r.d!.inbound as string, inId: r.d!.inId as number, outbound: r.d!.outbound as string, outId: r.d!.outId as number });
        return undefined;
      }
      // A message arrives (or is lost) in send order: an update_fulfill_htlc arriving is the forwarder learning the preimage.
      if ((r.k === 'deliver' || (r.k === 'drop' && r.d!.reason !== 'not connected')) && node) {
        const w = wire(r.d!.from as string, node);
        const seq = w.done++;
        const list = w.fulfills;
        if (list.length === 0 || list[0].seq !== seq) return undefined;
        const m = list.shift()!;
        if (r.k !== 'deliver') return undefined;
        for (const f of forwards.get(node) ?? []) {
          if (f.outbound !== m.channel || f.outId !== m.id) continue;
          const add = adds.get(`${f.inbound}#${f.inId}>${node}`);
          if (!add || obligations.some((o) => o.node === node && o.channel === f.inbound && o.id === f.inId && o.hash === add.hash)) continue;
          obligations.push({ node, channel: f.inbound, id: f.inId, peer: add.from, hash: add.hash, downstream: f.outbound, ableBlocks: 0 });
        }
        return undefined;
      }
      if (r.k === 'force-close' && node && r.d!.reason === 'htlc-timeout' && r.d!.htlc !== undefined) {
        for (const o of obligations) {
          if (o.peer !== node || o.channel !== r.d!.channel || o.id !== r.d!.htlc || o.ableBlocks === 0) continue;
          if (status(world, o) !== 'able') continue;
          return `${node} had to force-close ${o.channel} for HTLC ${o.id} at its expiry (height ${world.chain.height}), though ${o.node} knew its preimage from its ${o.downstream} monitor and was able to claim it`;
        }
        return undefined;
      }
      if (r.k === 'block') {
        for (const o of obligations) {
          const s = status(world, o);
          if (s !== 'able') {
            o.ableBlocks = 0;
            continue;
          }
          if (++o.ableBlocks < UPSTREAM_CLAIM_WITHIN_BLOCKS) continue;
          return `${o.node} has known the preimage of ${o.hash.slice(0, 12)}… from its ${o.downstream} monitor, and ${UPSTREAM_CLAIM_WITHIN_BLOCKS} blocks in a row found it able to claim the upstream HTLC ${o.id} on ${o.channel}, but it still has not (height ${world.chain.height})`;
        }
      }
      return undefined;
    },
  };
}

