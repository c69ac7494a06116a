// Fixed LDK node settings for the simulation, and the route constants our
// Router and the nodes' ChannelConfig must agree on.
import type * as ldk from 'lightningdevkit';
import { L } from './wasm.ts';

/** CLTV delta the payee asks of the last hop (LDK's minimum is 18). */
export const FINAL_CLTV = 24;
/** CLTV delta every forwarding node adds (LDK refuses forwards below its MIN_CLTV_EXPIRY_DELTA, 48). */
export const FORWARD_CLTV = 48;
/** Forwarding fee: base (msat) plus parts per million. */
export const FEE_BASE_MSAT = 1_000;
export const FEE_PPM = 1_000;
/** Constant feerate (sat per 1000 weight): fee estimation is not what we test. */
export const FEERATE = 253;
/** Invoice lifetime: longer than any run's header time (the invoice must not expire under us). */
export const INVOICE_EXPIRY_SECS = 10_000_000;

/** Channels confirm after one block (the setup chain confirms them before the run starts). */
export function userConfig(): ldk.UserConfig {
  const config = L.UserConfig.constructor_default();
  const handshake = config.get_channel_handshake_config();
  handshake.set_minimum_depth(1);
  handshake.set_announce_for_forwarding(false);
  config.set_channel_handshake_config(handshake);
  const limits = config.get_channel_handshake_limits();
  limits.set_max_minimum_depth(144);
  config.set_channel_handshake_limits(limits);
  const channel = config.get_channel_config();
  channel.set_cltv_expiry_delta(FORWARD_CLTV);
  channel.set_forwarding_fee_base_msat(FEE_BASE_MSAT);
  channel.set_forwarding_fee_proportional_millionths(FEE_PPM);
  config.set_channel_config(channel);
  // Our channels are unannounced; a middle node must still forward over them.
  config.set_accept_forwards_to_priv_channels(true);
  return config;
}

/** The fee a forwarding node charges to forward `amountMsat`. */
export const forwardFee = (amountMsat: bigint): bigint => BigInt(FEE_BASE_MSAT) + (amountMsat * BigInt(FEE_PPM)) / 1_000_000n;
