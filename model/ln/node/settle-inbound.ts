// Settling an HTLC the peer offered us: fail it back, or claim it with its preimage (the monitor learns it first).
import * as chan from '../channel.ts';
import type { Channel, ClaimablePayment, Htlc, MonitorUpdate } from '../types.ts';
import { io } from './channel-io.ts';
import { markDirty } from './manager.ts';
import { monitorUpdate } from './monitor-updates.ts';
import { channelOf, type LnNode, monitorOf } from './state.ts';
import { append } from '../packed.ts';

/** Fail an inbound HTLC back to the peer (on an open channel; a closed one settles on-chain). */
export function failInbound(node: LnNode, ch: Channel, htlc: Htlc, code: string): void {
  if (ch.status === 'open' && chan.removeHtlc(ch, io(node, ch), htlc.id, { kind: 'fail', code })) {
    node.env.trace('htlc-fail', { channel: ch.id, id: htlc.id, code });
    markDirty(node);
  }
}

/**
 * Reveal a preimage for one inbound HTLC: the monitor learns it first (never
 * held back, even on a closed channel), then the peer gets update_fulfill.
 * `claim`: the inbound HTLCs of the whole claim, recorded in the monitor so a
 * restart replays exactly this claim.
 */
export function claimInbound(node: LnNode, channel: string, htlcId: number, preimage: string, claim: { channel: string; id: number }[], payment?: ClaimablePayment, knownHash?: string): MonitorUpdate | undefined {
  const ch = channelOf(node.state, channel);
  // An archived channel was settled on-chain long ago: nothing is left to claim there.
  if (!ch || node.state.archived.includes(channel)) return undefined;
  const htlc = chan.receivedHtlc(ch.htlcs, htlcId);
  const hash = htlc?.hash ?? knownHash;
  if (hash === undefined || htlc?.removal !== undefined) return undefined;
  if (ch.status === 'open' && !htlc) return undefined;
  // On a closed channel the monitor settles on-chain; it may know the HTLC though a stale manager does not.
  if (ch.status !== 'open' && monitorOf(node.state, channel)?.preimages[hash] !== undefined) return undefined;
  const u = monitorUpdate(node, ch, {
    kind: 'preimage',
    hash,
    preimage,
    htlcs: claim.length > 0 ? claim : [{ channel, id: htlcId }],
    ...(payment ? { payment: { paymentId: payment.paymentId, amount: payment.totalAmount } } : {}),
  });
  if (payment && u && ch.inFlight.some((x) => x.id === u.id)) payment.pendingPreimage = append(payment.pendingPreimage, { channel: ch.id, id: u.id });
  if (ch.status === 'open') chan.removeHtlc(ch, io(node, ch), htlcId, { kind: 'fulfill', preimage });
  else if (htlc) htlc.removal = { kind: 'fulfill', preimage };
  markDirty(node);
  return u;
}
