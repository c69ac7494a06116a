// Payments: sending (route, split, outcome events), receiving and claiming (PaymentClaimable, the application's
// claim, PaymentClaimed once every part is durable), and the restart replay of every preimage a monitor knows.
import * as chan from '../channel.ts';
import { hashOf, preimageFor } from '../payments.ts';
import { packedMap } from '../packed.ts';
import { findPaths, planOnion } from '../routing.ts';
import type { Channel, ClaimablePayment, Htlc, OutboundPayment } from '../types.ts';
import { addBlocker } from './blockers.ts';
import { addsAllowed, io } from './channel-io.ts';
import { finishClaimIfDurable } from './completion.ts';
import { markDirty, pushEvent } from './manager.ts';
import { claimInbound, failInbound } from './settle-inbound.ts';
import { channelOf, type LnNode, type LnState, monitorOf } from './state.ts';
import { append } from '../packed.ts';

export interface PayCommand {
  readonly type: 'pay';
  readonly to: string;
  readonly amount: number;
  readonly paymentId: string;
  /** Split into this many parts over distinct paths where possible (MPP). */
  readonly parts?: number;
}

/** Workload: pay `to`, split over up to `parts` paths; with no feasible route the payment fails at once. */
export function pay(node: LnNode, command: PayCommand): void {
  if (node.state.mgr.outbound.some((o) => o.paymentId === command.paymentId)) return;
  const preimage = preimageFor(command.paymentId);
  const hash = hashOf(preimage);
  const partCount = Math.max(1, command.parts ?? 1);
  const payment: OutboundPayment = { paymentId: command.paymentId, hash, amount: command.amount, destination: command.to, status: 'pending', pendingParts: partCount, preimage: undefined };
  node.state.mgr.outbound = append(node.state.mgr.outbound, payment);
  markDirty(node);
  const paths = findPaths(node.config.graph, node.env.id, command.to).filter((path) => {
    const first = channelOf(node.state, path[0]);
    return first?.status === 'open' && addsAllowed(node, first);
  });
  const finalCltv = node.env.chain.height + node.params.cltvDelta;
  const plans = [];
  const committed = new Map<string, number>();
  for (let i = 0; i < partCount && paths.length > 0; i++) {
    const amount = Math.floor(command.amount / partCount) + (i === 0 ? command.amount % partCount : 0);
    const path = paths[i % paths.length];
    const plan = planOnion(node.config.graph, node.env.id, path, amount, { paymentId: command.paymentId, totalAmount: command.amount }, finalCltv, node.params.forwardDelta, node.config.fees);
    committed.set(path[0], (committed.get(path[0]) ?? 0) + plan.amount);
    plans.push({ path, plan });
  }
  const feasible = plans.length === partCount && [...committed].every(([id, total]) => chan.spendable(channelOf(node.state, id)!) >= total);
  node.env.trace('pay', {
    paymentId: command.paymentId,
    to: command.to,
    amount: command.amount,
    parts: packedMap(plans, ({ path, plan }) => ({ path: path.join('>'), amount: plan.amount, fees: plan.fees })),
    route: feasible ? 'found' : 'none',
  });
  if (!feasible) {
    payment.pendingParts = 0;
    failPayment(node, payment);
    return;
  }
  plans.forEach(({ path, plan }, part) => {
    const ch = channelOf(node.state, path[0])!;
    chan.addHtlc(ch, io(node, ch), { amount: plan.amount, hash, cltv: plan.cltv, onion: plan.onion, source: { kind: 'payment', paymentId: command.paymentId, part } });
  });
}

/** The preimage of an outbound payment is known: PaymentSent, once. */
export function succeedPayment(node: LnNode, paymentId: string, preimage: string, channel?: Channel): void {
  const p = node.state.mgr.outbound.find((o) => o.paymentId === paymentId);
  if (!p || p.status === 'succeeded') return;
  p.status = 'succeeded';
  p.preimage = preimage;
  const seq = pushEvent(node, { type: 'PaymentSent', paymentId, hash: p.hash, preimage });
  // The channel that revealed it must not prune the preimage before the application saw PaymentSent.
  addBlocker(node, channel, { kind: 'event', seq }, 'ldk-2112');
}

/** Every part of an outbound payment failed: PaymentFailed, once. */
export function failPayment(node: LnNode, p: OutboundPayment): void {
  if (p.status !== 'pending') return;
  p.status = 'failed';
  pushEvent(node, { type: 'PaymentFailed', paymentId: p.paymentId, hash: p.hash });
}

/**
 * A stale manager may not know a payment whose HTLCs the monitors hold: rebuild
 * it from them (as LDK does at startup) so its outcome still reaches the application.
 */
export function paymentFromMonitors(node: LnNode, paymentId: string, hash: string): OutboundPayment {
  const parts = new Set<string>();
  let amount = 0;
  for (const m of node.state.monitors) {
    for (const c of [m.holderCommitment, ...m.counterpartyCommitments]) {
      for (const h of c.htlcs) {
        if (h.source?.kind !== 'payment' || h.source.paymentId !== paymentId || parts.has(`${m.channel}#${h.id}`)) continue;
        parts.add(`${m.channel}#${h.id}`);
        amount += h.amount;
      }
    }
  }
  const p: OutboundPayment = { paymentId, hash, amount, destination: '', status: 'pending', pendingParts: Math.max(1, parts.size), preimage: undefined };
  node.state.mgr.outbound = append(node.state.mgr.outbound, p);
  node.env.trace('payment-recovered', { paymentId, parts: parts.size });
  markDirty(node);
  return p;
}

/** We are the final hop: the HTLC joins its claimable payment (PaymentClaimable once every part is in), or is refused. */
export function receivePayment(node: LnNode, ch: Channel, htlc: Htlc): void {
  const onion = htlc.onion;
  if (onion?.paymentId === undefined) return failInbound(node, ch, htlc, 'invalid_onion_payload');
  // BOLT 4: a final HTLC expiring too soon to be claimed safely is refused.
  if (htlc.cltv - node.env.chain.height <= node.params.failBackBefore) return failInbound(node, ch, htlc, 'incorrect_or_unknown_payment_details');
  let p = node.state.mgr.claimable.find((c) => c.hash === htlc.hash);
  if (!p) {
    p = { hash: htlc.hash, paymentId: onion.paymentId, totalAmount: onion.totalAmount ?? htlc.amount, parts: [], status: 'claimable', pendingPreimage: [] };
    node.state.mgr.claimable = append(node.state.mgr.claimable, p);
  }
  if (p.status === 'claiming' && p.paymentId === onion.paymentId) {
    // A late part of a payment being claimed: same payment, same preimage.
    p.parts.push({ channel: ch.id, htlcId: htlc.id, amount: htlc.amount, cltv: htlc.cltv });
    node.env.trace('claim', { hash: p.hash, paymentId: p.paymentId, amount: htlc.amount, htlcs: [`${ch.id}#${htlc.id}`], late: true });
    node.state.claimingNow = p.hash;
    claimInbound(node, ch.id, htlc.id, preimageFor(p.paymentId), claimTargets(p), p);
    node.state.claimingNow = undefined;
    finishClaimIfDurable(node, p);
    return;
  }
  if (p.status !== 'claimable') {
    // The hash was already claimed (or refused): never reveal it for an HTLC the application did not see.
    failInbound(node, ch, htlc, 'incorrect_or_unknown_payment_details');
    return;
  }
  p.parts.push({ channel: ch.id, htlcId: htlc.id, amount: htlc.amount, cltv: htlc.cltv });
  const received = p.parts.reduce((s, x) => s + x.amount, 0);
  node.env.trace('htlc-received', { channel: ch.id, id: htlc.id, hash: htlc.hash, amount: htlc.amount, received, total: p.totalAmount });
  if (received >= p.totalAmount) pushEvent(node, { type: 'PaymentClaimable', hash: p.hash, paymentId: p.paymentId, amount: received });
  markDirty(node);
}

/** The application claims a claimable payment: reveal the preimage on every part. */
export function claim(node: LnNode, p: ClaimablePayment, preimage: string): void {
  if (p.status !== 'claimable') return;
  p.status = 'claiming';
  node.env.trace('claim', { hash: p.hash, paymentId: p.paymentId, amount: p.parts.reduce((s, x) => s + x.amount, 0), htlcs: packedMap(p.parts, (x) => `${x.channel}#${x.htlcId}`) });
  const all = claimTargets(p);
  node.state.claimingNow = p.hash;
  for (const part of p.parts) claimInbound(node, part.channel, part.htlcId, preimage, all, p);
  node.state.claimingNow = undefined;
  if (p.parts.length > 1) for (const part of p.parts) addBlocker(node, channelOf(node.state, part.channel), { kind: 'mpp-claim', hash: p.hash }, 'ldk-3120');
  finishClaimIfDurable(node, p);
  markDirty(node);
}

/** A final-hop claim the chain confirmed: make sure PaymentClaimed was (or will be) delivered. */
export function claimedOnChain(node: LnNode, hash: string, payment: { paymentId: string; amount: number }): void {
  const p = node.state.mgr.claimable.find((c) => c.hash === hash);
  if (p && p.status !== 'claimable') return;
  if (p) p.status = 'claimed';
  else node.state.mgr.claimable = append(node.state.mgr.claimable, { hash, paymentId: payment.paymentId, totalAmount: payment.amount, parts: [], status: 'claimed', pendingPreimage: [] });
  node.env.trace('claimed-on-chain', { hash, paymentId: payment.paymentId });
  pushEvent(node, { type: 'PaymentClaimed', hash, amount: payment.amount });
}

/**
 * A preimage in any monitor is replayed: pending outbound payments succeed,
 * and the inbound HTLCs its claim was for (every MPP part, the upstream edge
 * of a forward) are claimed again; PaymentClaimed is regenerated from the
 * monitor's record of the claim even if the manager never heard of it.
 */
export function replayPreimages(node: LnNode): void {
  for (const m of [...node.state.monitors]) {
    for (const hash of Object.keys(m.preimages).sort()) {
      const preimage = m.preimages[hash];
      for (const p of node.state.mgr.outbound) if (p.hash === hash && p.status === 'pending') succeedPayment(node, p.paymentId, preimage);
      const record = m.claims[hash];
      const targets = node.bugs.has('ldk-same-hash')
        ? node.state.mgr.channels.flatMap((ch) => ch.htlcs.filter((h) => !h.offered && h.hash === hash).map((h) => ({ channel: ch.id, id: h.id })))
        : (record?.htlcs ?? []);
      const pending = targets.filter(({ channel, id }) => {
        const ch = channelOf(node.state, channel);
        const htlc = chan.receivedHtlc(ch?.htlcs, id);
        // Unclaimed in the manager, or on a closed channel whose monitor has not learned the preimage.
        return htlc ? htlc.removal === undefined : ch !== undefined && ch.status !== 'open' && monitorOf(node.state, channel)?.preimages[hash] === undefined;
      });
      const payment = record?.payment ?? finalHopPayment(node.state, targets);
      // ldk-2364: only monitors of channels the loaded manager no longer lists are walked for forwards' preimages.
      if (node.bugs.has('ldk-2364') && !payment && channelOf(node.state, m.channel)) continue;
      const claimed = node.state.mgr.claimable.find((c) => c.hash === hash);
      if (pending.length === 0 && (!payment || claimed?.status === 'claimed')) continue;
      node.env.trace('replay-claim', { hash, htlcs: packedMap(pending, (t) => `${t.channel}#${t.id}`) });
      reclaim(node, hash, preimage, targets, pending, payment);
    }
  }
}

/** The payment a set of inbound HTLCs belongs to, if we are its final hop and the manager knows them. */
export function finalHopPayment(state: LnState, targets: readonly { channel: string; id: number }[]): { paymentId: string; amount: number } | undefined {
  for (const t of targets) {
    const onion = chan.receivedHtlc(channelOf(state, t.channel)?.htlcs, t.id)?.onion;
    if (onion?.paymentId !== undefined) return { paymentId: onion.paymentId, amount: onion.totalAmount ?? 0 };
  }
  return undefined;
}

/** Claim again, at restart, the inbound HTLCs of a preimage a monitor knows (a payment to us, or a forward's upstream edge). */
export function reclaim(node: LnNode, hash: string, preimage: string, targets: { channel: string; id: number }[], pending: { channel: string; id: number }[], payment: { paymentId: string; amount: number } | undefined): void {
  if (!payment) {
    // The upstream edge of a forward.
    for (const t of pending) claimInbound(node, t.channel, t.id, preimage, [], undefined, hash);
    return;
  }
  let p = node.state.mgr.claimable.find((c) => c.hash === hash);
  if (!p) {
    p = { hash, paymentId: payment.paymentId, totalAmount: payment.amount, parts: [], status: 'claiming', pendingPreimage: [] };
    node.state.mgr.claimable = append(node.state.mgr.claimable, p);
  }
  if (p.status === 'claimed' && pending.length === 0) return;
  p.status = 'claiming';
  for (const t of targets) {
    if (p.parts.some((x) => x.channel === t.channel && x.htlcId === t.id)) continue;
    const htlc = chan.receivedHtlc(channelOf(node.state, t.channel)?.htlcs, t.id);
    p.parts.push({ channel: t.channel, htlcId: t.id, amount: htlc?.amount ?? 0, cltv: htlc?.cltv ?? 0 });
  }
  node.state.claimingNow = hash;
  const claim = claimTargets(p);
  for (const t of pending) claimInbound(node, t.channel, t.id, preimage, claim, p, hash);
  node.state.claimingNow = undefined;
  if (p.parts.length > 1) {
    for (const part of p.parts) addBlocker(node, channelOf(node.state, part.channel), { kind: 'mpp-claim', hash }, 'ldk-3120');
  }
  finishClaimIfDurable(node, p);
}

/** The inbound HTLCs a claim of the payment covers: every part it has. */
function claimTargets(p: ClaimablePayment): { channel: string; id: number }[] {
  return packedMap(p.parts, (x) => ({ channel: x.channel, id: x.htlcId }));
}
