// A small HTLC link protocol, standing in for BOLT 2 channels until this slice
// is wired to model/ln (keep it behind this file so the swap is local).
//
// Per channel, each side is an endpoint. The offerer numbers its HTLCs per
// channel (ids 0, 1, 2 ...) and sends `htlc_add`; the receiver answers each
// once with `htlc_fulfill` (preimage) or `htlc_fail` (code). The rules that
// keep restarts faithful:
// - every change to a channel's HTLC set is one record per direction
//   (`link/<scid>/out`, `link/<scid>/in`), rewritten whole, like a commitment:
//   a batch of adds commits atomically;
// - a message goes out only once the record that backs it is durable;
// - the receiver acts on an add only once its record of it is durable;
// - on reconnect the offerer re-sends every unresolved add, and the receiver
//   answers a duplicate add with its (durable) resolution. Nothing else is
//   retransmitted, so the offerer's unresolved set drives convergence.
// A closed endpoint (a JIT channel released before broadcast) takes no new
// HTLCs and sends nothing new; it still answers a re-sent add it had already
// resolved (a resolution is a fact the offerer may need), and tells the host
// about anything else so it can say the channel is gone. HTLCs left pending in
// it could only be resolved on chain, which never happens for a funding that
// was never broadcast.
import type { Message, NodeEnv } from '../../sim/node.ts';
import { adopt } from '../../sim/values.ts';
import { persist, type DurableCallbacks } from './nodes/durable.ts';

/** What the payer's onion tells the LSP hop (the client's layer is folded in). */
export interface Onion {
  /** Next hop: a JIT scid at the LSP; absent at the final hop. */
  readonly nextScid?: string;
  /** What this hop must deliver onward (the client's share of the payment). */
  readonly amountToForwardMsat: number;
  /** The payer's part id: ground truth for invariants, never used by the model to route. */
  readonly partId: string;
}

export interface HtlcAdd {
  readonly id: number;
  readonly hash: string;
  readonly amountMsat: number;
  readonly cltvExpiry: number;
  readonly onion: Onion;
  /** extra_fee TLV (type 65537): msat deducted from this part by the LSP. */
  readonly extraFeeMsat?: number;
}

export type Resolution =
  | { readonly kind: 'fulfill'; readonly preimage: string }
  | { readonly kind: 'fail'; readonly code: number }
  /** The offerer went on chain at the HTLC's deadline (an upstream force-close). */
  | { readonly kind: 'timeout' };

export interface OutHtlc {
  readonly add: HtlcAdd;
  resolution?: Resolution;
  /** The add's record is durable (it may be sent). */
  committed: boolean;
  /** Offerer-local bookkeeping (the LSP's forward linkage), never sent. */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Its entry in the last record written (outEntry, inEntry); undefined until then. */
  saved: OutEntry | undefined;
}

export interface InHtlc {
  readonly add: HtlcAdd;
  resolution?: Resolution;
  /** The resolution's record is durable (it may be sent). */
  resolutionCommitted: boolean;
  /** Its entry in the last record written (outEntry, inEntry); undefined until then. */
  saved: InEntry | undefined;
}

export interface Endpoint {
  readonly scid: string;
  readonly peer: string;
  nextId: number;
  closed: boolean;
  readonly out: Map<number, OutHtlc>;
  readonly in: Map<number, InHtlc>;
}

/** What a node does when the link hands it something. */
export interface LinkHost {
  /** An incoming add's record is durable: decide what to do with it. */
  onIncoming(endpoint: Endpoint, htlc: InHtlc): void;
  /** The peer resolved one of our HTLCs (already recorded in memory, being persisted). */
  onResolved(endpoint: Endpoint, htlc: OutHtlc): void;
  /** The peer talks on a channel we closed (and it has not resolved there): tell it the channel is gone. */
  onClosedChannel?(endpoint: Endpoint): void;
}

export function isLinkMessage(message: Message): boolean {
  return message.type === 'htlc_add' || message.type === 'htlc_fulfill' || message.type === 'htlc_fail';
}

export function newEndpoint(scid: string, peer: string): Endpoint {
  return { scid, peer, nextId: 0, closed: false, out: new Map(), in: new Map() };
}

// ---- disk ------------------------------------------------------------------------

const outKey = (scid: string) => `link/${scid}/out`;
const inKey = (scid: string) => `link/${scid}/in`;

interface OutEntry {
  readonly add: HtlcAdd;
  readonly resolution?: Resolution;
  readonly meta?: Readonly<Record<string, unknown>>;
}

interface InEntry {
  readonly add: HtlcAdd;
  readonly resolution?: Resolution;
}

interface OutRecord {
  nextId: number;
  closed: boolean;
  htlcs: OutEntry[];
}

interface InRecord {
  htlcs: InEntry[];
}

/**
 * An HTLC's entry in its direction's record, made (and frozen: adopt) once per resolution: a record is rewritten whole
 * at every change of the set, and the disk's copy shares frozen entries instead of walking each HTLC again. The add,
 * its onion and meta, and the resolution are never changed once set (adopt freezes them where they are).
 */
function outEntry(h: OutHtlc): OutEntry {
  let e = h.saved;
  if (e === undefined || e.resolution !== h.resolution) h.saved = e = adopt({ add: h.add, resolution: h.resolution, meta: h.meta });
  return e;
}

function inEntry(h: InHtlc): InEntry {
  let e = h.saved;
  if (e === undefined || e.resolution !== h.resolution) h.saved = e = adopt({ add: h.add, resolution: h.resolution });
  return e;
}

function saveOut(env: NodeEnv, cb: DurableCallbacks, ep: Endpoint, after?: () => void): void {
  const htlcs: OutEntry[] = [];
  for (const h of ep.out.values()) htlcs.push(outEntry(h));
  const record: OutRecord = { nextId: ep.nextId, closed: ep.closed, htlcs };
  persist(env, cb, outKey(ep.scid), record, after);
}

function saveIn(env: NodeEnv, cb: DurableCallbacks, ep: Endpoint, after?: () => void): void {
  const htlcs: InEntry[] = [];
  for (const h of ep.in.values()) htlcs.push(inEntry(h));
  const record: InRecord = { htlcs };
  persist(env, cb, inKey(ep.scid), record, after);
}

/**
 * Rebuild an endpoint from disk (what survived the crash is durable, hence committed). The records are values (the
 * disk's frozen copies): the endpoint shares their adds, resolutions and metas, which are never changed.
 */
export function loadEndpoint(env: NodeEnv, scid: string, peer: string): Endpoint {
  const ep = newEndpoint(scid, peer);
  const record = env.disk.readValue(outKey(scid)) as OutRecord | undefined;
  if (record !== undefined) {
    ep.nextId = record.nextId;
    ep.closed = record.closed;
    // The record's entries are frozen already: each is the HTLC's saved entry as it is.
    for (const h of record.htlcs) ep.out.set(h.add.id, { add: h.add, resolution: h.resolution, committed: true, meta: h.meta, saved: h });
  }
  const inbound = env.disk.readValue(inKey(scid)) as InRecord | undefined;
  if (inbound !== undefined) {
    for (const h of inbound.htlcs) ep.in.set(h.add.id, { add: h.add, resolution: h.resolution, resolutionCommitted: h.resolution !== undefined, saved: h });
  }
  return ep;
}

// ---- offerer ------------------------------------------------------------------------

export interface NewHtlc {
  readonly hash: string;
  readonly amountMsat: number;
  readonly cltvExpiry: number;
  readonly onion: Onion;
  readonly extraFeeMsat?: number;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** Offer a batch of HTLCs in one commitment; returns them with their ids. */
export function offer(env: NodeEnv, cb: DurableCallbacks, ep: Endpoint, htlcs: readonly NewHtlc[]): OutHtlc[] {
  // A loop, not map: optimised code's map makes a "holey" array, another hidden class for the callers' loops.
  const offered: OutHtlc[] = [];
  for (const h of htlcs) {
    const id = ep.nextId++;
    // Two literals, not a spread of the optional member: the same members in the same order, without the spread's copy.
    const add: HtlcAdd =
      h.extraFeeMsat !== undefined
        ? { id, hash: h.hash, amountMsat: h.amountMsat, cltvExpiry: h.cltvExpiry, onion: h.onion, extraFeeMsat: h.extraFeeMsat }
        : { id, hash: h.hash, amountMsat: h.amountMsat, cltvExpiry: h.cltvExpiry, onion: h.onion };
    const out: OutHtlc = { add, committed: false, meta: h.meta, saved: undefined };
    ep.out.set(add.id, out);
    offered.push(out);
  }
  saveOut(env, cb, ep, () => {
    for (const h of offered) {
      h.committed = true;
      if (!ep.closed && h.resolution === undefined) sendAdd(env, ep, h.add);
    }
  });
  return offered;
}

function sendAdd(env: NodeEnv, ep: Endpoint, add: HtlcAdd): void {
  env.send(ep.peer, { type: 'htlc_add', scid: ep.scid, ...add });
}

/** The offerer's own resolution (on-chain timeout): recorded like a peer's answer. */
export function resolveOutLocally(env: NodeEnv, cb: DurableCallbacks, ep: Endpoint, htlc: OutHtlc, resolution: Resolution): void {
  htlc.resolution = resolution;
  saveOut(env, cb, ep);
}

/** Close the endpoint: nothing more is sent or accepted on it. */
export function closeEndpoint(env: NodeEnv, cb: DurableCallbacks, ep: Endpoint, after?: () => void): void {
  ep.closed = true;
  saveOut(env, cb, ep, after);
}

// ---- receiver ----------------------------------------------------------------------

/** Resolve an incoming HTLC once; false if it was already resolved. */
export function resolveIncoming(env: NodeEnv, cb: DurableCallbacks, ep: Endpoint, htlc: InHtlc, resolution: Resolution): boolean {
  if (htlc.resolution !== undefined) return false;
  htlc.resolution = resolution;
  saveIn(env, cb, ep, () => {
    htlc.resolutionCommitted = true;
    sendResolution(env, ep, htlc);
  });
  return true;
}

function sendResolution(env: NodeEnv, ep: Endpoint, htlc: InHtlc): void {
  // Sent on a closed endpoint too: a resolution is a fact the offerer may still need.
  const r = htlc.resolution;
  if (r?.kind === 'fulfill') env.send(ep.peer, { type: 'htlc_fulfill', scid: ep.scid, id: htlc.add.id, preimage: r.preimage });
  else if (r?.kind === 'fail') env.send(ep.peer, { type: 'htlc_fail', scid: ep.scid, id: htlc.add.id, code: r.code });
}

// ---- messages and reconnection ---------------------------------------------------

/** Handle a link message for `ep`. */
export function onLinkMessage(env: NodeEnv, cb: DurableCallbacks, ep: Endpoint, message: Message, host: LinkHost): void {
  if (ep.closed) {
    // What was answered stays answered; anything else meets a closed channel.
    const known = message.type === 'htlc_add' ? ep.in.get(message.id as number) : undefined;
    if (known?.resolutionCommitted) sendResolution(env, ep, known);
    else host.onClosedChannel?.(ep);
    return;
  }
  if (message.type === 'htlc_add') {
    const { type: _type, scid: _scid, ...fields } = message as unknown as HtlcAdd & { type: string; scid: string };
    const add = fields as HtlcAdd;
    const known = ep.in.get(add.id);
    if (known) {
      if (known.resolutionCommitted) sendResolution(env, ep, known);
      return;
    }
    const htlc: InHtlc = { add, resolutionCommitted: false, saved: undefined };
    ep.in.set(add.id, htlc);
    saveIn(env, cb, ep, () => {
      if (htlc.resolution === undefined) host.onIncoming(ep, htlc);
    });
    return;
  }
  const htlc = ep.out.get(message.id as number);
  if (!htlc || htlc.resolution !== undefined) return;
  htlc.resolution = message.type === 'htlc_fulfill' ? { kind: 'fulfill', preimage: message.preimage as string } : { kind: 'fail', code: message.code as number };
  saveOut(env, cb, ep);
  host.onResolved(ep, htlc);
}

/** Connection to `ep.peer` is up: re-send every committed, unresolved add. */
export function onLinkConnect(env: NodeEnv, ep: Endpoint): void {
  if (ep.closed) return;
  for (const h of ep.out.values()) if (h.committed && h.resolution === undefined) sendAdd(env, ep, h.add);
}

export function pendingOut(ep: Endpoint): OutHtlc[] {
  return [...ep.out.values()].filter((h) => h.resolution === undefined);
}
