// The payer: receives invoices from the client (out of band), pays them over
// its channels to the LSP, MPP when the invoice allows. Like real MPP payers
// it keeps the intended amount in flight: a part that fails temporarily is
// re-sent (as one part for what is missing) while the invoice is valid and
// the retry budget lasts; a permanent failure ends the payment. An HTLC still
// pending when the tip passes its cltv_expiry makes the payer go on chain (an
// upstream force-close, what the LSP's CLTV margin is there to avoid).
import type { Block } from '../../../sim/chain.ts';
import type { Message, NodeBehaviour, NodeEnv } from '../../../sim/node.ts';
import { isPermanent } from '../failure-codes.ts';
import { isLinkMessage, loadEndpoint, offer, onLinkConnect, onLinkMessage, resolveOutLocally, type Endpoint, type LinkHost, type OutHtlc } from '../link.ts';
import { newDurableCallbacks, persist, runDurable, type DurableCallbacks } from './durable.ts';

export interface Invoice {
  readonly hash: string;
  /** Fixed mode: payment_size_msat. Var mode: what the payer chose to pay. */
  readonly amountMsat: number;
  readonly jitScid: string;
  readonly lsp: string;
  readonly cltvExpiryDelta: number;
  /** MPP allowed (fixed-invoice mode). */
  readonly mpp: boolean;
  /** Do not pay after this time (the offer's valid_until). */
  readonly expiresAt: number;
}

export interface PayerOptions {
  readonly lsp: string;
  readonly client: string;
  /** The payer's channels to the LSP. */
  readonly channels: readonly string[];
  /** Most parts of a first MPP attempt (drawn 1..maxParts). */
  readonly maxParts: number;
  /** Chance in [0, 1] of sending one extra part on top of the amount (BOLT 4 allows overpaying). */
  readonly overpayChance: number;
  /** Re-sends allowed per payment. */
  readonly maxResends: number;
  /** Ticks between a failure and the re-send. */
  readonly retryDelay: number;
  /** Blocks added to the LSP's cltv delta for the client's final hop: expiry = height + delta + finalCltv. */
  readonly finalCltv: number;
}

interface Payment {
  readonly invoice: Invoice;
  /** What the payer means to have in flight. */
  target: number;
  resends: number;
  givenUp: boolean;
  outcome?: 'succeeded' | 'failed';
  parts: number;
}

export interface PayerState {
  readonly opts: PayerOptions;
  readonly cb: DurableCallbacks;
  readonly links: Map<string, Endpoint>;
  readonly payments: Map<string, Payment>;
}

/** A payment is one invoice: a hash on a route hint (a re-bought payment may reuse its hash on another scid). */
export function paymentId(hash: string, jitScid: string): string {
  return `${hash}@${jitScid}`;
}

const idOf = (invoice: Invoice) => paymentId(invoice.hash, invoice.jitScid);
const payKey = (id: string) => `payer/pay/${id}`;

/**
 * A payment, built here only: every member from birth in the order JSON.stringify has always written them (outcome,
 * set last, after parts; undefined is not written), so a new payment and one loaded from disk share one hidden class.
 */
function paymentRecord(invoice: Invoice, target: number, resends: number, givenUp: boolean, parts: number, outcome: Payment['outcome']): Payment {
  return { invoice, target, resends, givenUp, parts, outcome };
}

function save(state: PayerState, env: NodeEnv, p: Payment, after?: () => void): void {
  persist(env, state.cb, payKey(idOf(p.invoice)), JSON.stringify(p), after);
}

function partsOf(state: PayerState, invoice: Invoice): OutHtlc[] {
  const out: OutHtlc[] = [];
  for (const ep of state.links.values()) for (const h of ep.out.values()) if (h.add.hash === invoice.hash && h.add.onion.nextScid === invoice.jitScid) out.push(h);
  return out;
}

function inFlight(state: PayerState, invoice: Invoice): number {
  return partsOf(state, invoice)
    .filter((h) => h.resolution === undefined)
    .reduce((s, h) => s + h.add.amountMsat, 0);
}

function split(amount: number, k: number): number[] {
  const base = Math.floor(amount / k);
  return Array.from({ length: k }, (_, i) => (i === k - 1 ? amount - base * (k - 1) : base));
}

function sendParts(state: PayerState, env: NodeEnv, p: Payment, amounts: readonly number[]): void {
  const byChannel = new Map<Endpoint, Parameters<typeof offer>[3][number][]>();
  const expiry = env.chain.height + p.invoice.cltvExpiryDelta + state.opts.finalCltv;
  amounts.forEach((amountMsat, i) => {
    const ep = state.links.get(state.opts.channels[(p.parts + i) % state.opts.channels.length])!;
    const list = byChannel.get(ep) ?? [];
    list.push({ hash: p.invoice.hash, amountMsat, cltvExpiry: expiry, onion: { nextScid: p.invoice.jitScid, amountToForwardMsat: amountMsat, partId: `${p.invoice.hash.slice(0, 8)}/${p.parts + i}` } });
    byChannel.set(ep, list);
  });
  p.parts += amounts.length;
  save(state, env, p);
  for (const [ep, list] of byChannel) {
    for (const h of offer(env, state.cb, ep, list)) env.trace('payer-part', { hash: p.invoice.hash, htlc: `${ep.scid}/${h.add.id}`, amountMsat: h.add.amountMsat, cltvExpiry: h.add.cltvExpiry, partId: h.add.onion.partId });
  }
}

function startPayment(state: PayerState, env: NodeEnv, p: Payment): void {
  const { invoice } = p;
  const k = invoice.mpp ? 1 + env.draw(state.opts.maxParts, `parts of ${invoice.hash.slice(0, 8)}`) : 1;
  const amounts = split(invoice.amountMsat, k);
  if (invoice.mpp && env.draw(1000, `overpay ${invoice.hash.slice(0, 8)}`) < state.opts.overpayChance * 1000) amounts.push(Math.max(1, Math.floor(invoice.amountMsat / 10)));
  p.target = amounts.reduce((s, a) => s + a, 0);
  env.trace('payment-start', { hash: invoice.hash, amountMsat: invoice.amountMsat, target: p.target, parts: amounts.length, mpp: invoice.mpp });
  sendParts(state, env, p, amounts);
}

/** After a part failed: re-send what is missing, or conclude. */
function reconsider(state: PayerState, env: NodeEnv, p: Payment): void {
  if (p.outcome) return;
  const flying = inFlight(state, p.invoice);
  const canRetry = !p.givenUp && p.resends < state.opts.maxResends && env.now < p.invoice.expiresAt;
  if (canRetry && flying < p.target) {
    env.setTimer(state.opts.retryDelay, 'resend', { id: idOf(p.invoice) });
    return;
  }
  if (flying === 0) conclude(state, env, p, 'failed');
}

function conclude(state: PayerState, env: NodeEnv, p: Payment, outcome: 'succeeded' | 'failed'): void {
  if (p.outcome) return;
  p.outcome = outcome;
  save(state, env, p);
  env.trace('payment-outcome', { hash: p.invoice.hash, outcome });
}

function host(state: PayerState, env: NodeEnv): LinkHost {
  return {
    onIncoming(ep, htlc) {
      // Nobody pays the payer in this model.
      env.trace('payer-unexpected-htlc', { scid: ep.scid, id: htlc.add.id });
    },
    onResolved(ep, out) {
      const p = state.payments.get(paymentId(out.add.hash, out.add.onion.nextScid ?? ''));
      const r = out.resolution!;
      const htlc = `${ep.scid}/${out.add.id}`;
      env.trace('payer-part-resolved', r.kind === 'fail' ? { hash: out.add.hash, htlc, kind: r.kind, code: r.code } : { hash: out.add.hash, htlc, kind: r.kind });
      if (!p) return;
      if (r.kind === 'fulfill') return conclude(state, env, p, 'succeeded');
      if (r.kind === 'fail' && isPermanent(r.code) && !p.givenUp) {
        p.givenUp = true;
        save(state, env, p);
      }
      reconsider(state, env, p);
    },
  };
}

function onInvoice(state: PayerState, env: NodeEnv, from: string, invoice: Invoice): void {
  const known = state.payments.get(idOf(invoice));
  if (known) {
    env.send(from, { type: 'invoice_ack', hash: invoice.hash, scid: invoice.jitScid });
    return;
  }
  const p = paymentRecord(invoice, invoice.amountMsat, 0, false, 0, undefined);
  state.payments.set(idOf(invoice), p);
  save(state, env, p, () => {
    env.send(from, { type: 'invoice_ack', hash: invoice.hash, scid: invoice.jitScid });
    if (p.parts === 0 && !p.outcome) startPayment(state, env, p);
  });
}

function onBlock(state: PayerState, env: NodeEnv, height: number): void {
  for (const ep of state.links.values()) {
    // The live map, not a pendingOut copy (every block, every channel): nothing below adds HTLCs to it.
    for (const h of ep.out.values()) {
      if (h.resolution !== undefined || !h.committed || height <= h.add.cltvExpiry) continue;
      env.trace('upstream-force-close', { htlc: `${ep.scid}/${h.add.id}`, hash: h.add.hash, cltvExpiry: h.add.cltvExpiry, height });
      resolveOutLocally(env, state.cb, ep, h, { kind: 'timeout' });
      const p = state.payments.get(paymentId(h.add.hash, h.add.onion.nextScid ?? ''));
      if (p) reconsider(state, env, p);
    }
  }
}

export function payerNode(opts: PayerOptions): NodeBehaviour<PayerState> {
  return {
    boot(env) {
      const state: PayerState = { opts, cb: newDurableCallbacks(), links: new Map(), payments: new Map() };
      for (const scid of opts.channels) state.links.set(scid, loadEndpoint(env, scid, opts.lsp));
      for (const key of env.disk.keys('payer/pay/')) {
        const stored = JSON.parse(env.disk.read(key)!) as Payment;
        const p = paymentRecord(stored.invoice, stored.target, stored.resends, stored.givenUp, stored.parts, stored.outcome);
        state.payments.set(idOf(p.invoice), p);
      }
      for (const p of state.payments.values()) {
        if (p.outcome) continue;
        // The payment record may lag the channel records it was written before: count what went out.
        p.parts = Math.max(p.parts, partsOf(state, p.invoice).length);
        if (partsOf(state, p.invoice).some((h) => h.resolution?.kind === 'fulfill')) {
          conclude(state, env, p, 'succeeded');
          continue;
        }
        if (p.parts === 0) startPayment(state, env, p);
        else if (inFlight(state, p.invoice) === 0) reconsider(state, env, p);
      }
      return state;
    },
    onMessage(state, env, from, message: Message) {
      if (isLinkMessage(message)) {
        const ep = state.links.get(message.scid as string);
        if (ep && ep.peer === from) onLinkMessage(env, state.cb, ep, message, host(state, env));
        return;
      }
      if (message.type === 'invoice') onInvoice(state, env, from, message.invoice as Invoice);
    },
    onDurable(state, _env, tag) {
      runDurable(state.cb, tag);
    },
    onTimer(state, env, tag, data) {
      if (tag !== 'resend') return;
      const p = state.payments.get((data as { id: string }).id);
      if (!p || p.outcome) return;
      const missing = p.target - inFlight(state, p.invoice);
      if (missing <= 0 || p.givenUp || p.resends >= opts.maxResends || env.now >= p.invoice.expiresAt) return reconsider(state, env, p);
      p.resends++;
      env.trace('payment-resend', { hash: p.invoice.hash, amountMsat: missing, resend: p.resends });
      sendParts(state, env, p, [missing]);
    },
    onBlock(state, env, block: Block) {
      onBlock(state, env, block.height);
    },
    onConnect(state, env, peer) {
      for (const ep of state.links.values()) if (ep.peer === peer) onLinkConnect(env, ep);
    },
    onDisconnect() {},
    onCommand() {},
    snapshot: (state) => ({ payments: [...state.payments.values()].map((p) => ({ hash: p.invoice.hash, outcome: p.outcome ?? null, parts: p.parts, resends: p.resends })) }),
  };
}

/** Payments that have no outcome yet (liveness). */
export function unresolvedPayments(state: PayerState): string[] {
  return [...state.payments.values()].filter((p) => !p.outcome).map((p) => idOf(p.invoice));
}
