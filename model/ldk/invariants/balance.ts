// balance-conservation on real LDK, judged after the calm phase from what LDK
// reports and from the chain. Each node must hold exactly its opening side of
// its channels, plus what it was paid, less what it paid (amount and routing
// fees), plus the routing fees it earned, counting a payment as made when its
// payer got PaymentSent or its payee PaymentClaimed. What a node holds: each
// open channel's balance from list_channels (outbound capacity plus the
// reserve, to the msat), each closed channel's claimable balances from the
// chain monitor, and the spendable outputs LDK handed its application (each
// checked on the chain). An HTLC still pending counts for the side the
// payment's outcome gives it to.
//
// On-chain fee allowance, stated exactly: a node with closed channels may end
// short, never over, by at most, per closed channel, the fee of the transaction
// that spent the funding output if it opened the channel (the funder pays the
// commitment or closing fee), the fees of the confirmed transactions spending
// that transaction's outputs (HTLC and claim transactions: paid by whichever
// end claimed), and one satoshi per output of those transactions (msat
// amounts are rounded down to whole satoshis on chain). Everything here is read
// from the trace and the nodes' end snapshots, never from LDK directly.
import type { Tx } from '../../../sim/chain.ts';
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import type { LdkFunds } from '../node.ts';
import type { RoutePart } from '../router.ts';

/** A channel as the invariant needs it: its ends (a opened it), opening split (satoshis) and funding outpoint. */
export interface BalanceChannel {
  readonly id: string;
  readonly a: string;
  readonly b: string;
  readonly capacity: number;
  readonly aBalance: number;
  readonly outpoint: string;
}

interface Payment {
  readonly payer: string;
  readonly payee: string;
  readonly hash: string;
  readonly route: readonly RoutePart[];
}

export function ldkBalanceConservation(channels: readonly BalanceChannel[]): Checker {
  const payments = new Map<string, Payment>();
  /** Payment hashes whose payment was made (PaymentSent at the payer or PaymentClaimed at the payee). */
  const made = new Set<string>();
  /** node → outpoint → satoshis of the spendable outputs its application was handed. */
  const spendable = new Map<string, Map<string, bigint>>();
  return {
    name: 'balance-conservation',
    onRecord(r: TraceRecord) {
      const d = r.d ?? {};
      if (r.k === 'pay') payments.set(d.paymentId as string, { payer: r.n!, payee: d.to as string, hash: d.hash as string, route: (d.route as RoutePart[] | undefined) ?? [] });
      if (r.k !== 'ldk-event') return undefined;
      if (d.event === 'PaymentSent') {
        const p = payments.get(d.paymentId as string);
        if (p && p.payer === r.n) made.add(p.hash);
      } else if (d.event === 'PaymentClaimed') {
        for (const p of payments.values()) if (p.hash === d.hash && p.payee === r.n) made.add(p.hash);
      } else if (d.event === 'SpendableOutputs') {
        const mine = spendable.get(r.n!) ?? spendable.set(r.n!, new Map()).get(r.n!)!;
        // LDK may hand the same output again after a restart (its events are delivered at least once).
        for (const o of d.outputs as { outpoint: string; sat: string }[]) mine.set(o.outpoint, BigInt(o.sat));
      }
      return undefined;
    },
    atEnd(world: World) {
      const expected = new Map<string, bigint>();
      const add = (node: string, msat: bigint) => expected.set(node, (expected.get(node) ?? 0n) + msat);
      for (const c of channels) {
        add(c.a, BigInt(c.aBalance) * 1000n);
        add(c.b, BigInt(c.capacity - c.aBalance) * 1000n);
      }
      for (const p of payments.values()) {
        if (!made.has(p.hash)) continue;
        for (const part of p.route) {
          const amount = BigInt(part.amountMsat);
          add(p.payee, amount);
          add(p.payer, -amount);
          for (const f of part.fees) {
            add(f.node, BigInt(f.feeMsat));
            add(p.payer, -BigInt(f.feeMsat));
          }
        }
      }
      const allowance = allowances(world, channels);
      for (const node of world.nodeIds()) {
        const funds = (world.snapshot(node) as { funds?: LdkFunds } | undefined)?.funds;
        if (!funds) return `${node} is down at the end: its funds cannot be judged`;
        let have = 0n;
        const ownsHtlc = (offered: boolean, hash: string) => (offered ? !made.has(hash) : made.has(hash));
        for (const c of funds.open) {
          have += BigInt(c.outboundMsat) + BigInt(c.reserveSat) * 1000n;
          for (const h of c.htlcs) {
            // Outbound capacity already excludes what we offered; the HTLC is ours again only if the payment failed.
            if (ownsHtlc(h.offered, h.hash)) have += BigInt(h.msat);
          }
        }
        for (const b of funds.closed) {
          if (b.hash !== undefined) {
            if (ownsHtlc(b.offered === true, b.hash)) have += BigInt(b.sat) * 1000n;
          } else have += (BigInt(b.sat) + BigInt(b.feeSat ?? '0')) * 1000n;
        }
        for (const [outpoint, sat] of spendable.get(node) ?? []) {
          const [txid, vout] = outpoint.split(':');
          const output = world.chain.output({ txid, vout: Number(vout) });
          if (output === undefined || BigInt(output.value) !== sat) return `${node} was handed spendable output ${outpoint} (${sat} sat) that is not on the chain as such`;
          have += sat * 1000n;
        }
        const want = expected.get(node) ?? 0n;
        const slack = allowance.get(node) ?? 0n;
        if (have > want || have < want - slack) {
          return `${node} ends with ${msat(have)}, expected ${msat(want)}${slack > 0n ? ` less at most ${msat(slack)} of on-chain fees and rounding` : ''} (its opening balances, net of the payments made per PaymentSent/PaymentClaimed and their routing fees)`;
        }
      }
      return undefined;
    },
  };
}

const msat = (m: bigint): string => `${m} msat`;

/** Per node, the on-chain fee allowance (msat) of its closed channels, read from the chain. */
function allowances(world: World, channels: readonly BalanceChannel[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const add = (node: string, msat: bigint) => out.set(node, (out.get(node) ?? 0n) + msat);
  const fee = (tx: Tx): bigint => {
    const inputs = tx.inputs.reduce((s, i) => s + BigInt(world.chain.output(i)?.value ?? 0), 0n);
    return inputs - tx.outputs.reduce((s, o) => s + BigInt(o.value), 0n);
  };
  for (const c of channels) {
    const [txid, vout] = c.outpoint.split(':');
    const closingId = world.chain.spender({ txid, vout: Number(vout) });
    const closing = closingId === undefined ? undefined : world.chain.confirmedTx(closingId);
    if (!closing) continue;
    add(c.a, fee(closing) * 1000n);
    let rounding = BigInt(closing.outputs.length);
    let claims = 0n;
    const spenders = new Set(closing.outputs.map((_, index) => world.chain.spender({ txid: closing.txid, vout: index })));
    for (const spentBy of [...spenders].sort()) {
      const claim = spentBy === undefined ? undefined : world.chain.confirmedTx(spentBy);
      if (!claim) continue;
      claims += fee(claim);
      rounding += BigInt(claim.outputs.length);
    }
    for (const node of [c.a, c.b]) add(node, claims * 1000n + rounding * 1000n);
  }
  return out;
}
