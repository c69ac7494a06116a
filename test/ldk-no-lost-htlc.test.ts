// no-lost-htlc on real LDK tells an offerer's HTLC timeout from a receiver going on-chain to claim: LDK 0.1 reports
// both closes as ClosureReason::HTLCsTimedOut (model/ldk/invariants/no-lost-htlc.ts). Single seeds where the receiver,
// holding the preimage, force-closed within CLTV_CLAIM_BUFFER blocks of the expiry ("Force-closing channel due to
// inbound HTLC timeout" in LDK's log) and the checker used to blame its peer; plus the rule on hand-made traces.
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenarioAsync } from '../api.ts';
import { ldkNoLostHtlc } from '../model/ldk/invariants/no-lost-htlc.ts';
import type { TraceRecord } from '../sim/trace.ts';
import type { World } from '../sim/world.ts';

describe('a receiver claiming on-chain before the expiry is not a lost HTLC (real LDK, single seeds)', () => {
  it('ldk-two-node-payments seed 176: A claims B\'s HTLC (expiry 65) on-chain at height 47 after a burst of blocks', async () => {
    await loadScenario('ldk-two-node-payments');
    const result = await runScenarioAsync('ldk-two-node-payments', { seed: 176 });
    expect(result.violation).toBeUndefined();
  }, 120_000);

  it('ldk-forward-close-held seed 36: C claims B\'s HTLC (expiry 37) on-chain at height 19', async () => {
    await loadScenario('ldk-forward-close-held');
    const result = await runScenarioAsync('ldk-forward-close-held', { seed: 36 });
    expect(result.violation).toBeUndefined();
  }, 120_000);
});

describe('the direction rule on hand-made traces', () => {
  const CH = 'cc'.repeat(32);
  const hex = (n: number | bigint, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
  const HASH = '66fa148d4cf527abb02d6833108e881ab1fe25f35e3dcfa8e54a9a3e015abd19';
  const PREIMAGE = 'e8d91e67e73c9cee8953808dd257149509834d6a3df2bfb41dc538e7ef205844'; // sha256 → HASH
  const add = (id: number, expiry: number) => ({ type: 'update_add_htlc', channel: CH, bytes: CH + hex(id, 8) + hex(1000, 8) + HASH + hex(expiry, 4) });
  const fulfill = (id: number) => ({ type: 'update_fulfill_htlc', channel: CH, bytes: CH + hex(id, 8) + PREIMAGE });
  const cs = { type: 'commitment_signed', channel: CH, bytes: CH };
  const error = { type: 'error', channel: CH, bytes: CH };

  /** Runs records through the checker: A offers one HTLC (expiry 40, LDK height) to B, both commit it. */
  function judge(tail: Omit<TraceRecord, 'i' | 't'>[]): string | undefined {
    const checker = ldkNoLostHtlc({ ab: ['A', 'B'] }, { [CH]: 'ab' });
    const records: Omit<TraceRecord, 'i' | 't'>[] = [
      { k: 'send', n: 'A', d: { to: 'B', message: add(0, 40) } },
      { k: 'send', n: 'A', d: { to: 'B', message: cs } },
      { k: 'deliver', n: 'B', d: { from: 'A', type: 'update_add_htlc' } },
      { k: 'deliver', n: 'B', d: { from: 'A', type: 'commitment_signed' } },
      ...tail,
    ];
    let violation: string | undefined;
    records.forEach((r, i) => (violation ??= checker.onRecord!({ i, t: i, ...r }, undefined as unknown as World)));
    return violation;
  }
  const closed = (n: string): Omit<TraceRecord, 'i' | 't'> => ({ k: 'ldk-event', n, d: { event: 'ChannelClosed', channel: 'ab', reason: 'HTLCsTimedOut' } });
  const block = (kernelHeight: number): Omit<TraceRecord, 'i' | 't'> => ({ k: 'block', d: { height: kernelHeight } });

  it('the offerer closing 3 blocks past the expiry of an HTLC its peer never settled is a violation', () => {
    expect(judge([block(33), { k: 'send', n: 'A', d: { to: 'B', message: error } }, closed('A')])).toMatch(/^A force-closed ab because HTLCs it offered timed out/);
  });

  it('the receiver closing within 18 blocks of the expiry of an HTLC it holds the preimage of is not', () => {
    expect(judge([
      { k: 'claim', n: 'B', d: { hash: HASH } },
      { k: 'send', n: 'B', d: { to: 'A', message: fulfill(0) } },
      { k: 'send', n: 'B', d: { to: 'A', message: cs } },
      block(12), { k: 'send', n: 'B', d: { to: 'A', message: error } }, closed('B'),
    ])).toBeUndefined();
  });

  it('a receiver close without the preimage, or too early, is explained by nothing and fails', () => {
    expect(judge([block(12), { k: 'send', n: 'B', d: { to: 'A', message: error } }, closed('B')])).toMatch(/^B force-closed ab for an HTLC timeout at LDK height 22 that no HTLC on the wire explains/);
    expect(judge([{ k: 'claim', n: 'B', d: { hash: HASH } }, block(11), { k: 'send', n: 'B', d: { to: 'A', message: error } }, closed('B')])).toMatch(/no HTLC on the wire explains/);
  });

  it('an HTLC settled through a full commitment dance no longer explains a later close', () => {
    expect(judge([
      { k: 'send', n: 'B', d: { to: 'A', message: fulfill(0) } },
      { k: 'send', n: 'B', d: { to: 'A', message: cs } },
      { k: 'deliver', n: 'A', d: { from: 'B', type: 'update_fulfill_htlc' } },
      { k: 'deliver', n: 'A', d: { from: 'B', type: 'commitment_signed' } },
      { k: 'send', n: 'A', d: { to: 'B', message: cs } },
      { k: 'send', n: 'B', d: { to: 'A', message: { type: 'revoke_and_ack', channel: CH, bytes: CH } } },
      { k: 'deliver', n: 'A', d: { from: 'B', type: 'revoke_and_ack' } },
      block(40), { k: 'send', n: 'A', d: { to: 'B', message: error } }, closed('A'),
    ])).toMatch(/no HTLC on the wire explains/);
  });
});
