// lsps2.get_info and lsps2.buy over the client's BOLT 8 connection (LSPS0
// JSON-RPC, as messages). A purchase is answered only once its record is
// durable: the client may use the scid in an invoice at once.
import type { Message, NodeEnv } from '../../../sim/node.ts';
import { BUG } from '../bugs.ts';
import { persist } from '../nodes/durable.ts';
import { getInfo, validateBuy, type BuyRequest, type BuyResult } from '../protocol/lsps2-api.ts';
import { freshId, type LspState, type Purchase } from './state.ts';

export function onGetInfo(state: LspState, env: NodeEnv, from: string, message: Message): void {
  const answer = getInfo(state.opts.offer, { token: message.token as string | undefined }, env.now);
  env.send(from, answer.ok ? { type: 'lsps2.get_info.response', id: message.id, result: answer.result } : { type: 'lsps2.get_info.response', id: message.id, error: answer.error });
}

function buyResult(state: LspState, purchase: Purchase): BuyResult {
  return {
    jit_channel_scid: purchase.scid,
    lsp_cltv_expiry_delta: state.opts.offer.cltvExpiryDelta,
    // The LSP withholds funding until the preimage is back: that is the client-trusts-LSP model and
    // must be advertised (cln-trust-flag: advertises false anyway).
    client_trusts_lsp: state.opts.bugs.has(BUG.trustFlag) ? false : state.opts.offer.clientTrustsLsp,
  };
}

export function onBuy(state: LspState, env: NodeEnv, from: string, message: Message, durable: Set<string>): void {
  const id = message.id as string;
  const existing = [...state.purchases.values()].find((p) => p.requestId === id && p.client === from);
  if (existing) {
    // A retransmitted request: same answer, once the purchase is on disk.
    if (durable.has(existing.scid)) env.send(from, { type: 'lsps2.buy.response', id, result: buyResult(state, existing) });
    return;
  }
  const request: BuyRequest = { opening_fee_params: message.opening_fee_params, ...(message.payment_size_msat !== undefined ? { payment_size_msat: message.payment_size_msat as string } : {}) };
  const answer = validateBuy(state.opts.offer, request, env.now);
  if (!answer.ok) {
    env.trace('lsps2-buy-error', { client: from, code: answer.error.code, message: answer.error.message });
    env.send(from, { type: 'lsps2.buy.response', id, error: answer.error });
    return;
  }
  const scid = `${freshId(state, env.now)}x0`;
  const size = answer.result.paymentSizeMsat;
  const purchase: Purchase = { scid, requestId: id, client: from, params: answer.result.params, paymentSizeMsat: size === undefined ? undefined : Number(size) };
  state.purchases.set(scid, purchase);
  persist(env, state.cb, `buy/${scid}`, JSON.stringify(purchase), () => {
    durable.add(scid);
    env.trace('lsps2-buy', { scid, client: from, paymentSizeMsat: purchase.paymentSizeMsat ?? null, openingFeeMsat: answer.result.openingFeeMsat ?? null, params: purchase.params as unknown as Record<string, unknown> });
    env.send(from, { type: 'lsps2.buy.response', id, result: buyResult(state, purchase) });
  });
}
