// no-lost-htlc on real LDK, judged from what LDK shows: a node that stays up
// must settle or fail back every HTLC it was offered long before it expires.
// If instead the offering peer has to force-close the channel because the HTLC
// timed out, the receiving node lost track of it (rust-lightning #3989:
// forwards held in a blocked monitor update, forgotten at force-close).
// Excused: a channel one of whose ends crashed in the run, or stalled a monitor
// write of that very channel (a persister that does not answer freezes the
// channel until the calm phase): it may legitimately have been unable to settle
// before the expiry.
//
// LDK 0.1 reports two different closes as ClosureReason::HTLCsTimedOut (its
// ChannelMonitor's holder-commitment broadcast rule): the offerer's, once an
// HTLC it offered is still in a commitment LATENCY_GRACE_PERIOD_BLOCKS past its
// expiry, and the receiver's, once an HTLC it was offered and knows the
// preimage of is still in a commitment within CLTV_CLAIM_BUFFER blocks of its
// expiry (it goes on-chain to claim in time; nothing is lost). So the checker
// tells them apart from the wire: every update_add_htlc (direction, id,
// cltv_expiry, hash), every preimage a node learned or revealed, and each
// HTLC's removal followed through the commitment dance that takes it out of
// every commitment the closing node's monitor watches. A close is the
// offerer's when an HTLC the closer offered is still committed and expired by
// the grace at the close height; the receiver's when no such HTLC exists and a
// committed inbound HTLC with a known preimage is within the claim buffer.
// A close neither explains is a violation too (the checker cannot account for it).
// One such close is LDK's own: a forward whose commitment is in a monitor update
// that stays InProgress never reaches the wire, yet the offerer's monitor times
// it out (ldk-forward-close-held seeds 30 and 39); it is excused only because
// that update was stalled.
import { createHash } from 'node:crypto';
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';

/** LDK 0.1's channelmonitor.rs constants of the rule above (blocks). */
const LATENCY_GRACE_PERIOD_BLOCKS = 3;
const CLTV_CLAIM_BUFFER = 18;
/** LDK heights are the kernel's plus the setup chain's length (model/ldk/chain.ts HEIGHT_OFFSET; data, restated). */
const LDK_HEIGHT_OFFSET = 10;

const REMOVALS = new Set(['update_fulfill_htlc', 'update_fail_htlc', 'update_fail_malformed_htlc']);
/** After an HTLC's removal, the steps that take it out of the holder commitment and every unrevoked counterparty commitment. */
const GONE_AT_OFFERER = ['recv commitment_signed', 'send commitment_signed', 'recv revoke_and_ack'] as const;
const GONE_AT_RECEIVER = ['send commitment_signed', 'recv revoke_and_ack', 'recv commitment_signed'] as const;

interface Htlc {
  readonly offerer: string;
  readonly receiver: string;
  readonly id: bigint;
  readonly expiry: number;
  readonly hash: string;
  /** Per end: in a commitment (a commitment_signed followed the add at that end). */
  committed: Record<string, boolean>;
  /** Per end: steps of GONE_AT_* done since the removal (undefined: not removed yet). */
  removal: Record<string, number | undefined>;
}

/** A wire message as the transport carries it (model/ldk/wire.ts). */
interface Wire { type: string; channel?: string; bytes: string }

const u64 = (hex: string, at: number): bigint => BigInt(`0x${hex.slice(at * 2, at * 2 + 16)}`);
const htlcId = (m: Wire): bigint => u64(m.bytes, 32);
const sha256 = (hex: string): string => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

export function ldkNoLostHtlc(
  channelPeers: Readonly<Record<string, readonly [string, string]>>,
  channelIds: Readonly<Record<string, string>>,
): Checker {
  const crashed = new Set<string>();
  /** `node/channel` pairs with a stalled monitor write. */
  const stalled = new Set<string>();
  let height = 0;
  /** channel name → its HTLCs by `offerer/id`. */
  const htlcs = new Map<string, Map<string, Htlc>>();
  /** node → payment hashes whose preimage it knows. */
  const preimages = new Map<string, Set<string>>();
  /** `from>to` → wire messages sent and not yet delivered or dropped, in order. */
  const inFlight = new Map<string, Wire[]>();
  /**
   * `node/channel` → the judgement of a close, made when the node first sent an error on the channel (a force-close
   * sends one at once; what LDK hears after it no longer moves the channel's commitments).
   */
  const closed = new Map<string, string | null>();

  const knows = (node: string, hash: string) => (preimages.get(node) ?? preimages.set(node, new Set()).get(node)!).add(hash);
  const of = (channel: string) => htlcs.get(channel) ?? htlcs.set(channel, new Map()).get(channel)!;

  /** A message of `channel` sent (`send`) or handled (`recv`) by `node`. */
  function onWire(node: string, dir: 'send' | 'recv', m: Wire): void {
    const channel = m.channel !== undefined ? channelIds[m.channel] : undefined;
    if (!channel) return;
    const step = `${dir} ${m.type}`;
    if (m.type === 'update_add_htlc') {
      const offerer = dir === 'send' ? node : channelPeers[channel].find((p) => p !== node)!;
      const id = htlcId(m);
      const key = `${offerer}/${id}`;
      const known = of(channel).get(key);
      // A retransmission keeps the HTLC; an id LDK reused after dropping an uncommitted add replaces it.
      if (!known || !Object.values(known.committed).some(Boolean)) {
        const [a, b] = channelPeers[channel];
        of(channel).set(key, { offerer, receiver: offerer === a ? b : a, id, expiry: parseInt(m.bytes.slice(160, 168), 16), hash: m.bytes.slice(96, 160), committed: {}, removal: {} });
      }
      return;
    }
    if (m.type === 'update_fulfill_htlc') knows(node, sha256(m.bytes.slice(80, 144)));
    if (REMOVALS.has(m.type)) {
      const remover = dir === 'send' ? node : channelPeers[channel].find((p) => p !== node)!;
      const offerer = channelPeers[channel].find((p) => p !== remover)!;
      const h = of(channel).get(`${offerer}/${htlcId(m)}`);
      if (h && h.removal[node] === undefined) h.removal[node] = 0;
      return;
    }
    for (const h of of(channel).values()) {
      if (step === (node === h.offerer ? 'send commitment_signed' : 'recv commitment_signed')) h.committed[node] = true;
      const done = h.removal[node];
      const steps = node === h.offerer ? GONE_AT_OFFERER : GONE_AT_RECEIVER;
      if (done !== undefined && done < steps.length && steps[done] === step) h.removal[node] = done + 1;
    }
  }

  /**
   * Why `node` force-closed `channel` at LDK height `at` for an HTLC timeout: a violation message, or `null` when it
   * was the receiver going on-chain to claim in time (nothing lost).
   */
  function judge(node: string, channel: string, at: number): string | null {
    const other = channelPeers[channel].find((p) => p !== node)!;
    const mine = [...of(channel).values()].filter((h) => live(h, node));
    const timedOut = mine.find((h) => h.offerer === node && h.expiry + LATENCY_GRACE_PERIOD_BLOCKS <= at);
    // (The message predates the direction check; kept word for word so recorded fingerprints stay valid.)
    if (timedOut) return `${node} force-closed ${channel} because HTLCs it offered timed out, though neither end crashed or stalled that channel's monitor: ${other} lost track of an HTLC it was offered`;
    if (mine.some((h) => h.receiver === node && preimages.get(node)?.has(h.hash) && h.expiry <= at + CLTV_CLAIM_BUFFER)) return null;
    return `${node} force-closed ${channel} for an HTLC timeout at LDK height ${at} that no HTLC on the wire explains: none it offered is ${LATENCY_GRACE_PERIOD_BLOCKS} blocks past its expiry, none it can claim is within ${CLTV_CLAIM_BUFFER} blocks of it`;
  }

  /** In a commitment the node's monitor still watches. */
  const live = (h: Htlc, node: string) => h.committed[node] === true && (h.removal[node] ?? 0) < (node === h.offerer ? GONE_AT_OFFERER : GONE_AT_RECEIVER).length;

  return {
    name: 'no-lost-htlc',
    onRecord(r: TraceRecord) {
      const d = r.d ?? {};
      if (r.k === 'crash') crashed.add(r.n!);
      if (r.k === 'block' && typeof d.height === 'number') height = d.height;
      if (r.k === 'write' && d.status === 'stalled' && typeof d.key === 'string' && d.key.startsWith('monitor/')) stalled.add(`${r.n}/${d.key.split('/')[1]}`);
      if (r.k === 'claim' && typeof d.hash === 'string') knows(r.n!, d.hash);
      if (r.k === 'send' && d.message && typeof (d.message as Wire).bytes === 'string') {
        const m = d.message as Wire;
        (inFlight.get(`${r.n}>${d.to}`) ?? inFlight.set(`${r.n}>${d.to}`, []).get(`${r.n}>${d.to}`)!).push(m);
        onWire(r.n!, 'send', m);
        const channel = m.channel !== undefined ? channelIds[m.channel] : undefined;
        if (m.type === 'error' && channel && !closed.has(`${r.n}/${channel}`)) closed.set(`${r.n}/${channel}`, judge(r.n!, channel, height + LDK_HEIGHT_OFFSET));
      }
      if (r.k === 'deliver' || r.k === 'drop') {
        // Links are FIFO: the delivered (or dropped) message is the oldest in flight of its type.
        const queue = inFlight.get(`${d.from}>${r.n}`);
        const at = queue?.findIndex((m) => m.type === d.type) ?? -1;
        if (queue && at >= 0) {
          const [m] = queue.splice(0, at + 1).slice(-1);
          if (r.k === 'deliver') onWire(r.n!, 'recv', m);
        }
      }
      if (r.k !== 'ldk-event' || d.event !== 'ChannelClosed' || d.reason !== 'HTLCsTimedOut') return undefined;
      const channel = d.channel as string;
      const node = r.n!;
      const peers = channelPeers[channel];
      const other = peers && (peers[0] === node ? peers[1] : peers[0]);
      if (!other || crashed.has(other) || crashed.has(node) || stalled.has(`${other}/${channel}`) || stalled.has(`${node}/${channel}`)) return undefined;
      const key = `${node}/${channel}`;
      return (closed.has(key) ? closed.get(key) : judge(node, channel, height + LDK_HEIGHT_OFFSET)) ?? undefined;
    },
  };
}
