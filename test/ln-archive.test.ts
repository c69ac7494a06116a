// Archiving fully resolved monitors and the monitor events that hold it back,
// as pure functions over a monitor and a small chain.
import { describe, expect, it } from 'vitest';
import { Chain } from '../sim/chain.ts';
import type { ChainView } from '../sim/node.ts';
import { fullyResolved, settledDepth, type ArchiveCheck } from '../model/ln/archive.ts';
import { chainEvents, effectDurable, monitorEventKey, type DurabilityView, type ProcessedMonitorEvent } from '../model/ln/monitor-events.ts';
import { newMonitor, watchChain } from '../model/ln/monitor.ts';
import { claimTx, commitmentTx, preimageWitness } from '../model/ln/onchain.ts';
import { hashOf, preimageFor } from '../model/ln/payments.ts';
import type { Commitment, Monitor } from '../model/ln/types.ts';

const preimage = preimageFor('p1');
const hash = hashOf(preimage);

/** B's monitor of channel bc: B offered one HTLC to C, forwarded from ab#4. */
function forwarderMonitor(): Monitor {
  const source = { kind: 'forward', channel: 'ab', htlcId: 4, amount: 110 } as const;
  const holder: Commitment = { number: 1, toHolder: 500, toCounterparty: 400, htlcs: [{ id: 0, offeredByHolder: true, amount: 100, hash, cltv: 50, source }] };
  const counterparty: Commitment = { number: 1, toHolder: 400, toCounterparty: 500, htlcs: [{ id: 0, offeredByHolder: false, amount: 100, hash, cltv: 50, source }] };
  const m = newMonitor({ channel: 'bc', holder: 'B', counterparty: 'C', capacity: 1000, funding: { txid: 'genesis', vout: 0 }, holderCommitment: holder, counterpartyCommitment: counterparty, toSelfDelay: 2 });
  m.closed = true;
  return m;
}

/** The chain after B's commitment confirmed: C claims the HTLC with its preimage, B sweeps to_self after the CSV, C sweeps to_remote. */
function settle(m: Monitor, blocksAfter: number): { chain: Chain; view: ChainView } {
  const chain = new Chain();
  chain.genesis({ txid: 'genesis', inputs: [], outputs: [{ value: 1000, script: 'funding/bc' }], label: 'genesis' });
  const commitment = commitmentTx('bc', 'B', 'C', m.funding, m.holderCommitment);
  chain.broadcast(commitment);
  chain.mine();
  chain.broadcast(claimTx({ txid: commitment.txid, vout: 1 }, 400, 'C', 'to-remote'));
  chain.broadcast(claimTx({ txid: commitment.txid, vout: 2 }, 100, 'C', 'preimage', { witness: preimageWitness(preimage) }));
  chain.broadcast(claimTx({ txid: commitment.txid, vout: 0 }, 500, 'B', 'to-self', { csv: 2 }));
  for (let i = 0; i < blocksAfter; i++) chain.mine();
  return { chain, view: chain as unknown as ChainView };
}

const durable = (upTo: number, holds = false): DurabilityView => ({ managerDurableUpTo: upTo, upstreamHolds: () => holds });

describe('archiving fully resolved monitors', () => {
  it('the settled depth counts from the last spend, and is undefined while an output is unspent', () => {
    const m = forwarderMonitor();
    expect(settledDepth(m, settle(m, 1).view)).toBeUndefined(); // to_self still waits for its CSV
    const { chain, view } = settle(m, 2);
    expect(settledDepth(m, view)).toBe(1);
    chain.mine();
    chain.mine();
    expect(settledDepth(m, view)).toBe(3);
  });

  it('a monitor is archived only when closed, settled deep enough, with no write and no monitor event pending', () => {
    const ready: ArchiveCheck = { closed: true, settledDepth: 6, writesPending: false, pendingEvents: 0 };
    expect(fullyResolved(ready, 6)).toBe(true);
    expect(fullyResolved({ ...ready, settledDepth: 5 }, 6)).toBe(false);
    expect(fullyResolved({ ...ready, settledDepth: undefined }, 6)).toBe(false);
    expect(fullyResolved({ ...ready, closed: false }, 6)).toBe(false);
    expect(fullyResolved({ ...ready, writesPending: true }, 6)).toBe(false);
    expect(fullyResolved({ ...ready, pendingEvents: 1 }, 6)).toBe(false);
  });
});

describe('monitor events', () => {
  it("the downstream claim seen on-chain becomes an event carrying the preimage and the upstream HTLC's source", () => {
    const m = forwarderMonitor();
    const { view } = settle(m, 2);
    const events = chainEvents(m, watchChain(m, view), [], () => undefined);
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(e.kind === 'offered-settled' && e.outcome).toEqual({ kind: 'fulfill', preimage });
    expect(e.kind === 'offered-settled' && e.htlc.source).toMatchObject({ kind: 'forward', channel: 'ab', htlcId: 4 });
    expect(monitorEventKey(e)).toBe('offered/0');
  });

  it('an HTLC the confirmed commitment does not carry settles with a known preimage, or fails', () => {
    const m = forwarderMonitor();
    const { view } = settle(m, 2);
    const stale = { id: 7, hash: 'x'.repeat(64), amount: 5 };
    const failed = chainEvents(m, watchChain(m, view), [stale], () => undefined).find((e) => monitorEventKey(e) === 'offered/7');
    expect(failed?.kind === 'offered-settled' && failed.outcome).toEqual({ kind: 'fail', code: 'not-on-chain' });
    const known = chainEvents(m, watchChain(m, view), [stale], () => 'q').find((e) => monitorEventKey(e) === 'offered/7');
    expect(known?.kind === 'offered-settled' && known.outcome).toEqual({ kind: 'fulfill', preimage: 'q' });
  });

  it('an event stays pending until the manager write recording it is durable, or the upstream monitor durably holds the preimage', () => {
    const m = forwarderMonitor();
    const [event] = chainEvents(m, watchChain(m, settle(m, 2).view), [], () => undefined);
    const forward: ProcessedMonitorEvent = { event, recordedBy: 3, upstream: 'ab' };
    expect(effectDurable(forward, durable(2))).toBe(false);
    expect(effectDurable(forward, durable(3))).toBe(true);
    expect(effectDurable(forward, durable(0, true))).toBe(true);
    // Without an upstream edge (our own payment, a failure) only the manager write counts.
    expect(effectDurable({ event, recordedBy: 3 }, durable(0, true))).toBe(false);
  });
});
