// Opening the withheld JIT channel with the client (open_channel → accept_channel → funding_created →
// funding_signed), the LSP's own steps: proposing the channel, writing its record, aborting an open, and
// releasing a channel never broadcast (its coin goes back to the wallet). The funding transaction is built from
// one wallet coin, reserved by the channel record and broadcast only after the client has settled. The client's
// answers, and the crash window between the channel record and the datastore, are in funding-outcomes.ts.
import type { NodeEnv } from '../../../sim/node.ts';
import { closeEndpoint } from '../link.ts';
import { persist } from '../nodes/durable.ts';
import { freshId, type ChanRecord, type LspState, type Negotiation, type SessionSlot } from './state.ts';

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

/** The session still waits for this very channel. */
export function stillWanted(n: Negotiation): boolean {
  return n.session.state.kind === 'AwaitingChannelReady' && n.session.channel === n.channel;
}

/** Drop an open in flight (the Disconnect action, or a client that went away). */
export function abortNegotiation(state: LspState, env: NodeEnv, channel: string): void {
  if (!state.negotiations.delete(channel)) return;
  env.send(state.opts.client, { type: 'funding_abort', channel });
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
