// Recovery at LSP startup, before any held HTLC is replayed (DESIGN 3.5).
// Entry by entry over the active datastore (a bad entry is logged and
// skipped): no channel ⇒ expire or keep; channel gone ⇒ Abandoned; no
// forwards ⇒ close and release, clear the channel from the entry; all
// forwards failed ⇒ Abandoned; forwards offered ⇒ AwaitingSettlement;
// settled ⇒ Broadcasting, broadcast now. Then the scan for withheld channels
// no entry knows (funded just before a crash): they are released, so a
// replayed HTLC can fund the purchase again without a second live funding.
import type { NodeEnv } from '../../../sim/node.ts';
import { BUG } from '../bugs.ts';
import { openingFeeFor } from '../protocol/fee-params.ts';
import { pendingOut } from '../link.ts';
import { htlcKey, type ForwardPart } from '../session/types.ts';
import { ACTIVE_PREFIX, decodeEntry, FINAL_PREFIX, finalize, writeActive, type DatastoreEntry } from './datastore.ts';
import { execute } from './executor.ts';
import { releaseChannel } from './funding.ts';
import { forwardLinks, incomingHtlc } from './held.ts';
import { drain, newSlot, onPart } from './sessions.ts';
import type { LspState, Purchase } from './state.ts';

export function recover(state: LspState, env: NodeEnv): void {
  recoverEntries(state, env);
  if (!state.opts.bugs.has(BUG.orphanWithheld)) releaseOrphans(state, env);
}

function recoverEntries(state: LspState, env: NodeEnv): void {
  for (const key of env.disk.keys(ACTIVE_PREFIX)) {
    const entry = decodeEntry(env.disk.read(key)!);
    const purchase = entry && state.purchases.get(entry.scid);
    if (!entry || !purchase) {
      env.trace('recovery-bad-entry', { key });
      // cln-recovery-abort: the first bad entry ends recovery: the sessions of later entries are never rebuilt.
      if (state.opts.bugs.has(BUG.recoveryAbort)) return;
      continue;
    }
    recoverEntry(state, env, purchase, entry);
  }
}

/** Withheld (or half-opened) channels no active entry and no succeeded purchase knows: funded just before a crash. */
function releaseOrphans(state: LspState, env: NodeEnv): void {
  const referenced = new Set<string>();
  for (const key of env.disk.keys(ACTIVE_PREFIX)) {
    const channel = decodeEntry(env.disk.read(key)!)?.channel;
    if (channel !== undefined) referenced.add(channel);
  }
  // A channel of a succeeded purchase is accounted for (its funding is on chain); one of an abandoned
  // or expired purchase is not, and if it is still withheld its release was lost in a crash.
  for (const key of env.disk.keys(FINAL_PREFIX)) {
    const { entry, outcome } = JSON.parse(env.disk.read(key)!) as { entry: DatastoreEntry; outcome: string };
    if (entry.channel !== undefined && outcome === 'succeeded') referenced.add(entry.channel);
  }
  for (const chan of [...state.channels.values()]) {
    if ((chan.state !== 'opening' && chan.state !== 'withheld') || referenced.has(chan.id)) continue;
    const ep = state.links.get(chan.id);
    // Forwards still pending (their answers were lost in the crash): the client answers them again on
    // reconnect; the channel is released once they are all resolved, never with HTLCs stranded in it.
    if (ep && pendingOut(ep).length > 0) state.closeWhenClear.add(chan.id);
    else releaseChannel(state, env, chan.id, 'orphan found at recovery');
  }
}

function recoverEntry(state: LspState, env: NodeEnv, purchase: Purchase, entry: DatastoreEntry): void {
  const said = (what: string) => env.trace('recovery-entry', { scid: entry.scid, hash: entry.hash, channel: entry.channel ?? '', outcome: what });
  if (entry.channel === undefined) {
    if (env.now >= purchase.params.valid_until) {
      said('expired');
      return finalize(state, env, entry, 'expired');
    }
    return said('kept (no channel yet)');
  }
  const chan = state.channels.get(entry.channel);
  if (!chan || chan.state === 'closed') {
    said('abandoned (channel gone)');
    return finalize(state, env, entry, 'abandoned');
  }
  const forwards = [...(state.links.get(chan.id)?.out.values() ?? [])];
  if (forwards.length === 0) {
    said('released (no forwards)');
    releaseChannel(state, env, chan.id, 'no forwards at recovery');
    const { channel: _c, funding: _f, preimage: _p, broadcastTxid: _b, ...rest } = entry;
    return writeActive(state, env, rest);
  }
  const funding = chan.fundingTxid;
  const settled = entry.preimage !== undefined || chan.state === 'broadcast' || forwards.some((f) => f.resolution?.kind === 'fulfill');
  if (settled) {
    said('broadcasting');
    const slot = newSlot(state, env, purchase, entry.hash, { kind: 'Broadcasting', channel: chan.id, funding }, true);
    slot.channel = chan.id;
    state.sessions.set(entry.hash, slot);
    execute(state, env, slot, { kind: 'BroadcastFunding', channel: chan.id, funding });
    return drain(state, env);
  }
  const open = forwards.filter((f) => f.resolution === undefined);
  if (open.length === 0) {
    said('abandoned (all forwards failed)');
    releaseChannel(state, env, chan.id, 'all forwards failed');
    return finalize(state, env, entry, 'abandoned');
  }
  const forwarded: ForwardPart[] = open.map((f) => {
    const links = forwardLinks(f)!;
    const incoming = incomingHtlc(state, links.incoming);
    const fee = f.add.extraFeeMsat ?? 0;
    return { htlc: links.part, amountMsat: incoming?.htlc.add.amountMsat ?? f.add.amountMsat + fee, feeMsat: fee, forwardMsat: f.add.amountMsat };
  });
  said('awaiting settlement');
  const fee = openingFeeFor(purchase.params, BigInt(purchase.paymentSizeMsat ?? forwarded[0].amountMsat));
  const slot = newSlot(state, env, purchase, entry.hash, { kind: 'AwaitingSettlement', forwarded, feeMsat: Number(fee ?? 0n), channel: chan.id, funding }, true);
  slot.channel = chan.id;
  state.sessions.set(entry.hash, slot);
}

/** Incoming HTLCs already forwarded into a JIT channel (they are the channel's business, not a hook's). */
export function forwardedIncoming(state: LspState): Set<string> {
  const keys = new Set<string>();
  for (const chan of state.channels.values()) {
    for (const out of state.links.get(chan.id)?.out.values() ?? []) {
      const links = forwardLinks(out);
      if (links) keys.add(htlcKey(links.incoming));
    }
  }
  return keys;
}

/** Hand every held, unanswered incoming HTLC to the manager again (htlc_accepted replay). */
export function replayHeld(state: LspState, env: NodeEnv): void {
  const forwarded = forwardedIncoming(state);
  for (const { scid } of state.opts.incoming) {
    const ep = state.links.get(scid);
    if (!ep) continue;
    for (const htlc of [...ep.in.values()]) {
      if (htlc.resolution !== undefined || forwarded.has(htlcKey({ scid, id: htlc.add.id }))) continue;
      onPart(state, env, ep, htlc);
    }
  }
}
