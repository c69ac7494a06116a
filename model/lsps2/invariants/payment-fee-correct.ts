// payment-fee-correct: the LSP deducts exactly the opening fee promised for
// the purchase — recomputed here, independently of the model, from bLIP-52's
// formula on the bought opening_fee_params and the agreed payment_size_msat
// (var-amount mode: on the single HTLC) — only from
// parts bought under that purchase: the first forward into the purchase's
// channel takes exactly that fee, the parts in flight never carry more, and
// the client never accepts more. (It may accept less: when a part that paid
// the fee fails after the other parts already deliver payment_size - fee,
// bLIP-52 lets the client claim them; that lost fee is the LSP's risk, and the
// spec's client check is "at most the opening fee".)
//
// The oracle is the spec's text, not the model's fee routine (a wrong formula in
// that routine would move the LSP, the client and a checker that called it all
// together): fee = max(min_fee_msat, (payment_size_msat * proportional +
// 999_999) / 1_000_000) in unsigned 64-bit integers, the division rounding
// down (so the + 999_999 rounds the proportional part up), any overflow of a
// multiplication or addition aborting the flow (no fee at all).
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';
import type { OpeningFeeParams } from '../protocol/fee-params.ts';
import type { Lsps2Roles } from './roles.ts';

export const NAME = 'payment-fee-correct';
export const DESCRIPTION = 'The LSP deducts exactly the promised opening fee (on the agreed payment_size_msat; var-amount mode: on the single HTLC) from the parts of the purchase it was promised for, never more across the parts in flight, and the client never accepts more than that fee.';

interface Bought {
  readonly params: OpeningFeeParams;
  readonly paymentSizeMsat: number | null;
}

interface ForwardedPart {
  readonly in: string;
  readonly nextScid: string;
  readonly amountMsat: number;
  readonly feeMsat: number;
  readonly failedLocally?: boolean;
}

const U64_LIMIT = 1n << 64n;

/** bLIP-52 "Computing the opening_fee", from the spec's text; undefined when a step overflows u64 or a field is not a u64 amount. */
export function specOpeningFee(paymentSizeMsat: bigint, minFeeMsat: string, proportional: number): bigint | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(minFeeMsat) || !Number.isSafeInteger(proportional) || proportional < 0 || paymentSizeMsat < 0n) return undefined;
  const minFee = BigInt(minFeeMsat);
  const product = paymentSizeMsat * BigInt(proportional);
  if (minFee >= U64_LIMIT || product >= U64_LIMIT) return undefined;
  const sum = product + 999_999n;
  if (sum >= U64_LIMIT) return undefined;
  const fee = sum / 1_000_000n;
  return fee < minFee ? minFee : fee;
}

function expectedFee(bought: Bought, sizeMsat: number): bigint | undefined {
  return specOpeningFee(BigInt(bought.paymentSizeMsat ?? sizeMsat), bought.params.min_fee_msat, bought.params.proportional);
}

export function paymentFeeCorrect(roles: Lsps2Roles): Checker {
  return new PaymentFeeCorrect(roles);
}

/** Per channel: the promised fee, and the fee carried by each forwarded part still in flight (by incoming HTLC). */
interface FeeChannel {
  readonly promised: bigint | undefined;
  inFlight: Map<string, number>;
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class PaymentFeeCorrect implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly purchases: Map<string, Bought>;
  declare private readonly channels: Map<string, FeeChannel>;

  constructor(private readonly roles: Lsps2Roles) {
    this.name = NAME;
    this.kinds = ['lsps2-buy', 'lsp-out-resolved', 'lsp-boot', 'lsp-forward', 'client-claim'];
    this.purchases = new Map<string, Bought>();
    this.channels = new Map<string, FeeChannel>();
  }

  onRecord(r: TraceRecord): string | undefined {
    const d = r.d ?? {};
    const lsp = r.n === this.roles.lsp;
    if (lsp && r.k === 'lsps2-buy') this.purchases.set(d.scid as string, { params: d.params as unknown as OpeningFeeParams, paymentSizeMsat: d.paymentSizeMsat as number | null });
    if (lsp && r.k === 'lsp-out-resolved' && d.kind === 'fail') this.channels.get(d.channel as string)?.inFlight.delete(d.in as string);
    if (lsp && r.k === 'lsp-boot') this.boot(d.channels as readonly { id: string; pending: { in: string; feeMsat: number }[] }[]);
    if (lsp && r.k === 'lsp-forward') {
      const problem = this.forward(d.channel as string, d.purchase as string, d.parts as ForwardedPart[]);
      if (problem !== undefined) return problem;
    }
    if (r.n === this.roles.client && r.k === 'client-claim') {
      const bought = this.purchases.get(d.scid as string);
      if (!bought) return undefined;
      const expected = expectedFee(bought, d.sizeMsat as number);
      if (expected === undefined || BigInt(d.extraFeeMsat as number) > expected) return `the client accepts ${d.extraFeeMsat} msat of extra_fee for ${d.scid}; the promised opening fee is ${expected ?? 'overflow'} msat`;
    }
    return undefined;
  }

  /** What is in flight is what the LSP's disk says survived the crash. */
  private boot(survived: readonly { id: string; pending: { in: string; feeMsat: number }[] }[]): void {
    for (let i = 0; i < survived.length; i++) {
      const c = survived[i];
      const known = this.channels.get(c.id);
      if (known) known.inFlight = new Map(c.pending.map((p) => [p.in, p.feeMsat]));
    }
  }

  private forward(channel: string, purchase: string, parts: ForwardedPart[]): string | undefined {
    const stray = parts.find((p) => p.nextScid !== purchase);
    if (stray) return `part ${stray.in} was bought under ${stray.nextScid} but forwarded into ${channel} of purchase ${purchase}, charged that purchase's fee`;
    const bought = this.purchases.get(purchase);
    if (!bought) return undefined;
    let known = this.channels.get(channel);
    if (!known) {
      const promised = expectedFee(bought, parts[0].amountMsat);
      const fee = parts.reduce((s, p) => s + p.feeMsat, 0);
      if (promised === undefined || BigInt(fee) !== promised) return `the LSP deducts ${fee} msat opening fee on ${channel}; the promise for purchase ${purchase} is ${promised ?? 'overflow'} msat`;
      known = { promised, inFlight: new Map() };
      this.channels.set(channel, known);
    }
    for (const p of parts) if (p.failedLocally) known.inFlight.delete(p.in);
    else known.inFlight.set(p.in, p.feeMsat);
    const carried = [...known.inFlight.values()].reduce((s, f) => s + f, 0);
    if (known.promised !== undefined && BigInt(carried) > known.promised) return `the parts in flight on ${channel} carry ${carried} msat of fee; the promise for purchase ${purchase} is ${known.promised} msat`;
    return undefined;
  }
}
