// The background processor: the startup updates (first pass after boot), the application's event handler, the
// manager write, and archiving.
import { refusesPayment } from '../../application.ts';
import { receivedHtlc } from '../channel.ts';
import { hashOf, preimageFor } from '../payments.ts';
import type { ClaimablePayment, LnEvent, Monitor } from '../types.ts';
import { archiveResolvedMonitors } from './archiving.ts';
import { watch } from './closing.ts';
import { markDirty, writeManager } from './manager.ts';
import { applyToMonitor, persistUpdate, storeUpdate } from './monitor-updates.ts';
import { claim } from './payments.ts';
import { pump } from './pump.ts';
import { failInbound } from './settle-inbound.ts';
import { channelOf, type LnNode, monitorOf } from './state.ts';

/**
 * One background-processor pass: the startup updates (first pass only), pending events, then persist the manager.
 * Returns the result of the pump that ends it (true: it moved nothing).
 */
export function background(node: LnNode, handleHeld = false): boolean {
  node.state.backgroundScheduled = false;
  if (!node.state.startupDone) runStartupUpdates(node);
  // An application told to hold its events leaves them pending (application.ts); handle-events takes them now.
  const events = node.state.app.holdEvents && !handleHeld ? [] : node.state.mgr.events.splice(0);
  for (const { seq, event } of events) handleEvent(node, seq, event);
  if (node.state.dirty) {
    node.state.dirty = false;
    writeManager(node, events.map((e) => e.seq));
  }
  archiveResolvedMonitors(node);
  return pump(node);
}

/** The first background pass: hand the monitors every update owed since boot, in order. */
export function runStartupUpdates(node: LnNode): void {
  node.state.startupDone = true;
  const touched: Monitor[] = [];
  for (const { channel, update } of node.state.startupUpdates.splice(0)) {
    const m = monitorOf(node.state, channel)!;
    const ch = channelOf(node.state, channel);
    if (ch) persistUpdate(node, ch, m, update);
    else if (applyToMonitor(node.env, m, update)) storeUpdate(node.env, m, update);
    if (!touched.includes(m)) touched.push(m);
  }
  // A close decided at boot broadcasts now that its monitor knows.
  for (const m of touched) watch(node, m);
}

/** The application's event handler. Idempotent: events replay after a restart. */
export function handleEvent(node: LnNode, seq: number, event: LnEvent): void {
  node.env.trace('handled', handledData(seq, event));
  markDirty(node);
  if (event.type === 'PaymentClaimable') {
    const p = node.state.mgr.claimable.find((c) => c.hash === event.hash);
    if (!p || p.status !== 'claimable') return;
    const preimage = preimageFor(p.paymentId);
    const tooLate = p.parts.some((part) => part.cltv - node.env.chain.height <= node.params.failBackBefore);
    // A decision the application was given stands; while a script runs it refuses nothing by itself.
    const decision = node.state.app.decisions[p.paymentId];
    const refused = decision === 'refuse' || (decision === undefined && !node.env.scripted && refusesPayment(node.env, node.params, p.paymentId)) || tooLate;
    if (refused || hashOf(preimage) !== p.hash) return refuseClaimable(node, p);
    claim(node, p, preimage);
  }
}

/** The `handled` record's data: seq, type, then the event's paymentId and hash when it has them (literals, no spreads). */
function handledData(seq: number, event: LnEvent): { seq: number; type: string; paymentId?: string; hash?: string } {
  // Read as any event might be (an event loaded from disk is not narrowed by its type).
  const e = event as { readonly type: string; readonly paymentId?: string; readonly hash?: string };
  const type = e.type;
  if ('paymentId' in e) return 'hash' in e ? { seq, type, paymentId: e.paymentId, hash: e.hash } : { seq, type, paymentId: e.paymentId };
  return 'hash' in e ? { seq, type, hash: e.hash } : { seq, type };
}

/** The application fails a claimable payment back on every part. */
export function refuseClaimable(node: LnNode, p: ClaimablePayment): void {
  node.env.trace('refuse', { paymentId: p.paymentId, hash: p.hash });
  for (const part of p.parts) {
    const ch = channelOf(node.state, part.channel);
    const htlc = receivedHtlc(ch?.htlcs, part.htlcId);
    if (ch && htlc) failInbound(node, ch, htlc, 'incorrect_or_unknown_payment_details');
  }
  p.status = 'claimed';
}
