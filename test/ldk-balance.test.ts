// The LDK balance-conservation judge on hand-made end states (no WebAssembly): what counts for whom, and the
// on-chain fee allowance read from the chain, exactly as stated in model/ldk/invariants/balance.ts.
import { describe, expect, it } from 'vitest';
import { Chain, type Tx } from '../sim/chain.ts';
import type { TraceRecord } from '../sim/trace.ts';
import type { World } from '../sim/world.ts';
import { ldkBalanceConservation, type BalanceChannel } from '../model/ldk/invariants/balance.ts';
import type { LdkFunds } from '../model/ldk/node.ts';

const FUNDING = 'f'.repeat(64);
const channel: BalanceChannel = { id: 'ab', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 600_000, outpoint: `${FUNDING}:0` };
const HASH = '11'.repeat(32);

/** A payment of 10,000 sat from A to B, made (PaymentSent) or not. */
function records(made: boolean): TraceRecord[] {
  const out: TraceRecord[] = [{ i: 0, t: 1, k: 'pay', n: 'A', d: { paymentId: 'id0', to: 'B', hash: HASH, route: [{ path: ['ab'], amountMsat: '10000000', fees: [] }] } }];
  if (made) out.push({ i: 1, t: 2, k: 'ldk-event', n: 'A', d: { event: 'PaymentSent', paymentId: 'id0', hash: HASH } });
  return out;
}

const open = (outboundSat: number, htlcs: LdkFunds['open'][number]['htlcs'] = []): LdkFunds => ({
  open: [{ channel: 'ab', outboundMsat: String((outboundSat - 10_000) * 1000), reserveSat: '10000', htlcs }],
  closed: [],
});

function world(funds: Record<string, LdkFunds>, chain = new Chain()): World {
  return { nodeIds: () => Object.keys(funds), snapshot: (n: string) => ({ funds: funds[n] }), chain } as unknown as World;
}

function judge(recs: TraceRecord[], w: World): string | undefined {
  const checker = ldkBalanceConservation([channel]);
  for (const r of recs) expect(checker.onRecord!(r, w)).toBeUndefined();
  return checker.atEnd!(w);
}

/** A chain where the funding output was spent by a commitment paying A `a` and B `b` satoshis (the rest is its fee). */
function closedChain(a: number, b: number): Chain {
  const chain = new Chain();
  chain.genesis({ txid: FUNDING, inputs: [], outputs: [{ value: 1_000_000, script: 'funding' }] } as Tx);
  chain.broadcast({ txid: 'c'.repeat(64), inputs: [{ txid: FUNDING, vout: 0 }], outputs: [{ value: a, script: 'a' }, { value: b, script: 'b' }] } as Tx);
  chain.mine();
  return chain;
}

const spendable = (node: string, vout: number, sat: number): TraceRecord => ({ i: 5, t: 9, k: 'ldk-event', n: node, d: { event: 'SpendableOutputs', outputs: [{ outpoint: `${'c'.repeat(64)}:${vout}`, sat: String(sat) }] } });
const none: LdkFunds = { open: [], closed: [] };

describe('LDK balance-conservation', () => {
  it('open channels: exact to the msat, a payment counted once made', () => {
    expect(judge(records(true), world({ A: open(590_000), B: open(410_000) }))).toBeUndefined();
    expect(judge(records(false), world({ A: open(600_000), B: open(400_000) }))).toBeUndefined();
    expect(judge(records(false), world({ A: open(590_000), B: open(410_000) }))).toMatch(/^A ends with 590000000 msat, expected 600000000 msat/);
  });

  it('an HTLC still pending counts for the side the outcome gives it to', () => {
    const pendingOut = [{ offered: true, hash: HASH, msat: '10000000' }];
    const pendingIn = [{ offered: false, hash: HASH, msat: '10000000' }];
    expect(judge(records(true), world({ A: open(590_000, pendingOut), B: open(400_000, pendingIn) }))).toBeUndefined();
    expect(judge(records(false), world({ A: open(590_000, pendingOut), B: open(400_000, pendingIn) }))).toBeUndefined();
    expect(judge(records(true), world({ A: open(600_000), B: open(400_000, pendingIn) }))).toMatch(/^A ends with 600000000 msat, expected 590000000 msat/);
  });

  it('closed channels: the funder may end short by the commitment fee on the chain, plus a satoshi per output', () => {
    const chain = closedChain(589_800, 410_000);
    expect(judge([...records(true), spendable('A', 0, 589_800), spendable('B', 1, 410_000)], world({ A: none, B: none }, chain))).toBeUndefined();
    // Still claimable (not yet handed over as a spendable output): counted from the chain monitor's balances.
    const awaiting: LdkFunds = { open: [], closed: [{ kind: 'ClaimableAwaitingConfirmations', sat: '589800' }] };
    expect(judge([...records(true), spendable('B', 1, 410_000)], world({ A: awaiting, B: none }, chain))).toBeUndefined();
  });

  it('closed channels: the other end has no fee to pay, and nobody ends over', () => {
    expect(judge([...records(false), spendable('A', 0, 600_000), spendable('B', 1, 399_800)], world({ A: none, B: none }, closedChain(600_000, 399_800)))).toMatch(
      /^B ends with 399800000 msat, expected 400000000 msat less at most 2000 msat of on-chain fees and rounding/,
    );
    expect(judge([...records(false), spendable('A', 0, 600_100), spendable('B', 1, 399_700)], world({ A: none, B: none }, closedChain(600_100, 399_700)))).toMatch(/^A ends with 600100000 msat, expected 600000000 msat/);
  });

  it('a spendable output must be on the chain as recorded', () => {
    expect(judge([...records(true), spendable('A', 0, 599_800), spendable('B', 1, 410_000)], world({ A: none, B: none }, closedChain(589_800, 410_000)))).toMatch(/^A was handed spendable output c+:0 \(599800 sat\) that is not on the chain as such/);
  });
});
