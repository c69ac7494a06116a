// Opening the withheld JIT channel with the client: a few funding messages
// (open_channel → accept_channel → funding_created → funding_signed) and a
// funding transaction built from one wallet coin, reserved by the channel
// record and broadcast only after the client has settled.
// The window this file is about: the channel record is written (coins
// reserved, client signed) before the datastore learns of the channel. A
// crash in between leaves an orphan that recovery must find.
import type { NodeEnv } from '../../../sim/node.ts';
import { TEMPORARY_CHANNEL_FAILURE } from '../failure-codes.ts';
import { closeEndpoint, newEndpoint, pendingOut, resolveOutLocally } from '../link.ts';
import { forwardLinks } from './forwarding.ts';
import { persist } from '../nodes/durable.ts';
import { readActive, writeActive } from './datastore.ts';
import { failIncoming, feed, sessionOfChannel } from './sessions.ts';
import { freshId, type ChanRecord, type LspState, type Negotiation, type SessionSlot } from './state.ts';
import { selectCoin, walletCoins } from './wallet.ts';

export function persistChan(state: LspState, env: NodeEnv, chan: ChanRecord, after?: () => void): void {
  persist(env, state.cb, `chan/${chan.id}`, JSON.stringify(chan), after);
}

function capacitySat(state: LspState, slot: SessionSlot): number {
  const s = slot.state;
  const sizeMsat = slot.config.paymentSizeMsat ?? (s.kind === 'AwaitingChannelReady' ? s.parts[0].amountMsat : 0);
  return Math.ceil((sizeMsat * state.opts.capacityFactor) / 1000);
}

/** FundChannel: propose the channel; the session learns the outcome as FundingFailed or ChannelReady. */
export function startFunding(state: LspState, env: NodeEnv, slot: SessionSlot): void {
  const client = state.opts.client;
  if (!env.isConnected(client)) {
    state.inbox.push({ slot, input: { kind: 'FundingFailed', reason: 'client not connected' } });
    return;
  }
  const channel = `jit${freshId(state, env.now)}`;
  const negotiation: Negotiation = { channel, session: slot, capacitySat: capacitySat(state, slot), stage: 'open-sent' };
  state.negotiations.set(channel, negotiation);
  slot.channel = channel;
  env.send(client, { type: 'open_channel', channel, purchase: slot.scid, capacitySat: negotiation.capacitySat });
}

function stillWanted(n: Negotiation): boolean {
  return n.session.state.kind === 'AwaitingChannelReady' && n.session.channel === n.channel;
}

export function onAcceptChannel(state: LspState, env: NodeEnv, channel: string, maxAcceptedHtlcs: number): void {
  const n = state.negotiations.get(channel);
  if (!n || n.stage !== 'open-sent') return;
  if (!stillWanted(n)) return abortNegotiation(state, env, channel);
  const coin = selectCoin(state, env, walletCoins(env, state.opts.walletTxids, state.opts.walletScript), n.capacitySat);
  if (!coin) {
    state.negotiations.delete(channel);
    return feed(state, env, n.session, { kind: 'FundingFailed', reason: 'no wallet coin available' });
  }
  const chan: ChanRecord = {
    id: channel,
    purchase: n.session.scid,
    hash: n.session.hash,
    client: state.opts.client,
    capacitySat: n.capacitySat,
    fundingTxid: `fund-${channel}`,
    inputs: [{ txid: coin.txid, vout: coin.vout }],
    changeSat: coin.valueSat - n.capacitySat,
    maxAcceptedHtlcs,
    state: 'opening',
  };
  state.channels.set(channel, chan);
  n.stage = 'funding-sent';
  env.trace('funding-created', { channel, purchase: chan.purchase, hash: chan.hash, txid: chan.fundingTxid, inputs: chan.inputs.map((i) => `${i.txid}:${i.vout}`) });
  persistChan(state, env, chan, () => {
    if (state.negotiations.get(channel) === n && n.stage === 'funding-sent') env.send(state.opts.client, { type: 'funding_created', channel, fundingTxid: chan.fundingTxid });
  });
}

export function onFundingSigned(state: LspState, env: NodeEnv, channel: string): void {
  const n = state.negotiations.get(channel);
  const chan = state.channels.get(channel);
  if (!n || n.stage !== 'funding-sent' || !chan || chan.state !== 'opening') return;
  n.stage = 'signed';
  chan.state = 'withheld';
  persistChan(state, env, chan, () => channelSigned(state, env, n, chan));
}

/** The client signed and the record is durable: record the channel in the datastore, then tell the session. */
function channelSigned(state: LspState, env: NodeEnv, n: Negotiation, chan: ChanRecord): void {
  if (state.negotiations.get(chan.id) === n) state.negotiations.delete(chan.id);
  if (chan.state !== 'withheld') return;
  if (!state.links.has(chan.id)) state.links.set(chan.id, newEndpoint(chan.id, chan.client));
  const slot = n.session;
  if (!stillWanted(n)) return releaseChannel(state, env, chan.id, 'session gone before channel_ready');
  const entry = readActive(env, slot.scid) ?? { scid: slot.scid, hash: slot.hash };
  writeActive(state, env, { ...entry, hash: slot.hash, channel: chan.id, funding: chan.fundingTxid }, () => {
    if (stillWanted(n)) feed(state, env, slot, { kind: 'ChannelReady', channel: chan.id, funding: chan.fundingTxid });
  });
}

/** Drop an open in flight (the Disconnect action, or a client that went away). */
export function abortNegotiation(state: LspState, env: NodeEnv, channel: string): void {
  if (!state.negotiations.delete(channel)) return;
  env.send(state.opts.client, { type: 'funding_abort', channel });
}

/** The client went away: opens it had not signed fail (bLIP-52: temporary_channel_failure). */
export function onClientDisconnect(state: LspState, env: NodeEnv): void {
  for (const n of [...state.negotiations.values()]) {
    if (n.stage === 'signed') continue;
    state.negotiations.delete(n.channel);
    if (stillWanted(n)) feed(state, env, n.session, { kind: 'FundingFailed', reason: 'client disconnected before funding_signed' });
  }
}

/** Close a channel that was never broadcast and give its coin back to the wallet. */
export function releaseChannel(state: LspState, env: NodeEnv, channel: string, reason: string): void {
  const chan = state.channels.get(channel);
  if (!chan || chan.state === 'closed' || chan.state === 'broadcast') return;
  chan.state = 'closed';
  persistChan(state, env, chan);
  const ep = state.links.get(channel);
  if (ep && !ep.closed) closeEndpoint(env, state.cb, ep);
  state.negotiations.delete(channel);
  env.send(state.opts.client, { type: 'channel_closed', channel });
  env.trace('funding-released', { channel, purchase: chan.purchase, reason });
}

/**
 * The client says it no longer has this channel (it closed it when told to,
 * and a crash made the LSP forget that): nothing pending in it can settle any
 * more, so those forwards fail back upstream, and the session learns the
 * channel is closed.
 */
export function onClientForgotChannel(state: LspState, env: NodeEnv, channel: string): void {
  const chan = state.channels.get(channel);
  if (!chan || chan.state === 'closed' || chan.state === 'broadcast') return;
  const ep = state.links.get(channel);
  for (const out of ep ? pendingOut(ep) : []) {
    resolveOutLocally(env, state.cb, ep!, out, { kind: 'fail', code: TEMPORARY_CHANNEL_FAILURE });
    const links = forwardLinks(out);
    if (links) failIncoming(state, env, links.incoming, TEMPORARY_CHANNEL_FAILURE, 'forward-failed');
  }
  const slot = sessionOfChannel(state, channel);
  if (slot) feed(state, env, slot, { kind: 'ChannelClosed', channel });
  releaseChannel(state, env, channel, 'the client no longer has it');
}
