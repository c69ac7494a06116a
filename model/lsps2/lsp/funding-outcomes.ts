// The client's answers to a JIT channel's funding, and what they tell the session: accept_channel (a coin is
// reserved, funding_created goes out), funding_signed (the channel is recorded, then ChannelReady), a disconnect
// before signing (FundingFailed), and a client that no longer has the channel (its forwards fail back,
// ChannelClosed). The window this file is about: the channel record is written (coins reserved, client signed)
// before the datastore learns of the channel. A crash in between leaves an orphan that recovery must find.
import type { NodeEnv } from '../../../sim/node.ts';
import { TEMPORARY_CHANNEL_FAILURE } from '../failure-codes.ts';
import { newEndpoint, pendingOut, resolveOutLocally } from '../link.ts';
import { readActive, writeActive } from './datastore.ts';
import { abortNegotiation, persistChan, releaseChannel, stillWanted } from './funding.ts';
import { failIncoming, forwardLinks } from './held.ts';
import { feed, sessionOfChannel } from './sessions.ts';
import type { ChanRecord, LspState, Negotiation } from './state.ts';
import { selectCoin, walletCoins } from './wallet.ts';

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

/** The client went away: opens it had not signed fail (bLIP-52: temporary_channel_failure). */
export function onClientDisconnect(state: LspState, env: NodeEnv): void {
  for (const n of [...state.negotiations.values()]) {
    if (n.stage === 'signed') continue;
    state.negotiations.delete(n.channel);
    if (stillWanted(n)) feed(state, env, n.session, { kind: 'FundingFailed', reason: 'client disconnected before funding_signed' });
  }
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
