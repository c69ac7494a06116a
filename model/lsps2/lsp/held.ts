// Held HTLCs on the LSP: the pending-reply table of intercepted parts, the incoming HTLC behind a reference,
// failing one back (with why), and which incoming HTLC backs a forward into the JIT channel.
import type { NodeEnv } from '../../../sim/node.ts';
import { BUG } from '../bugs.ts';
import type { FailureCause } from '../failure-codes.ts';
import { resolveIncoming, type Endpoint, type InHtlc, type OutHtlc } from '../link.ts';
import { htlcKey, type HtlcId } from '../session/types.ts';
import type { LspState } from './state.ts';

/** Key of the pending-reply table: the full HTLC identity (cln-htlc-id: the bare per-channel id). */
export function replyKey(state: LspState, h: HtlcId): string {
  return state.opts.bugs.has(BUG.htlcId) ? String(h.id) : htlcKey(h);
}

/** Take the pending reply for a part, if any. */
export function takeReply(state: LspState, h: HtlcId): HtlcId | undefined {
  const key = replyKey(state, h);
  const ref = state.replies.get(key);
  state.replies.delete(key);
  return ref;
}

export function incomingHtlc(state: LspState, ref: HtlcId): { ep: Endpoint; htlc: InHtlc } | undefined {
  const ep = state.links.get(ref.scid);
  const htlc = ep?.in.get(ref.id);
  return ep && htlc ? { ep, htlc } : undefined;
}

/** Fail an incoming HTLC and record why. */
export function failIncoming(state: LspState, env: NodeEnv, ref: HtlcId, code: number, cause: FailureCause | 'relayed'): void {
  const found = incomingHtlc(state, ref);
  if (!found || found.htlc.resolution !== undefined) return;
  // Recorded as decided before the write (a crash right after the write must not hide the decision).
  env.trace('lsp-htlc', { htlc: htlcKey(ref), hash: found.htlc.add.hash, action: 'fail', code, cause, height: env.chain.height });
  resolveIncoming(env, state.cb, found.ep, found.htlc, { kind: 'fail', code });
}

/** Which incoming HTLC backs an outgoing one, and which session part it was. */
export function forwardLinks(out: OutHtlc): { incoming: HtlcId; part: HtlcId; hash: string } | undefined {
  const m = out.meta;
  if (!m) return undefined;
  return { incoming: { scid: m.inScid as string, id: m.inId as number }, part: { scid: m.partScid as string, id: m.partId as number }, hash: m.hash as string };
}
