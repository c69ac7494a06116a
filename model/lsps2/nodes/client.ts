// The LSPS2 client: buys a JIT channel (get_info, buy), issues invoices on the
// JIT scid and hands them to the payer, accepts the LSP's channel open, and
// claims the payment once the forwarded parts deliver payment_size minus the
// promised fee — checking every extra_fee against that promise. When the LSP
// says client_trusts_lsp = false, it waits for the funding transaction to
// show up on chain before releasing the preimage (bLIP-52 lets it).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Message, NodeBehaviour, NodeEnv } from '../../../sim/node.ts';
import { INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, MPP_TIMEOUT } from '../failure-codes.ts';
import { closeEndpoint, isLinkMessage, loadEndpoint, newEndpoint, onLinkConnect, onLinkMessage, resolveIncoming, type Endpoint, type InHtlc, type LinkHost } from '../link.ts';
import { checkPart, checkTotalFee, isClaimable, type ReceivedPart } from '../protocol/client-check.ts';
import { openingFeeFor, type OpeningFeeParams } from '../protocol/fee-params.ts';
import { clientPlanBuy, type BuyResult, type GetInfoResult, type RpcError } from '../protocol/lsps2-api.ts';
import type { Invoice } from './payer.ts';
import { newDurableCallbacks, persist, runDurable, type DurableCallbacks } from './durable.ts';

export interface ClientOptions {
  readonly lsp: string;
  readonly payer: string;
  /** max_accepted_htlcs the client sets on a JIT channel. */
  readonly maxAcceptedHtlcs: number;
  /** Ticks the client waits for an incomplete set of parts before failing them (BOLT 4: 60 s). */
  readonly mppTimeout: number;
  /** Longest time the client takes to answer an open_channel (a mobile wallet woken by a push); each open draws 0..this. 0: at once. */
  readonly acceptDelayMax: number;
}

/** Workload command: buy one JIT channel and issue invoices on it. */
export interface BuyCommand {
  readonly kind: 'buy';
  readonly purchase: string;
  /** Fixed-invoice mode when set. */
  readonly paymentSizeMsat?: number;
  /** Var-invoice mode: what the invoice asks the payer to send. */
  readonly varAmountMsat?: number;
  /** Number of invoices (payment hashes) on the scid. */
  readonly invoices: 1 | 2;
  /** With two invoices: hand both to the payer at once, or the second after the first is paid. */
  readonly second?: 'concurrent' | 'sequential';
  /** Reuse the payment hash of another purchase's first invoice (a client re-buying for one payment). */
  readonly reuseHashOf?: string;
}

interface ClientInvoice {
  readonly hash: string;
  readonly preimage: string;
  readonly amountMsat: number;
  sent: boolean;
  acked: boolean;
  claimed: boolean;
}

interface ClientPurchase {
  readonly command: BuyCommand;
  stage: 'info' | 'buy' | 'bought' | 'failed';
  params?: OpeningFeeParams;
  scid?: string;
  trustsLsp?: boolean;
  cltvDelta?: number;
  validUntil?: number;
  invoices: ClientInvoice[];
}

interface ClientChannel {
  readonly id: string;
  readonly purchase: string;
  readonly fundingTxid: string;
  closed: boolean;
}

export interface ClientState {
  readonly opts: ClientOptions;
  readonly cb: DurableCallbacks;
  readonly purchases: Map<string, ClientPurchase>;
  readonly channels: Map<string, ClientChannel>;
  readonly links: Map<string, Endpoint>;
  /** Opens proposed by the LSP and not yet signed, by channel: the purchase scid (memory only: a disconnect forgets them). */
  readonly pendingOpens: Map<string, string>;
}

// Preimages and payment hashes are sha256 values cut to 64 bits: unique enough
// within a run, and four times lighter on the trace than the full 256 bits.
const HEX_CHARS = 16;

// Pure and asked for the same few values in run after run of a sweep: remembered, up to a bound.
const MEMO_LIMIT = 4_096;
const digests = new Map<string, string>();

/** sha256 of the text's UTF-8 (payment hashes: @noble), as hex cut to HEX_CHARS. */
function shortSha256(text: string): string {
  let digest = digests.get(text);
  if (digest === undefined) {
    if (digests.size >= MEMO_LIMIT) digests.clear();
    digest = bytesToHex(sha256(utf8ToBytes(text))).slice(0, HEX_CHARS);
    digests.set(text, digest);
  }
  return digest;
}

export function preimageOf(purchase: string): string {
  return shortSha256(`preimage/${purchase}`);
}

export function hashOf(preimage: string): string {
  return shortSha256(preimage);
}

const purchaseKey = (id: string) => `client/purchase/${id}`;
const channelKey = (id: string) => `client/chan/${id}`;

function save(state: ClientState, env: NodeEnv, p: ClientPurchase, after?: () => void): void {
  persist(env, state.cb, purchaseKey(p.command.purchase), JSON.stringify(p), after);
}

// ---- buying -------------------------------------------------------------------

function sendRequest(state: ClientState, env: NodeEnv, p: ClientPurchase): void {
  const id = p.command.purchase;
  if (p.stage === 'info') env.send(state.opts.lsp, { type: 'lsps2.get_info', id });
  else if (p.stage === 'buy') {
    env.send(state.opts.lsp, { type: 'lsps2.buy', id, opening_fee_params: p.params, ...(p.command.paymentSizeMsat !== undefined ? { payment_size_msat: String(p.command.paymentSizeMsat) } : {}) });
  }
}

function onBuyCommand(state: ClientState, env: NodeEnv, command: BuyCommand): void {
  if (state.purchases.has(command.purchase)) return;
  const p: ClientPurchase = { command, stage: 'info', invoices: [] };
  state.purchases.set(command.purchase, p);
  save(state, env, p, () => sendRequest(state, env, p));
}

function fail(state: ClientState, env: NodeEnv, p: ClientPurchase, error: RpcError): void {
  p.stage = 'failed';
  save(state, env, p);
  env.trace('client-buy-failed', { purchase: p.command.purchase, code: error.code, message: error.message });
}

function onGetInfoResponse(state: ClientState, env: NodeEnv, message: Message): void {
  const p = state.purchases.get(message.id as string);
  if (!p || p.stage !== 'info') return;
  if (message.error) return fail(state, env, p, message.error as RpcError);
  const menu = (message.result as GetInfoResult).opening_fee_params_menu;
  const size = p.command.paymentSizeMsat;
  const plan = clientPlanBuy(menu, size === undefined ? undefined : BigInt(size));
  if (!plan.ok) return fail(state, env, p, plan.error);
  p.stage = 'buy';
  p.params = plan.result.params;
  save(state, env, p, () => sendRequest(state, env, p));
}

function onBuyResponse(state: ClientState, env: NodeEnv, message: Message): void {
  const p = state.purchases.get(message.id as string);
  if (!p || p.stage !== 'buy') return;
  if (message.error) return fail(state, env, p, message.error as RpcError);
  const result = message.result as BuyResult;
  const id = p.command.purchase;
  p.stage = 'bought';
  p.scid = result.jit_channel_scid;
  p.trustsLsp = result.client_trusts_lsp;
  p.cltvDelta = result.lsp_cltv_expiry_delta;
  p.validUntil = p.params!.valid_until;
  const amountMsat = p.command.paymentSizeMsat ?? p.command.varAmountMsat!;
  const firstPreimage = p.command.reuseHashOf !== undefined ? preimageOf(p.command.reuseHashOf) : preimageOf(id);
  const preimages = p.command.invoices === 2 ? [firstPreimage, preimageOf(`${id}/2`)] : [firstPreimage];
  p.invoices = preimages.map((preimage) => ({ hash: hashOf(preimage), preimage, amountMsat, sent: false, acked: false, claimed: false }));
  env.trace('client-bought', { purchase: id, scid: p.scid, trustsLsp: p.trustsLsp, hashes: p.invoices.map((i) => i.hash) });
  save(state, env, p, () => sendInvoices(state, env, p));
}

/** Hand the payer every invoice that is due and not acknowledged. */
function sendInvoices(state: ClientState, env: NodeEnv, p: ClientPurchase): void {
  if (p.stage !== 'bought') return;
  p.invoices.forEach((inv, i) => {
    const due = i === 0 || p.command.second !== 'sequential' || p.invoices[0].claimed;
    if (!due || inv.acked) return;
    inv.sent = true;
    const invoice: Invoice = { hash: inv.hash, amountMsat: inv.amountMsat, jitScid: p.scid!, lsp: state.opts.lsp, cltvExpiryDelta: p.cltvDelta!, mpp: p.command.paymentSizeMsat !== undefined, expiresAt: p.validUntil! };
    env.send(state.opts.payer, { type: 'invoice', invoice });
  });
}

function onInvoiceAck(state: ClientState, env: NodeEnv, hash: string, scid: string): void {
  for (const p of state.purchases.values()) {
    if (p.scid !== scid) continue;
    const inv = p.invoices.find((i) => i.hash === hash && !i.acked);
    if (!inv) continue;
    inv.acked = true;
    save(state, env, p);
  }
}

// ---- the JIT channel ----------------------------------------------------------

function onFundingCreated(state: ClientState, env: NodeEnv, channel: string, fundingTxid: string): void {
  const purchase = state.pendingOpens.get(channel);
  if (purchase === undefined) return;
  state.pendingOpens.delete(channel);
  const chan: ClientChannel = { id: channel, purchase, fundingTxid, closed: false };
  state.channels.set(channel, chan);
  state.links.set(channel, newEndpoint(channel, state.opts.lsp));
  persist(env, state.cb, channelKey(channel), JSON.stringify(chan), () => env.send(state.opts.lsp, { type: 'funding_signed', channel }));
}

function acceptChannel(state: ClientState, env: NodeEnv, channel: string): void {
  if (!state.pendingOpens.has(channel)) return;
  env.send(state.opts.lsp, { type: 'accept_channel', channel, maxAcceptedHtlcs: state.opts.maxAcceptedHtlcs });
}

function onChannelGone(state: ClientState, env: NodeEnv, channel: string): void {
  state.pendingOpens.delete(channel);
  const chan = state.channels.get(channel);
  if (!chan || chan.closed) return;
  chan.closed = true;
  persist(env, state.cb, channelKey(channel), JSON.stringify(chan));
  const ep = state.links.get(channel);
  if (ep) closeEndpoint(env, state.cb, ep);
}

// ---- receiving ------------------------------------------------------------------

interface Found {
  readonly purchase: ClientPurchase;
  readonly invoice: ClientInvoice;
}

/** The invoice a payment hash pays on the channels of one purchase (a re-bought payment may reuse its hash). */
function findInvoice(state: ClientState, hash: string, scid: string): Found | undefined {
  for (const purchase of state.purchases.values()) {
    if (purchase.scid !== scid) continue;
    const invoice = purchase.invoices.find((i) => i.hash === hash);
    if (invoice) return { purchase, invoice };
  }
  return undefined;
}

/** Unresolved parts of a hash on the open channels of one purchase. */
function pendingParts(state: ClientState, hash: string, scid: string): { ep: Endpoint; htlc: InHtlc }[] {
  const out: { ep: Endpoint; htlc: InHtlc }[] = [];
  for (const ep of state.links.values()) {
    if (ep.closed || state.channels.get(ep.scid)?.purchase !== scid) continue;
    for (const htlc of ep.in.values()) if (htlc.add.hash === hash && htlc.resolution === undefined) out.push({ ep, htlc });
  }
  return out;
}

/** Every (hash, purchase) with unresolved parts. */
function pendingPayments(state: ClientState): readonly { hash: string; scid: string }[] {
  // Made only once something is pending (most blocks, nothing is).
  let seen: Map<string, { hash: string; scid: string }> | undefined;
  for (const ep of state.links.values()) {
    const scid = state.channels.get(ep.scid)?.purchase;
    if (ep.closed || scid === undefined) continue;
    for (const h of ep.in.values()) if (h.resolution === undefined) (seen ??= new Map()).set(`${h.add.hash}@${scid}`, { hash: h.add.hash, scid });
  }
  return seen === undefined ? NONE_PENDING : [...seen.values()];
}

const NONE_PENDING: readonly { hash: string; scid: string }[] = Object.freeze([]);

const asReceived = (h: InHtlc): ReceivedPart => ({ onionAmountMsat: h.add.onion.amountToForwardMsat, receivedMsat: h.add.amountMsat, extraFeeMsat: h.add.extraFeeMsat });

function failPart(state: ClientState, env: NodeEnv, ep: Endpoint, htlc: InHtlc, code: number, reason: string): void {
  if (resolveIncoming(env, state.cb, ep, htlc, { kind: 'fail', code })) env.trace('client-fail', { hash: htlc.add.hash, htlc: `${ep.scid}/${htlc.add.id}`, code, reason });
}

/** Look at everything pending for a hash and claim, wait or fail. */
function evaluate(state: ClientState, env: NodeEnv, hash: string, scid: string): void {
  const parts = pendingParts(state, hash, scid);
  if (parts.length === 0) return;
  const found = findInvoice(state, hash, scid);
  if (!found || found.purchase.params === undefined) {
    for (const { ep, htlc } of parts) failPart(state, env, ep, htlc, INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, 'unknown payment hash');
    return;
  }
  const { purchase, invoice } = found;
  if (invoice.claimed) {
    // A part for a payment already claimed: nothing left to pay for.
    for (const { ep, htlc } of parts) failPart(state, env, ep, htlc, INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, 'payment already claimed');
    return;
  }
  const size = BigInt(purchase.command.paymentSizeMsat ?? parts[0].htlc.add.onion.amountToForwardMsat);
  const promised = openingFeeFor(purchase.params!, size);
  for (const { htlc } of parts) {
    const verdict = checkPart(asReceived(htlc));
    if (!verdict.ok) return rejectAll(state, env, parts, verdict.reason);
  }
  const received = parts.map(({ htlc }) => asReceived(htlc));
  const total = promised === undefined ? ({ ok: false, reason: 'opening fee overflows' } as const) : checkTotalFee(received, promised);
  if (!total.ok) return rejectAll(state, env, parts, total.reason);
  if (!isClaimable(received, size, promised!)) return;
  if (purchase.trustsLsp === false && !fundingVisible(state, env, parts)) return;
  claim(state, env, purchase, invoice, parts, size, promised!);
}

function rejectAll(state: ClientState, env: NodeEnv, parts: { ep: Endpoint; htlc: InHtlc }[], reason: string): void {
  env.trace('client-fee-rejected', { hash: parts[0].htlc.add.hash, reason });
  for (const { ep, htlc } of parts) failPart(state, env, ep, htlc, INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, reason);
}

/** The funding transaction of every channel carrying the parts is in the mempool or confirmed. */
function fundingVisible(state: ClientState, env: NodeEnv, parts: { ep: Endpoint }[]): boolean {
  return parts.every(({ ep }) => {
    const txid = state.channels.get(ep.scid)?.fundingTxid;
    return txid !== undefined && (env.chain.inMempool(txid) || env.chain.confirmations(txid) > 0);
  });
}

function claim(state: ClientState, env: NodeEnv, purchase: ClientPurchase, invoice: ClientInvoice, parts: { ep: Endpoint; htlc: InHtlc }[], size: bigint, promised: bigint): void {
  const extraFee = parts.reduce((s, { htlc }) => s + (htlc.add.extraFeeMsat ?? 0), 0);
  env.trace('client-claim', {
    purchase: purchase.command.purchase,
    scid: purchase.scid ?? '',
    hash: invoice.hash,
    parts: parts.map(({ ep, htlc }) => `${ep.scid}/${htlc.add.id}`),
    receivedMsat: parts.reduce((s, { htlc }) => s + htlc.add.amountMsat, 0),
    sizeMsat: Number(size),
    extraFeeMsat: extraFee,
    promisedFeeMsat: Number(promised),
  });
  invoice.claimed = true;
  save(state, env, purchase, () => sendInvoices(state, env, purchase));
  for (const { ep, htlc } of parts) resolveIncoming(env, state.cb, ep, htlc, { kind: 'fulfill', preimage: invoice.preimage });
}

function host(state: ClientState, env: NodeEnv): LinkHost {
  return {
    onIncoming(ep, htlc) {
      const scid = state.channels.get(ep.scid)?.purchase ?? '';
      const hash = htlc.add.hash;
      env.setTimer(state.opts.mppTimeout, 'mpp-timeout', { hash, scid });
      evaluate(state, env, hash, scid);
    },
    onResolved() {},
    onClosedChannel(ep) {
      env.send(state.opts.lsp, { type: 'channel_closed', channel: ep.scid });
    },
  };
}

function onMppTimeout(state: ClientState, env: NodeEnv, hash: string, scid: string): void {
  const parts = pendingParts(state, hash, scid);
  if (parts.length === 0) return;
  const found = findInvoice(state, hash, scid);
  const promised = found?.purchase.params && openingFeeFor(found.purchase.params, BigInt(found.purchase.command.paymentSizeMsat ?? parts[0].htlc.add.onion.amountToForwardMsat));
  const size = BigInt(found?.purchase.command.paymentSizeMsat ?? parts[0].htlc.add.onion.amountToForwardMsat);
  // A complete set waiting for the funding transaction is not an MPP timeout.
  if (promised !== undefined && isClaimable(parts.map(({ htlc }) => asReceived(htlc)), size, promised)) return;
  for (const { ep, htlc } of parts) failPart(state, env, ep, htlc, MPP_TIMEOUT, 'mpp timeout');
}

// ---- the node ---------------------------------------------------------------------

export function clientNode(opts: ClientOptions): NodeBehaviour<ClientState> {
  return {
    boot(env) {
      const state: ClientState = { opts, cb: newDurableCallbacks(), purchases: new Map(), channels: new Map(), links: new Map(), pendingOpens: new Map() };
      for (const key of env.disk.keys('client/purchase/')) {
        const p = JSON.parse(env.disk.read(key)!) as ClientPurchase;
        state.purchases.set(p.command.purchase, p);
      }
      for (const key of env.disk.keys('client/chan/')) {
        const c = JSON.parse(env.disk.read(key)!) as ClientChannel;
        state.channels.set(c.id, c);
        state.links.set(c.id, loadEndpoint(env, c.id, opts.lsp));
      }
      for (const { hash, scid } of pendingPayments(state)) {
        env.setTimer(opts.mppTimeout, 'mpp-timeout', { hash, scid });
        evaluate(state, env, hash, scid);
      }
      return state;
    },
    onMessage(state, env, from, message: Message) {
      if (isLinkMessage(message)) {
        const ep = state.links.get(message.scid as string);
        if (ep && ep.peer === from) onLinkMessage(env, state.cb, ep, message, host(state, env));
        return;
      }
      switch (message.type) {
        case 'lsps2.get_info.response':
          return onGetInfoResponse(state, env, message);
        case 'lsps2.buy.response':
          return onBuyResponse(state, env, message);
        case 'invoice_ack':
          return onInvoiceAck(state, env, message.hash as string, message.scid as string);
        case 'open_channel': {
          const channel = message.channel as string;
          state.pendingOpens.set(channel, message.purchase as string);
          const delay = opts.acceptDelayMax > 0 ? env.draw(opts.acceptDelayMax + 1, `accept delay ${channel}`) : 0;
          if (delay === 0) return acceptChannel(state, env, channel);
          env.setTimer(delay, 'accept', { channel });
          return;
        }
        case 'funding_created':
          return onFundingCreated(state, env, message.channel as string, message.fundingTxid as string);
        case 'funding_abort':
        case 'channel_closed':
          return onChannelGone(state, env, message.channel as string);
      }
    },
    onDurable(state, _env, tag) {
      runDurable(state.cb, tag);
    },
    onTimer(state, env, tag, data) {
      if (tag === 'accept') acceptChannel(state, env, (data as { channel: string }).channel);
      if (tag === 'mpp-timeout') onMppTimeout(state, env, (data as { hash: string; scid: string }).hash, (data as { hash: string; scid: string }).scid);
    },
    onBlock(state, env) {
      // Waiting for a funding transaction to appear (client_trusts_lsp = false).
      for (const { hash, scid } of pendingPayments(state)) evaluate(state, env, hash, scid);
    },
    onConnect(state, env, peer) {
      if (peer === opts.lsp) {
        for (const p of state.purchases.values()) sendRequest(state, env, p);
        for (const ep of state.links.values()) onLinkConnect(env, ep);
      }
      if (peer === opts.payer) for (const p of state.purchases.values()) sendInvoices(state, env, p);
    },
    onDisconnect(state, _env, peer) {
      if (peer === opts.lsp) state.pendingOpens.clear();
    },
    onCommand(state, env, command) {
      if ((command as BuyCommand).kind === 'buy') onBuyCommand(state, env, command as BuyCommand);
    },
    snapshot: (state) => ({
      purchases: [...state.purchases.values()].map((p) => ({ id: p.command.purchase, stage: p.stage, scid: p.scid ?? null, invoices: p.invoices.map((i) => ({ hash: i.hash, claimed: i.claimed })) })),
      channels: [...state.channels.values()],
    }),
  };
}

/** Purchases whose buy flow never finished (liveness). */
export function unfinishedPurchases(state: ClientState): string[] {
  return [...state.purchases.values()].filter((p) => p.stage === 'info' || p.stage === 'buy').map((p) => p.command.purchase);
}
