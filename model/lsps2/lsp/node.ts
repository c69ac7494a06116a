// The LSP as a kernel node: boot (recovery before replay), message routing
// (LSPS2 requests, funding messages, the HTLC link), timers and blocks.
import type { Block } from '../../../sim/chain.ts';
import type { Message, NodeBehaviour, NodeEnv } from '../../../sim/node.ts';
import { isLinkMessage, loadEndpoint, onLinkConnect, onLinkMessage } from '../link.ts';
import { newDurableCallbacks, runDurable } from '../nodes/durable.ts';
import { isUnusual } from '../session/fsm.ts';
import { htlcKey } from '../session/types.ts';
import { lspLinkHost, relayPending } from './forwarding.ts';
import { persistChan } from './funding.ts';
import { onAcceptChannel, onClientDisconnect, onClientForgotChannel, onFundingSigned } from './funding-outcomes.ts';
import { forwardedIncoming, recover, replayHeld } from './recovery.ts';
import { onBuy, onGetInfo } from './service.ts';
import { feed, onCollectTimer } from './sessions.ts';
import type { ChanRecord, LspOptions, LspState, Purchase } from './state.ts';

export interface LspNodeState extends LspState {
  /** Purchases whose record is durable (answerable). */
  readonly durableBuys: Set<string>;
}

function load<T>(env: NodeEnv, prefix: string): T[] {
  return env.disk.keys(prefix).map((k) => JSON.parse(env.disk.read(k)!) as T);
}

function bootLsp(opts: LspOptions, env: NodeEnv): LspNodeState {
  const state: LspNodeState = {
    opts,
    cb: newDurableCallbacks(),
    links: new Map(),
    purchases: new Map(),
    sessions: new Map(),
    replies: new Map(),
    channels: new Map(),
    negotiations: new Map(),
    closeWhenClear: new Set(),
    inbox: [],
    draining: false,
    counter: 0,
    lastIdTime: -1,
    durableBuys: new Set(),
  };
  for (const p of load<Purchase>(env, 'buy/')) {
    state.purchases.set(p.scid, p);
    state.durableBuys.add(p.scid);
  }
  for (const c of load<ChanRecord>(env, 'chan/')) {
    state.channels.set(c.id, c);
    // The chain is the truth about a broadcast whose record did not survive.
    if (c.state !== 'broadcast' && (env.chain.inMempool(c.fundingTxid) || env.chain.confirmations(c.fundingTxid) > 0)) {
      c.state = 'broadcast';
      persistChan(state, env, c);
    }
  }
  for (const { scid, peer } of opts.incoming) state.links.set(scid, loadEndpoint(env, scid, peer));
  for (const c of state.channels.values()) state.links.set(c.id, loadEndpoint(env, c.id, c.client));
  env.trace('lsp-boot', {
    channels: [...state.channels.values()].map((c) => {
      const out = [...(state.links.get(c.id)?.out.values() ?? [])];
      const pending = out.filter((o) => o.resolution === undefined).map((o) => ({ in: `${o.meta?.inScid}/${o.meta?.inId}`, feeMsat: o.add.extraFeeMsat ?? 0 }));
      return { id: c.id, purchase: c.purchase, state: c.state, forwards: out.length, pending };
    }),
    forwarded: [...forwardedIncoming(state)],
    held: heldIncoming(state, opts),
  });
  relayPending(state, env);
  recover(state, env);
  replayHeld(state, env);
  onNewHeight(state, env, env.chain.height);
  return state;
}

/** Keys of the unresolved HTLCs on the incoming channels, channel by channel in order (a loop: flatMap is slow). */
function heldIncoming(state: LspState, opts: LspOptions): string[] {
  const held: string[] = [];
  for (const { scid } of opts.incoming) for (const h of state.links.get(scid)!.in.values()) if (h.resolution === undefined) held.push(htlcKey({ scid, id: h.add.id }));
  return held;
}

function onNewHeight(state: LspState, env: NodeEnv, height: number): void {
  if (state.sessions.size === 0) return;
  for (const slot of [...state.sessions.values()]) {
    // A session past holding takes a block as an unusual input, which sessions.ts never traces: feeding it changes
    // nothing, unless inputs queued ahead of it would run first (none: the inbox is empty and nothing is draining).
    if (isUnusual(slot.state.kind, 'NewBlock') && state.inbox.length === 0 && !state.draining) continue;
    feed(state, env, slot, { kind: 'NewBlock', height });
  }
}

export function lspNode(opts: LspOptions): NodeBehaviour<LspNodeState> {
  return {
    boot: (env) => bootLsp(opts, env),
    onMessage(state, env, from, message: Message) {
      if (isLinkMessage(message)) {
        const ep = state.links.get(message.scid as string);
        if (ep && ep.peer === from) onLinkMessage(env, state.cb, ep, message, lspLinkHost(state, env));
        return;
      }
      if (from !== opts.client) return;
      switch (message.type) {
        case 'lsps2.get_info':
          return onGetInfo(state, env, from, message);
        case 'lsps2.buy':
          return onBuy(state, env, from, message, state.durableBuys);
        case 'accept_channel':
          return onAcceptChannel(state, env, message.channel as string, message.maxAcceptedHtlcs as number);
        case 'funding_signed':
          return onFundingSigned(state, env, message.channel as string);
        case 'channel_closed':
          return onClientForgotChannel(state, env, message.channel as string);
      }
    },
    onDurable(state, _env, tag) {
      runDurable(state.cb, tag);
    },
    onTimer(state, env, tag, data) {
      if (tag === 'collect') onCollectTimer(state, env, data as { hash: string; serial: number });
    },
    onBlock(state, env, block: Block) {
      onNewHeight(state, env, block.height);
    },
    onConnect(state, env, peer) {
      for (const ep of state.links.values()) if (ep.peer === peer) onLinkConnect(env, ep);
    },
    onDisconnect(state, env, peer) {
      if (peer === opts.client) onClientDisconnect(state, env);
    },
    onCommand() {},
    snapshot: (state) => ({
      sessions: [...state.sessions.values()].map((s) => ({ hash: s.hash, scid: s.scid, state: s.state.kind, channel: s.channel ?? null, recovered: s.recovered })),
      channels: [...state.channels.values()].map((c) => ({ id: c.id, purchase: c.purchase, state: c.state })),
      purchases: [...state.purchases.keys()],
      held: [...state.replies.keys()],
    }),
  };
}
