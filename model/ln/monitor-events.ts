// Monitor events: what a ChannelMonitor learned from the chain that the
// manager must act on (an HTLC we offered settled on-chain or left off the
// confirmed commitment; our own sweep of a payment we received confirmed).
// The monitor derives them from the chain at every block, so a restart derives
// them again from the loaded monitors; the manager processes each once per
// incarnation. An event stays pending until its effect is durable: until then
// only the monitor remembers it, so the monitor must not be archived
// (rust-lightning #3450).
import type { ChainWatch } from './monitor.ts';
import type { CommitHtlc, Commitment, HtlcSource, Monitor, Removal } from './types.ts';
import { packedMap } from './packed.ts';

export type MonitorEvent =
  /** An HTLC we offered is settled: fulfilled with its preimage, or failed (timed out, or absent from the confirmed commitment). */
  | { readonly kind: 'offered-settled'; readonly channel: string; readonly htlc: OfferedHtlc; readonly outcome: Removal }
  /** Our preimage sweep of an HTLC we received as the final hop confirmed: the payment is claimed. */
  | { readonly kind: 'claimed-on-chain'; readonly channel: string; readonly hash: string; readonly payment: { readonly paymentId: string; readonly amount: number } };

export interface OfferedHtlc {
  readonly id: number;
  readonly hash: string;
  readonly amount: number;
  readonly source?: HtlcSource;
  readonly removal?: Removal;
}

/** An event the manager processed, and what makes its effect durable. */
export interface ProcessedMonitorEvent {
  readonly event: MonitorEvent;
  /** The manager write (numbered within this incarnation) that records the processing: once durable, so is the effect. */
  readonly recordedBy: number;
  /** A forward fulfilled downstream: the upstream channel whose monitor durably holding the preimage makes the claim safe on its own. */
  readonly upstream?: string;
}

/** What a node knows to be durable, as the completion rule needs it. */
export interface DurabilityView {
  /** Highest manager write of this incarnation known durable (0: none yet). */
  readonly managerDurableUpTo: number;
  /** The monitor of `channel` durably holds the preimage of `hash` (a restart replays the claim from it), or was archived. */
  upstreamHolds(channel: string, hash: string): boolean;
}

/** Identifies an event within its monitor: the manager processes each at most once per incarnation. */
export function monitorEventKey(e: MonitorEvent): string {
  return e.kind === 'offered-settled' ? `offered/${e.htlc.id}` : `claimed/${e.hash}`;
}

/** Whether the event's effect survives a crash without the monitor that raised it. */
export function effectDurable(p: ProcessedMonitorEvent, view: DurabilityView): boolean {
  if (view.managerDurableUpTo >= p.recordedBy) return true;
  const e = p.event;
  return p.upstream !== undefined && e.kind === 'offered-settled' && e.outcome.kind === 'fulfill' && view.upstreamHolds(p.upstream, e.htlc.hash);
}

/**
 * The events a closed monitor's chain view raises, in the order the manager handles them: our own final-hop claims
 * that confirmed, HTLCs we offered that the chain settled, then those the confirmed commitment does not carry
 * (fulfilled if a preimage is known, failed otherwise). `managerOffered`: HTLCs we offered that the manager lists
 * (a stale manager may lack some the monitor knows, or list some the monitor no longer does).
 */
export function chainEvents(m: Monitor, w: ChainWatch, managerOffered: readonly OfferedHtlc[], knownPreimage: (hash: string) => string | undefined): MonitorEvent[] {
  // Loops over the holder commitment then the counterparty's, no spread list of them and no callbacks: chainEvents
  // runs for every watch of a closed channel that changed, and is compiled once, small.
  const events: MonitorEvent[] = [];
  const resolutions = w.resolutions;
  for (let i = 0; i < resolutions.length; i++) {
    const r = resolutions[i];
    if (r.offeredByUs || r.outcome !== 'preimage') continue;
    const onChain = paidHtlc(m, r.htlcId);
    if (onChain?.payment) events.push({ kind: 'claimed-on-chain', channel: m.channel, hash: r.hash, payment: onChain.payment });
  }
  const offered = new Map<number, OfferedHtlc>();
  addOffered(offered, m, m.holderCommitment);
  const theirs = m.counterpartyCommitments;
  for (let k = 0; k < theirs.length; k++) addOffered(offered, m, theirs[k]);
  for (let i = 0; i < managerOffered.length; i++) offered.set(managerOffered[i].id, managerOffered[i]);
  const settled = new Set<number>();
  for (let i = 0; i < resolutions.length; i++) {
    const r = resolutions[i];
    const htlc = r.offeredByUs ? offered.get(r.htlcId) : undefined;
    if (!htlc) continue;
    settled.add(htlc.id);
    events.push({ kind: 'offered-settled', channel: m.channel, htlc, outcome: r.outcome === 'preimage' ? { kind: 'fulfill', preimage: r.preimage! } : { kind: 'fail', code: 'onchain-timeout' } });
  }
  for (const htlc of offered.values()) {
    if (settled.has(htlc.id) || confirmedOffers(w, htlc.id)) continue;
    events.push({ kind: 'offered-settled', channel: m.channel, htlc, outcome: settledOffChain(htlc, knownPreimage, 'not-on-chain') });
  }
  return events;
}

/** The HTLCs we offered in commitment `c` of `m`, by id (a later commitment's entry replaces an earlier one's). */
function addOffered(offered: Map<number, OfferedHtlc>, m: Monitor, c: Commitment): void {
  const ours = c === m.holderCommitment;
  const htlcs = c.htlcs;
  for (let i = 0; i < htlcs.length; i++) {
    const h = htlcs[i];
    if (h.offeredByHolder === ours) offered.set(h.id, { id: h.id, hash: h.hash, amount: h.amount, source: h.source });
  }
}

/** The confirmed commitment of the watch carries an HTLC we offered with this id. */
function confirmedOffers(w: ChainWatch, id: number): boolean {
  const confirmed = w.confirmedCommitment;
  if (confirmed === undefined) return false;
  const ids = confirmed.htlcIds;
  for (let i = 0; i < ids.length; i++) if (ids[i].offeredByUs && ids[i].id === id) return true;
  return false;
}

/** The first HTLC with this id that pays us as the final hop, across the holder commitment then the counterparty's. */
function paidHtlc(m: Monitor, id: number): CommitHtlc | undefined {
  const found = paidIn(m.holderCommitment, id);
  if (found !== undefined) return found;
  const theirs = m.counterpartyCommitments;
  for (let k = 0; k < theirs.length; k++) {
    const h = paidIn(theirs[k], id);
    if (h !== undefined) return h;
  }
  return undefined;
}

function paidIn(c: Commitment, id: number): CommitHtlc | undefined {
  const htlcs = c.htlcs;
  for (let i = 0; i < htlcs.length; i++) if (htlcs[i].id === id && htlcs[i].payment !== undefined) return htlcs[i];
  return undefined;
}

/** A cooperative close carries no HTLC: whatever a stale manager still lists settled before it. */
export function cooperativeEvents(channel: string, managerOffered: readonly OfferedHtlc[], knownPreimage: (hash: string) => string | undefined): MonitorEvent[] {
  return packedMap(managerOffered, (htlc): MonitorEvent => ({ kind: 'offered-settled', channel, htlc, outcome: settledOffChain(htlc, knownPreimage, 'closed-cooperatively') }));
}

function settledOffChain(htlc: OfferedHtlc, knownPreimage: (hash: string) => string | undefined, failCode: string): Removal {
  const preimage = htlc.removal?.kind === 'fulfill' ? htlc.removal.preimage : knownPreimage(htlc.hash);
  return preimage !== undefined ? { kind: 'fulfill', preimage } : { kind: 'fail', code: failCode };
}
