// Completion actions: what waits on monitor updates becoming durable (PaymentClaimed, PaymentForwarded, and the
// opening steps that wait on a new channel's first monitor write).
import * as open from '../open.ts';
import type { Channel, ClaimablePayment } from '../types.ts';
import { addBlocker } from './blockers.ts';
import { markDirty, pushEvent } from './manager.ts';
import { channelOf, type LnNode, updateInFlight } from './state.ts';

/** What waits on durable updates: PaymentClaimed, PaymentForwarded. Also run at boot, for updates that completed before the crash. */
export function completionActions(node: LnNode): void {
  for (const p of node.state.mgr.claimable) finishClaimIfDurable(node, p);
  // Run after every completed monitor update: most of the time no forward waits.
  if (node.state.mgr.forwardsClaiming.length === 0) return;
  const ready = node.state.mgr.forwardsClaiming.filter((f) => !updateInFlight(node.state, f.channel, f.updateId));
  if (ready.length > 0) {
    node.state.mgr.forwardsClaiming = node.state.mgr.forwardsClaiming.filter((f) => !ready.includes(f));
    for (const f of ready) pushEvent(node, f.event);
  }
}

/** PaymentClaimed once every part's preimage is durable; each part's channel then waits for it to be handled. */
export function finishClaimIfDurable(node: LnNode, p: ClaimablePayment): void {
  if (p.status !== 'claiming' || node.state.claimingNow === p.hash) return;
  p.pendingPreimage = p.pendingPreimage.filter((x) => updateInFlight(node.state, x.channel, x.id));
  if (p.pendingPreimage.length > 0) return;
  // ln-claimed-late: PaymentClaimed waits until every part channel is idle (no HTLC left in it), not just durable.
  if (node.bugs.has('ln-claimed-late') && p.parts.some((part) => (channelOf(node.state, part.channel)?.htlcs.length ?? 0) > 0)) return;
  p.status = 'claimed';
  const seq = pushEvent(node, { type: 'PaymentClaimed', hash: p.hash, amount: p.parts.reduce((s, x) => s + x.amount, 0) });
  for (const part of p.parts) addBlocker(node, channelOf(node.state, part.channel), { kind: 'event', seq }, 'ldk-3988');
}

/** The monitor's first write is durable (now, or found on disk at boot): funding_signed, or the funding broadcast, may go. */
export function openingMonitorDurable(node: LnNode, ch: Channel): void {
  const { send, broadcast } = open.firstWriteDurable(ch);
  if (!send && !broadcast) return;
  node.env.trace('opening-monitor-durable', { channel: ch.id, role: ch.opening!.role });
  if (send) node.env.send(ch.peer, send);
  if (broadcast) node.env.broadcast(broadcast);
  markDirty(node);
}
