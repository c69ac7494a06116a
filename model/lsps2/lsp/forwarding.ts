// The LSP's forwarding core (lightningd's part, not the plugin's): incoming
// HTLCs go to the session manager; answers from the client on a JIT channel
// are relayed upstream at once — the preimage to the incoming HTLC it backs,
// a failure with the client's code — and then reported to the session.
import type { NodeEnv } from '../../../sim/node.ts';
import { TEMPORARY_CHANNEL_FAILURE } from '../failure-codes.ts';
import { pendingOut, resolveIncoming, type Endpoint, type InHtlc, type LinkHost, type OutHtlc } from '../link.ts';
import { htlcKey } from '../session/types.ts';
import { readActive, writeActive } from './datastore.ts';
import { releaseChannel } from './funding.ts';
import { failIncoming, forwardLinks, incomingHtlc } from './held.ts';
import { feed, onPart } from './sessions.ts';
import type { LspState } from './state.ts';

export function lspLinkHost(state: LspState, env: NodeEnv): LinkHost {
  return {
    onIncoming(ep: Endpoint, htlc: InHtlc) {
      if (state.opts.incoming.some((c) => c.scid === ep.scid)) return onPart(state, env, ep, htlc);
      // The client does not send over the JIT channel in this model.
      resolveIncoming(env, state.cb, ep, htlc, { kind: 'fail', code: TEMPORARY_CHANNEL_FAILURE });
    },
    onResolved(ep: Endpoint, out: OutHtlc) {
      onForwardResolved(state, env, ep, out);
    },
  };
}

function onForwardResolved(state: LspState, env: NodeEnv, ep: Endpoint, out: OutHtlc): void {
  relayResolution(state, env, ep, out);
  if (state.closeWhenClear.has(ep.scid) && pendingOut(ep).length === 0) {
    state.closeWhenClear.delete(ep.scid);
    releaseChannel(state, env, ep.scid, 'orphan found at recovery, now clear');
  }
}

function relayResolution(state: LspState, env: NodeEnv, ep: Endpoint, out: OutHtlc): void {
  const links = forwardLinks(out);
  const r = out.resolution;
  if (!links || !r) return;
  env.trace('lsp-out-resolved', { channel: ep.scid, id: out.add.id, in: htlcKey(links.incoming), kind: r.kind, feeMsat: out.add.extraFeeMsat ?? 0 });
  if (r.kind === 'fulfill') {
    const found = incomingHtlc(state, links.incoming);
    if (found && found.htlc.resolution === undefined) {
      env.trace('lsp-htlc', { htlc: htlcKey(links.incoming), hash: links.hash, action: 'fulfill', height: env.chain.height });
      resolveIncoming(env, state.cb, found.ep, found.htlc, r);
    }
    return settled(state, env, ep.scid, links.hash, r.preimage);
  }
  if (r.kind === 'fail') {
    failIncoming(state, env, links.incoming, r.code, 'relayed');
    const slot = state.sessions.get(links.hash);
    if (slot && slot.channel === ep.scid) feed(state, env, slot, { kind: 'PaymentFailed', htlc: links.part });
    else env.trace('lsp-no-session', { hash: links.hash, channel: ep.scid, input: 'PaymentFailed' });
  }
}

/**
 * After a restart: an answer the client gave that was not yet passed upstream
 * (the incoming record's write was lost) is relayed again.
 */
export function relayPending(state: LspState, env: NodeEnv): void {
  for (const chan of state.channels.values()) {
    for (const out of state.links.get(chan.id)?.out.values() ?? []) {
      const links = forwardLinks(out);
      const r = out.resolution;
      const found = links && incomingHtlc(state, links.incoming);
      if (!r || !found || found.htlc.resolution !== undefined) continue;
      env.trace('lsp-out-resolved', { channel: chan.id, id: out.add.id, in: htlcKey(links.incoming), kind: r.kind, feeMsat: out.add.extraFeeMsat ?? 0 });
      if (r.kind === 'fulfill') {
        env.trace('lsp-htlc', { htlc: htlcKey(links.incoming), hash: links.hash, action: 'fulfill', height: env.chain.height });
        resolveIncoming(env, state.cb, found.ep, found.htlc, r);
      }
      if (r.kind === 'fail') failIncoming(state, env, links.incoming, r.code, 'relayed');
    }
  }
}

/** The client released the preimage on the JIT channel: record it, then tell the session. */
function settled(state: LspState, env: NodeEnv, channel: string, hash: string, preimage: string): void {
  const chan = state.channels.get(channel);
  env.trace('lsp-settled', { channel, purchase: chan?.purchase ?? '', hash });
  if (chan) {
    const entry = readActive(env, chan.purchase);
    if (entry && entry.channel === channel && entry.preimage === undefined) writeActive(state, env, { ...entry, preimage });
  }
  const slot = state.sessions.get(hash);
  if (slot && slot.channel === channel) feed(state, env, slot, { kind: 'PaymentSettled' });
  else env.trace('lsp-no-session', { hash, channel, input: 'PaymentSettled' });
}
