// The application on top of an LDK node: what a wallet does with LDK's events,
// on the model's schedule and with the model's draws (model/application.ts,
// shared with model/ln), so both backends see the same kind of workload. It records what the invariants judge: payments sent, failed,
// claimed, channels closed.
import type { NodeEnv } from '../../sim/node.ts';
import { refusesPayment, type ApplicationPace } from '../application.ts';
import { toHex } from './bytes.ts';
import type * as ldk from 'lightningdevkit';
import { L } from './wasm.ts';


/** Deliberately broken application behaviours (harness shims that prove an invariant can fail). */
export interface AppShims {
  /** Handle PaymentClaimed without recording it (an app that drops the event). */
  readonly dropPaymentClaimed?: boolean;
  /** Record PaymentFailed for a payment that was sent (an app that misreads the outcome). */
  readonly reportSentAsFailed?: boolean;
  /** Ignore PendingHTLCsForwardable (an app that never forwards nor fails back what it received). */
  readonly dropForwardable?: boolean;
  /** Fail a claimable payment back yet book it as claimed (PaymentClaimed): the money stays with the payer. */
  readonly bookRefusalAsClaimed?: boolean;
}

/** A spendable output LDK hands the wallet, as `txid:vout` and its value (the balance invariant counts them). */
function spendable(d: ldk.SpendableOutputDescriptor): { outpoint: string; sat: string } {
  const [outpoint, output] =
    d instanceof L.SpendableOutputDescriptor_StaticOutput ? [d.outpoint, d.output]
    : d instanceof L.SpendableOutputDescriptor_DelayedPaymentOutput ? [d.delayed_payment_output.get_outpoint(), d.delayed_payment_output.get_output()]
    : [(d as ldk.SpendableOutputDescriptor_StaticPaymentOutput).static_payment_output.get_outpoint(), (d as ldk.SpendableOutputDescriptor_StaticPaymentOutput).static_payment_output.get_output()];
  return { outpoint: `${toHex(Uint8Array.from(outpoint.get_txid()).reverse())}:${outpoint.get_index()}`, sat: output.value.toString() };
}

const optionalBytes = (o: unknown): string | undefined => (o instanceof L.Option_ThirtyTwoBytesZ_Some ? toHex(o.some) : undefined);
const channelName = (id: ldk.ChannelId, names: Readonly<Record<string, string>>): string => names[toHex(id.get_a())] ?? toHex(id.get_a()).slice(0, 12);

/** Act on one event. `cm`: the node's ChannelManager; `channels`: LDK channel id → scenario channel name. */
export function handleEvent(event: ldk.Event, cm: ldk.ChannelManager, env: NodeEnv, params: ApplicationPace, shims: AppShims, channels: Readonly<Record<string, string>>): void {
  if (event instanceof L.Event_PendingHTLCsForwardable) {
    env.trace('ldk-event', { event: 'PendingHTLCsForwardable' });
    if (!shims.dropForwardable) cm.process_pending_htlc_forwards();
  } else if (event instanceof L.Event_PaymentClaimable) {
    const hash = toHex(event.payment_hash);
    env.trace('ldk-event', { event: 'PaymentClaimable', hash, amountMsat: event.amount_msat.toString() });
    const preimage = event.purpose.preimage();
    if (refusesPayment(env, params, hash.slice(0, 16)) || !(preimage instanceof L.Option_ThirtyTwoBytesZ_Some)) {
      env.trace('refuse', { hash });
      cm.fail_htlc_backwards(event.payment_hash);
      if (shims.bookRefusalAsClaimed) env.trace('ldk-event', { event: 'PaymentClaimed', hash, amountMsat: event.amount_msat.toString() });
    } else {
      env.trace('claim', { hash });
      cm.claim_funds(preimage.some);
    }
  } else if (event instanceof L.Event_PaymentClaimed) {
    if (shims.dropPaymentClaimed) return;
    env.trace('ldk-event', { event: 'PaymentClaimed', hash: toHex(event.payment_hash), amountMsat: event.amount_msat.toString() });
  } else if (event instanceof L.Event_PaymentSent) {
    const paymentId = optionalBytes(event.payment_id);
    if (shims.reportSentAsFailed) return void env.trace('ldk-event', { event: 'PaymentFailed', paymentId, hash: toHex(event.payment_hash) });
    env.trace('ldk-event', { event: 'PaymentSent', paymentId, hash: toHex(event.payment_hash), preimage: toHex(event.payment_preimage) });
  } else if (event instanceof L.Event_PaymentFailed) {
    env.trace('ldk-event', { event: 'PaymentFailed', paymentId: toHex(event.payment_id), hash: optionalBytes(event.payment_hash) });
  } else if (event instanceof L.Event_PaymentForwarded) {
    env.trace('ldk-event', { event: 'PaymentForwarded', from: channelName(event.prev_channel_id, channels), to: channelName(event.next_channel_id, channels), onchain: event.claim_from_onchain_tx });
  } else if (event instanceof L.Event_ChannelClosed) {
    env.trace('ldk-event', { event: 'ChannelClosed', channel: channelName(event.channel_id, channels), reason: event.reason.constructor.name.replace('ClosureReason_', '') });
  } else if (event instanceof L.Event_HTLCHandlingFailed) {
    env.trace('ldk-event', { event: 'HTLCHandlingFailed', channel: channelName(event.prev_channel_id, channels) });
  } else if (event instanceof L.Event_SpendableOutputs) {
    env.trace('ldk-event', { event: 'SpendableOutputs', outputs: event.outputs.map(spendable) });
  } else if (event instanceof L.Event_PaymentPathSuccessful || event instanceof L.Event_PaymentPathFailed) {
    env.trace('ldk-event', { event: event.constructor.name.replace('Event_', '') });
  } else {
    env.trace('ldk-event', { event: event.constructor.name.replace('Event_', '') });
  }
}
