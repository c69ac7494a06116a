// Carries out a session's actions on the LSP: failing held HTLCs, forwarding
// parts into the JIT channel (with the fee taken as the state machine decided),
// opening, broadcasting or abandoning the withheld channel.
import type { NodeEnv } from '../../../sim/node.ts';
import { TEMPORARY_CHANNEL_FAILURE } from '../failure-codes.ts';
import { offer, pendingOut, type NewHtlc } from '../link.ts';
import { htlcKey, type SessionAction } from '../session/types.ts';
import { readActive, writeActive } from './datastore.ts';
import { abortNegotiation, persistChan, releaseChannel, startFunding } from './funding.ts';
import { failIncoming, incomingHtlc, takeReply } from './held.ts';
import type { LspState, SessionSlot } from './state.ts';
import { fundingTx } from './wallet.ts';

export function execute(state: LspState, env: NodeEnv, slot: SessionSlot, action: SessionAction): void {
  switch (action.kind) {
    case 'FailHtlcs':
      for (const h of action.htlcs) {
        const ref = takeReply(state, h);
        if (!ref) {
          env.trace('lsp-part-unreachable', { hash: slot.hash, htlc: htlcKey(h), action: 'fail' });
          continue;
        }
        failIncoming(state, env, ref, action.code, action.cause);
      }
      return;
    case 'ForwardHtlcs':
      return forward(state, env, slot, action);
    case 'FundChannel':
      return startFunding(state, env, slot);
    case 'BroadcastFunding':
      return broadcast(state, env, slot, action.channel);
    case 'AbandonSession':
      return releaseChannel(state, env, action.channel, 'abandoned');
    case 'FailSession':
      return failSession(state, env, slot);
    case 'Disconnect':
      if (slot.channel !== undefined) abortNegotiation(state, env, slot.channel);
      return;
  }
}

function forward(state: LspState, env: NodeEnv, slot: SessionSlot, action: Extract<SessionAction, { kind: 'ForwardHtlcs' }>): void {
  const ep = state.links.get(action.channel);
  const chan = state.channels.get(action.channel);
  const room = ep && chan && !ep.closed ? chan.maxAcceptedHtlcs - pendingOut(ep).length : 0;
  const offers: NewHtlc[] = [];
  const traced: Record<string, unknown>[] = [];
  for (const part of action.parts) {
    const ref = takeReply(state, part.htlc);
    const found = ref && incomingHtlc(state, ref);
    if (!ref || !found || found.htlc.resolution !== undefined) {
      env.trace('lsp-part-unreachable', { hash: slot.hash, htlc: htlcKey(part.htlc), action: 'forward' });
      continue;
    }
    const add = found.htlc.add;
    const traceLine = { in: htlcKey(ref), nextScid: add.onion.nextScid ?? '', partId: add.onion.partId, amountMsat: add.amountMsat, feeMsat: part.feeMsat, forwardMsat: part.forwardMsat };
    if (offers.length >= room) {
      // The client's channel takes no more HTLCs: this forward fails here.
      traced.push({ ...traceLine, failedLocally: true });
      failIncoming(state, env, ref, TEMPORARY_CHANNEL_FAILURE, 'forward-failed');
      state.inbox.push({ slot, input: { kind: 'PaymentFailed', htlc: part.htlc } });
      continue;
    }
    offers.push({
      hash: add.hash,
      amountMsat: part.forwardMsat,
      cltvExpiry: add.cltvExpiry - state.opts.offer.cltvExpiryDelta,
      onion: { amountToForwardMsat: add.onion.amountToForwardMsat, partId: add.onion.partId },
      // Undefined when there is no fee: offer reads it as absent (one shape for every new HTLC).
      extraFeeMsat: part.feeMsat > 0 ? part.feeMsat : undefined,
      meta: { inScid: ref.scid, inId: ref.id, partScid: part.htlc.scid, partId: part.htlc.id, hash: add.hash },
    });
    traced.push(traceLine);
  }
  if (traced.length > 0) env.trace('lsp-forward', { channel: action.channel, purchase: chan?.purchase ?? '', hash: slot.hash, parts: traced });
  if (offers.length > 0 && ep) offer(env, state.cb, ep, offers);
}

function broadcast(state: LspState, env: NodeEnv, slot: SessionSlot, channel: string): void {
  const chan = state.channels.get(channel);
  if (!chan) {
    env.trace('lsp-broadcast-missing', { channel });
    return;
  }
  const tx = fundingTx(chan, state.opts.walletScript);
  const result = env.broadcast(tx);
  env.trace('funding-broadcast', { channel, purchase: chan.purchase, txid: tx.txid, result, previous: chan.state });
  if (chan.state !== 'broadcast') {
    chan.state = 'broadcast';
    persistChan(state, env, chan);
  }
  const entry = readActive(env, slot.scid);
  if (entry && entry.broadcastTxid === undefined) writeActive(state, env, { ...entry, broadcastTxid: tx.txid });
  state.inbox.push({ slot, input: { kind: 'FundingBroadcast' } });
}

/** A session that ends without a channel gives back whatever funding it started. */
function failSession(state: LspState, env: NodeEnv, slot: SessionSlot): void {
  if (slot.channel === undefined) return;
  abortNegotiation(state, env, slot.channel);
  releaseChannel(state, env, slot.channel, 'session failed');
  const entry = readActive(env, slot.scid);
  if (entry?.channel === slot.channel) {
    const { channel: _c, funding: _f, ...rest } = entry;
    writeActive(state, env, rest);
  }
}
