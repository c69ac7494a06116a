// The cooperative-close rules as pure predicates over a channel, and one
// scenario run end to end: shutdown, HTLCs settled, closing_signed, on-chain.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { openChannel } from '../model/ln/channel.ts';
import { acceptsAdds, closingSignedMessage, closingTx, newClose, proposalAgrees, readyToNegotiate, resetConnection, shutdownDue } from '../model/ln/close.ts';
import type { Channel, Htlc } from '../model/ln/types.ts';

function channel(): Channel {
  return openChannel({ id: 'ab', peer: 'B', capacity: 1000, funding: { txid: 'genesis', vout: 0 }, localBalance: 600 });
}

function htlc(state: Htlc['state'], offered = true): Htlc {
  return { id: 0, offered, amount: 50, hash: 'h', cltv: 100, state, updateSeq: 1 };
}

describe('cooperative close rules', () => {
  it('adds are allowed until we intend to close or the peer sent shutdown; lnd-8145 ignores the peer', () => {
    const ch = channel();
    expect(acceptsAdds(ch)).toBe(true);
    ch.close = newClose();
    ch.close.receivedShutdown = true;
    expect(acceptsAdds(ch)).toBe(false);
    expect(acceptsAdds(ch, false)).toBe(true);
    ch.close.receivedShutdown = false;
    ch.close.intent = true;
    expect(acceptsAdds(ch, false)).toBe(false);
  });

  it('shutdown is due only once the intent is durable and none of our updates awaits our signature', () => {
    const ch = channel();
    ch.close = { ...newClose(), intent: true };
    expect(shutdownDue(ch)).toBe(false);
    ch.close.intentDurable = true;
    ch.htlcs = [htlc('SENT_ADD_HTLC')];
    expect(shutdownDue(ch)).toBe(false);
    ch.htlcs = [htlc('SENT_ADD_COMMIT')];
    expect(shutdownDue(ch)).toBe(true);
    ch.close.sentShutdown = true;
    expect(shutdownDue(ch)).toBe(false);
  });

  it('negotiation waits for both shutdowns, no HTLC and no signature owed; a reconnect starts it over', () => {
    const ch = channel();
    ch.close = { ...newClose(), intent: true, intentDurable: true, sentShutdown: true };
    expect(readyToNegotiate(ch, false)).toBe(false);
    ch.close.receivedShutdown = true;
    ch.htlcs = [htlc('SENT_ADD_ACK_REVOCATION')];
    expect(readyToNegotiate(ch, false)).toBe(false);
    ch.htlcs = [];
    expect(readyToNegotiate(ch, true)).toBe(false);
    ch.awaitingRevoke = true;
    expect(readyToNegotiate(ch, false)).toBe(false);
    ch.awaitingRevoke = false;
    expect(readyToNegotiate(ch, false)).toBe(true);
    resetConnection(ch.close);
    expect(ch.close).toMatchObject({ intent: true, intentDurable: true, sentShutdown: false, receivedShutdown: false, sentClosingSigned: false });
    expect(readyToNegotiate(ch, false)).toBe(false);
  });

  it("the peer's proposal agrees when it mirrors ours; both sides build the same closing transaction", () => {
    const ours = channel();
    const theirs = openChannel({ id: 'ab', peer: 'A', capacity: 1000, funding: { txid: 'genesis', vout: 0 }, localBalance: 400 });
    const fromThem = closingSignedMessage(theirs);
    const proposal = { toSender: fromThem.toSender as number, toReceiver: fromThem.toReceiver as number, fee: fromThem.fee as number };
    expect(proposalAgrees(ours, proposal)).toBe(true);
    expect(proposalAgrees(ours, { ...proposal, toSender: proposal.toSender + 1 })).toBe(false);
    const tx = closingTx(ours, 'A');
    expect(closingTx(theirs, 'B')).toEqual(tx);
    expect(tx.outputs).toEqual([
      { value: 600, script: 'wallet/A' },
      { value: 400, script: 'wallet/B' },
    ]);
  });
});

describe('coop-close-inflight end to end', () => {
  it('a run closes cooperatively with both sides paid their final balances on-chain', () => {
    let checked = 0;
    for (let seed = 1; seed <= 30 && checked === 0; seed++) {
      const r = runScenario('coop-close-inflight', { seed, keepRecords: true });
      expect(r.violation).toBeUndefined();
      const closes = r.records!.filter((x) => x.k === 'coop-close');
      if (closes.length !== 2) continue;
      const [first, second] = closes;
      // Both sides agree on the balances: what one keeps the other pays it.
      expect(first.d!.toUs).toBe(second.d!.toPeer);
      expect(first.d!.toPeer).toBe(second.d!.toUs);
      const confirmed = r.records!.filter((x) => x.k === 'block').some((b) => (b.d!.txs as string[]).includes('close/ab'));
      expect(confirmed).toBe(true);
      checked++;
    }
    expect(checked, 'no seed in 1..30 closed cooperatively').toBe(1);
  });
});
