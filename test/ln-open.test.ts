// Channel establishment as pure functions (open.ts), and the restart rule of
// rust-lightning #1678 end to end: a channel whose first monitor write never
// completed is dropped at restart, its peer forgets its side, both nodes run.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import * as open from '../model/ln/open.ts';
import type { TraceRecord } from '../sim/trace.ts';

const params: open.OpeningParams = { fundingDepth: 3, fundingTimeout: 48, negotiationTimeout: 6 };
const coin: open.Coin = { txid: 'genesis', vout: 4, value: 500 };

/** Runs the handshake up to both channels existing, neither first write durable yet. */
function handshake() {
  const { negotiation: funderSide, message: openMsg } = open.startOpen({ type: 'open', channel: 'ac', peer: 'C', capacity: 400, coin }, 10);
  const accepted = open.receiveOpen(openMsg, 'A', 10);
  if (open.isError(accepted)) throw new Error(accepted.error);
  const created = open.receiveAccept(funderSide, 'A');
  if (open.isError(created)) throw new Error(created.error);
  const fundee = open.receiveFundingCreated(accepted.negotiation, 'C', created, 11);
  if (open.isError(fundee)) throw new Error(fundee.error);
  return { funderSide, accepted, created, fundee };
}

describe('channel establishment', () => {
  it('funding_created carries the funding outpoint and the signature of the fundee’s first commitment; the fundee holds funding_signed until its first write is durable', () => {
    const { funderSide, accepted, created, fundee } = handshake();
    expect(accepted.message).toEqual({ type: 'accept_channel', channel: 'ac' });
    expect(created).toMatchObject({ type: 'funding_created', funding: { txid: 'funding/ac', vout: 0 } });
    expect(funderSide.funded!.tx).toMatchObject({ inputs: [{ txid: 'genesis', vout: 4 }], outputs: [{ value: 400, script: 'funding/ac' }, { value: 100, script: 'wallet/A' }] });
    expect(fundee.channel.localCommit).toMatchObject({ toHolder: 0, toCounterparty: 400 });
    expect(fundee.monitor).toMatchObject({ channel: 'ac', holder: 'C', counterparty: 'A', funding: { txid: 'funding/ac', vout: 0 } });
    expect(open.firstWriteNeverCompleted(fundee.channel)).toBe(true);
    const released = open.firstWriteDurable(fundee.channel);
    expect(released.send).toMatchObject({ type: 'funding_signed', channel: 'ac' });
    expect(released.broadcast).toBeUndefined();
    expect(open.firstWriteNeverCompleted(fundee.channel)).toBe(false);
    expect(open.firstWriteDurable(fundee.channel)).toEqual({});
  });

  it('a funding_created signing another commitment is refused', () => {
    const { funderSide, accepted, created } = handshake();
    expect(funderSide.stage).toBe('funding-created');
    const again = open.receiveOpen({ type: 'open_channel', channel: 'ac', capacity: 400, push: 0 }, 'A', 10);
    if (open.isError(again)) throw new Error(again.error);
    expect(open.isError(open.receiveFundingCreated(again.negotiation, 'C', { ...created, digest: '0/1/399/' }, 11))).toBe(true);
    expect(open.isError(open.receiveFundingCreated(accepted.negotiation, 'C', created, 11))).toBe(true); // already funded
  });

  it('the funder broadcasts the funding only once its own first write is durable', () => {
    const { funderSide, fundee } = handshake();
    const signed = open.firstWriteDurable(fundee.channel).send!;
    expect(open.isError(open.receiveFundingSigned(funderSide, 'A', { ...signed, digest: 'forged' }, 12))).toBe(true);
    const funder = open.receiveFundingSigned(funderSide, 'A', signed, 12);
    if (open.isError(funder)) throw new Error(funder.error);
    expect(open.firstWriteNeverCompleted(funder.channel)).toBe(true);
    expect(open.fundingToRebroadcast(funder.channel, 0, false)).toBeUndefined();
    expect(open.firstWriteDurable(funder.channel).broadcast?.txid).toBe('funding/ac');
    expect(open.fundingToRebroadcast(funder.channel, 0, true)).toBeUndefined();
    expect(open.fundingToRebroadcast(funder.channel, 0, false)?.txid).toBe('funding/ac');
    expect(open.fundingToRebroadcast(funder.channel, 1, false)).toBeUndefined();
  });

  it('the channel carries payments once the funding is buried and channel_ready crossed both ways', () => {
    const { fundee } = handshake();
    const ch = fundee.channel;
    expect(open.usable(ch)).toBe(false);
    expect(open.readyDue(ch, 3, params)).toBe(false); // first write not durable
    open.firstWriteDurable(ch);
    expect(open.readyDue(ch, 2, params)).toBe(false);
    expect(open.readyDue(ch, 3, params)).toBe(true);
    expect(open.receiveReady(ch)).toBe(false);
    expect(open.sendReady(ch)).toMatchObject({ message: { type: 'channel_ready', channel: 'ac' }, becameReady: true });
    expect(open.usable(ch)).toBe(true);
    expect(open.readyDue(ch, 3, params)).toBe(false);
    // After a reconnect, a peer that has seen no commitment beyond the first may have missed it.
    expect(open.readyOnReestablish(ch, 1, 3, params)).toBe(true);
    expect(open.readyOnReestablish(ch, 2, 3, params)).toBe(false);
  });

  it('a fundee gives up on a funding that never confirms; a funder never does; a negotiation expires', () => {
    const { funderSide, fundee } = handshake();
    expect(open.fundingTimedOut(fundee.channel, 11 + 47, 0, params)).toBe(false);
    expect(open.fundingTimedOut(fundee.channel, 11 + 48, 0, params)).toBe(true);
    expect(open.fundingTimedOut(fundee.channel, 11 + 48, 1, params)).toBe(false);
    expect(open.negotiationExpired(funderSide, 15, params)).toBe(false);
    expect(open.negotiationExpired(funderSide, 16, params)).toBe(true);
  });
});

describe('channel-open-restart', () => {
  /** The first seed whose run drops a channel at restart, with what happened to it. */
  function firstDrop(bugs: string[]) {
    for (let seed = 1; seed <= 60; seed++) {
      const run = runScenario('channel-open-restart', { seed, bugs, keepRecords: true });
      const drop = run.records!.find((r) => r.k === 'channel-dropped' || (r.k === 'refuse-start' && String(r.d!.reason).includes('has no monitor')));
      if (drop) return { seed, run, drop };
    }
    throw new Error('no run within 60 seeds lost a first monitor write behind a durable manager');
  }

  it('drops a channel whose first monitor write never completed; the peer forgets its side; every node runs', () => {
    const { run, drop } = firstDrop([]);
    expect(run.violation).toBeUndefined();
    const channel = drop.d!.channel as string;
    const records = run.records as TraceRecord[];
    // Nothing left the dropping node for that channel: no funding_signed, no funding broadcast.
    const earlier = records.filter((r) => r.i < drop.i && r.n === drop.n);
    expect(earlier.some((r) => r.k === 'send' && (r.d!.message as { type: string; channel: string }).type === 'funding_signed' && (r.d!.message as { channel: string }).channel === channel)).toBe(false);
    expect(earlier.some((r) => r.k === 'broadcast' && r.d!.txid === `funding/${channel}`)).toBe(false);
    // The peer, if it had the channel, forgot it; at the end no node holds it open.
    for (const node of ['A', 'B', 'C']) {
      const ch = run.world.state<{ mgr: { channels: { id: string; status: string }[] } }>(node)!.mgr.channels.find((c) => c.id === channel);
      expect(ch === undefined || ch.status === 'closed', `${node} still holds ${channel} open`).toBe(true);
    }
  });

  it('with ldk-1678 the same restart refuses to start, and liveness says so', () => {
    const { run, drop } = firstDrop(['ldk-1678']);
    expect(drop.k).toBe('refuse-start');
    expect(run.violation?.invariant).toBe('liveness');
    expect(run.violation?.message).toContain('refused to start');
  });
});
