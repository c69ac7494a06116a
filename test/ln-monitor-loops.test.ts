// The monitor's loops and caches give what the plain forms they replace gave (issue 13: same answers, less work):
// monitorsCarryForward and preimage pruning against their spread/Set forms, a claim handed out again equal to a fresh
// one, and PerDirection's kept entry against a plain nested map.
import { describe, expect, it } from 'vitest';
import { Chain } from '../sim/chain.ts';
import type { ChainView } from '../sim/node.ts';
import { applyUpdate, monitorsCarryForward, newMonitor, updateRecord, watchChain } from '../model/ln/monitor.ts';
import { claimTx, commitmentTx } from '../model/ln/onchain.ts';
import { PerDirection } from '../model/ln/invariants/ledger.ts';
import type { CommitHtlc, Commitment, Monitor } from '../model/ln/types.ts';

/** A small deterministic PRNG (the test needs variety, not quality). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomHtlcs(rnd: () => number): CommitHtlc[] {
  const out: CommitHtlc[] = [];
  const n = Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const forward = rnd() < 0.5;
    out.push({
      id: Math.floor(rnd() * 4),
      offeredByHolder: rnd() < 0.5,
      amount: 10,
      hash: `h${Math.floor(rnd() * 5)}`,
      cltv: 50,
      source: forward ? { kind: 'forward', channel: rnd() < 0.5 ? 'ab' : 'cd', htlcId: Math.floor(rnd() * 4) } : undefined,
    } as CommitHtlc);
  }
  return out;
}

function randomMonitor(rnd: () => number, channel: string): Monitor {
  const commitment = (number: number): Commitment => ({ number, toHolder: 100, toCounterparty: 100, htlcs: randomHtlcs(rnd) });
  const m = newMonitor({ channel, holder: 'A', counterparty: 'B', capacity: 1000, funding: { txid: `funding/${channel}`, vout: 0 }, holderCommitment: commitment(1), counterpartyCommitment: commitment(1), toSelfDelay: 6 });
  if (rnd() < 0.7) m.counterpartyCommitments.push(commitment(2));
  for (let i = 0; i < 5; i++) if (rnd() < 0.5) m.preimages[`h${i}`] = `p${i}`;
  return m;
}

describe('monitor loops give what their plain forms gave', () => {
  it('monitorsCarryForward', () => {
    const rnd = prng(7);
    for (let t = 0; t < 300; t++) {
      const monitors = [randomMonitor(rnd, 'x'), randomMonitor(rnd, 'y')];
      for (const channel of ['ab', 'cd', 'zz']) {
        for (let id = 0; id < 4; id++) {
          const plain = monitors.some((m) => [m.holderCommitment, ...m.counterpartyCommitments].some((c) => c.htlcs.some((h) => h.source?.kind === 'forward' && h.source.channel === channel && h.source.htlcId === id)));
          expect(monitorsCarryForward(monitors, channel, id)).toBe(plain);
        }
      }
    }
  });

  it('a revocation prunes the preimages no commitment carries, keeping the order of the rest', () => {
    const rnd = prng(11);
    for (let t = 0; t < 300; t++) {
      const m = randomMonitor(rnd, 'x');
      const revoked = m.counterpartyCommitments[0].number;
      const kept = m.counterpartyCommitments.filter((c) => c.number > revoked);
      const live = new Set<string>();
      for (const h of m.holderCommitment.htlcs) live.add(h.hash);
      for (const c of kept) for (const h of c.htlcs) live.add(h.hash);
      const expected = Object.entries(m.preimages).filter(([hash]) => live.has(hash));
      expect(applyUpdate(m, updateRecord({ kind: 'revocation', number: revoked }, m.updateId + 1))).toBe('applied');
      expect(Object.entries(m.preimages)).toEqual(expected);
      expect(m.counterpartyCommitments).toEqual(kept);
    }
  });
});

describe('a claim made once is handed out again', () => {
  it('the same transaction object at the next watch, equal to a fresh one', () => {
    const holder: Commitment = { number: 1, toHolder: 400, toCounterparty: 600, htlcs: [] };
    const theirs: Commitment = { number: 1, toHolder: 600, toCounterparty: 400, htlcs: [] };
    const m = newMonitor({ channel: 'bc', holder: 'C', counterparty: 'B', capacity: 1000, funding: { txid: 'genesis', vout: 0 }, holderCommitment: holder, counterpartyCommitment: theirs, toSelfDelay: 2 });
    const chain = new Chain();
    chain.genesis({ txid: 'genesis', inputs: [], outputs: [{ value: 1000, script: 'funding/bc' }], label: 'genesis' });
    const commitment = commitmentTx('bc', 'B', 'C', m.funding, theirs);
    chain.broadcast(commitment);
    chain.mine();
    const view = chain as unknown as ChainView;
    const first = watchChain(m, view);
    const again = watchChain(m, view);
    expect(first.broadcasts).toHaveLength(1);
    expect(again.broadcasts[0]).toBe(first.broadcasts[0]);
    const vout = commitment.outputs.findIndex((o) => o.script.startsWith('tr/'));
    expect(first.broadcasts[0]).toEqual(claimTx({ txid: commitment.txid, vout }, 400, 'C', 'to-remote'));
  });
});

describe('PerDirection keeps its last entry', () => {
  it('answers as a plain nested map over any run of get, entry and set', () => {
    const rnd = prng(3);
    const pd = new PerDirection<{ n: number }>();
    const plain = new Map<string, { n: number }>();
    const nodes = ['a', 'b', 'c'];
    for (let t = 0; t < 2000; t++) {
      const from = nodes[Math.floor(rnd() * 3)];
      const to = nodes[Math.floor(rnd() * 3)];
      const op = rnd();
      if (op < 0.4) expect(pd.get(from, to)).toBe(plain.get(`${from}>${to}`));
      else if (op < 0.8) {
        const made = { n: t };
        const got = pd.entry(from, to, () => made);
        if (!plain.has(`${from}>${to}`)) plain.set(`${from}>${to}`, made);
        expect(got).toBe(plain.get(`${from}>${to}`));
      } else {
        const value = { n: -t };
        pd.set(from, to, value);
        plain.set(`${from}>${to}`, value);
      }
    }
  });
});
