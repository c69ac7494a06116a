// The payment invariants on real LDK, judged from the events its application
// records (model/ldk/app.ts) and the payments it sent (model/ldk/node.ts).
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

interface Payment {
  readonly payer: string;
  readonly payee: string;
  readonly hash: string;
  readonly name: string;
  sent: boolean;
  failed: boolean;
}

/** Collects the payments of a run from its records (each checker keeps its own copy). */
class Ledger {
  readonly payments = new Map<string, Payment>();
  /** payee → hashes whose PaymentClaimed its application handled. */
  readonly claimed = new Map<string, Set<string>>();
  /** payee → hashes it called claim_funds for. */
  readonly claims = new Map<string, Set<string>>();

  record(r: TraceRecord): void {
    const d = r.d ?? {};
    if (r.k === 'pay') this.payments.set(d.paymentId as string, { payer: r.n!, payee: d.to as string, hash: d.hash as string, name: d.name as string, sent: false, failed: false });
    else if (r.k === 'claim') add(this.claims, r.n!, d.hash as string);
    else if (r.k === 'ldk-event' && d.event === 'PaymentClaimed') add(this.claimed, r.n!, d.hash as string);
  }
}

const add = (m: Map<string, Set<string>>, k: string, v: string) => (m.get(k) ?? m.set(k, new Set()).get(k)!).add(v);

/**
 * payment-outcome-consistent, as LDK documents it: PaymentSent carries the preimage of the payment's hash, and only
 * after the payee claimed; after PaymentSent, no PaymentFailed for that payment (LDK: a payment that succeeded is
 * never reported failed). A PaymentSent after PaymentFailed is allowed: LDK documents that an abandoned payment's
 * HTLCs may still be claimed.
 */
export function ldkPaymentOutcomeConsistent(): Checker {
  const ledger = new Ledger();
  /** payment id → the payer's incarnation (restart count) when PaymentSent was handled. */
  const sentIn = new Map<string, number>();
  const restarts = new Map<string, number>();
  return {
    name: 'payment-outcome-consistent',
    onRecord(r) {
      ledger.record(r);
      if (r.k === 'restart') restarts.set(r.n!, (restarts.get(r.n!) ?? 0) + 1);
      if (r.k !== 'ldk-event') return undefined;
      const d = r.d ?? {};
      const p = typeof d.paymentId === 'string' ? ledger.payments.get(d.paymentId) : undefined;
      if (d.event === 'PaymentSent') {
        if (!p) return `${r.n} got PaymentSent for a payment it never sent`;
        if (bytesToHex(sha256(hexToBytes(d.preimage as string))) !== p.hash) return `${r.n}: PaymentSent for ${p.name} carries a preimage that does not hash to its payment hash`;
        if (!ledger.claims.get(p.payee)?.has(p.hash)) return `${r.n}: PaymentSent for ${p.name} although ${p.payee} never claimed it`;
        p.sent = true;
        sentIn.set(d.paymentId as string, restarts.get(r.n!) ?? 0);
      } else if (d.event === 'PaymentFailed' && p) {
        if (p.sent && sentIn.get(d.paymentId as string) === (restarts.get(r.n!) ?? 0)) return `${r.n}: PaymentFailed for ${p.name} after PaymentSent`;
        p.failed = true;
      }
      return undefined;
    },
    atEnd() {
      // The payee took the money (its application saw PaymentClaimed): the payer must have learned of it.
      for (const p of ledger.payments.values()) {
        if (ledger.claimed.get(p.payee)?.has(p.hash) && !p.sent) return `${p.payee} was paid ${p.name} (PaymentClaimed) but ${p.payer} never got PaymentSent${p.failed ? ' (it got PaymentFailed)' : ''}`;
      }
      return undefined;
    },
  };
}

/** payment-claimed-delivered: a payment the payer saw succeed has its PaymentClaimed handled by the payee's application by the end. */
export function ldkPaymentClaimedDelivered(): Checker {
  const ledger = new Ledger();
  return {
    name: 'payment-claimed-delivered',
    onRecord(r) {
      ledger.record(r);
      if (r.k === 'ldk-event' && r.d?.event === 'PaymentSent') {
        const p = ledger.payments.get(r.d.paymentId as string);
        if (p) p.sent = true;
      }
      return undefined;
    },
    atEnd() {
      for (const p of ledger.payments.values()) {
        if (p.sent && !ledger.claimed.get(p.payee)?.has(p.hash)) return `${p.payee} claimed ${p.name} (the payer got PaymentSent) but its application never saw PaymentClaimed`;
      }
      return undefined;
    },
  };
}

/**
 * liveness: after the calm phase every payment sent is resolved (PaymentSent or PaymentFailed), and no monitor update
 * is still in flight. LDK documents that a payment is tracked only from the first manager write after send_payment:
 * a payer that crashes before that write is durable may forget it (the application retries by payment id), so such a
 * payment is not required to resolve.
 */
export function ldkLiveness(): Checker {
  const ledger = new Ledger();
  /** Per payer: payments not yet covered by a durable manager write; per manager write id, the payments it covers. */
  const unpersisted = new Map<string, Set<string>>();
  const covers = new Map<string, Set<string>>();
  const forgotten = new Set<string>();
  return {
    name: 'liveness',
    onRecord(r) {
      ledger.record(r);
      const node = r.n ?? '';
      if (r.k === 'pay') (unpersisted.get(node) ?? unpersisted.set(node, new Set()).get(node)!).add(r.d!.paymentId as string);
      else if (r.k === 'write' && r.d?.key === 'manager') covers.set(`${node}/${String(r.d.id)}`, new Set(unpersisted.get(node) ?? []));
      else if (r.k === 'durable' && r.d?.key === 'manager') {
        // Writes to one key complete in order: this one covers what it and every earlier write covered.
        for (const id of covers.get(`${node}/${String(r.d.id)}`) ?? []) unpersisted.get(node)?.delete(id);
      } else if (r.k === 'crash') {
        for (const id of unpersisted.get(node) ?? []) forgotten.add(id);
        unpersisted.get(node)?.clear();
      }
      if (r.k === 'ldk-event' && typeof r.d?.paymentId === 'string') {
        const p = ledger.payments.get(r.d.paymentId);
        if (p && r.d.event === 'PaymentSent') p.sent = true;
        if (p && r.d.event === 'PaymentFailed') p.failed = true;
      }
      return undefined;
    },
    atEnd(world: World) {
      for (const [id, p] of ledger.payments) if (!p.sent && !p.failed && !forgotten.has(id)) return `payment ${p.name} from ${p.payer} to ${p.payee} never resolved (no PaymentSent, no PaymentFailed)`;
      for (const node of world.nodeIds()) {
        const snap = world.snapshot(node) as { inflightMonitorUpdates?: { channel: string; ids: string[] }[] } | undefined;
        const stuck = snap?.inflightMonitorUpdates?.find((u) => u.ids.length > 0);
        if (stuck) return `${node}: monitor updates ${stuck.ids.join(', ')} of ${stuck.channel} still in progress at the end`;
      }
      return undefined;
    },
  };
}

/** ldk-panic: the Rust code panicked (RuntimeError: unreachable inside the WebAssembly). */
export function ldkPanic(): Checker {
  return {
    name: 'ldk-panic',
    onRecord: (r) => (r.k === 'ldk-panic' ? `${r.n}: rust-lightning panicked during ${String(r.d?.where)}: ${String(r.d?.message)}` : undefined),
  };
}
