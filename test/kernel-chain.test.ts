import { describe, expect, it } from 'vitest';
import { Chain } from '../sim/chain.ts';

describe('Chain', () => {
  const coin = { txid: 'g', inputs: [], outputs: [{ value: 100, script: 'wallet/A' }] };

  it('the first valid spend wins and a conflicting one is evicted', () => {
    const chain = new Chain();
    chain.genesis(coin);
    expect(chain.broadcast({ txid: 't1', inputs: [{ txid: 'g', vout: 0 }], outputs: [{ value: 100, script: 'x' }] })).toBe('accepted');
    expect(chain.broadcast({ txid: 't2', inputs: [{ txid: 'g', vout: 0 }], outputs: [{ value: 90, script: 'y' }] })).toBe('accepted');
    const block = chain.mine();
    expect(block.txs.map((t) => t.txid)).toEqual(['t1']);
    expect(chain.spender({ txid: 'g', vout: 0 })).toBe('t1');
    expect(chain.mempoolTxids()).toEqual([]);
    expect(chain.broadcast({ txid: 't3', inputs: [{ txid: 'g', vout: 0 }], outputs: [] as never[] })).toBe('conflict');
  });

  it('absolute and relative timelocks hold a transaction back until their height', () => {
    const chain = new Chain();
    chain.genesis(coin);
    chain.broadcast({ txid: 'cltv', inputs: [{ txid: 'g', vout: 0 }], outputs: [{ value: 100, script: 'x' }], lockHeight: 3 });
    expect(chain.mine().txs).toEqual([]);
    expect(chain.mine().txs).toEqual([]);
    expect(chain.mine().txs.map((t) => t.txid)).toEqual(['cltv']);
    chain.broadcast({ txid: 'csv', inputs: [{ txid: 'cltv', vout: 0, csv: 2 }], outputs: [{ value: 100, script: 'y' }] });
    expect(chain.mine().txs).toEqual([]);
    expect(chain.mine().txs.map((t) => t.txid)).toEqual(['csv']);
    expect(chain.confirmations('cltv')).toBe(3);
  });

  it('rejects a transaction creating value', () => {
    const chain = new Chain();
    chain.genesis(coin);
    chain.broadcast({ txid: 'inflate', inputs: [{ txid: 'g', vout: 0 }], outputs: [{ value: 101, script: 'x' }] });
    expect(chain.mine().txs).toEqual([]);
    expect(chain.mempoolTxids()).toEqual([]);
  });

  it('the revision changes with the mempool and the confirmed set, never with the height alone', () => {
    const chain = new Chain();
    chain.genesis(coin);
    const at = (): number => chain.revision;
    let r = at();
    chain.mine(); // empty block
    expect(at()).toBe(r);
    expect(chain.broadcast({ txid: 'cltv', inputs: [{ txid: 'g', vout: 0 }], outputs: [{ value: 100, script: 'x' }], lockHeight: 3 })).toBe('accepted');
    expect(at()).not.toBe(r);
    r = at();
    expect(chain.broadcast({ txid: 'cltv', inputs: [{ txid: 'g', vout: 0 }], outputs: [{ value: 100, script: 'x' }], lockHeight: 3 })).toBe('duplicate');
    expect(at()).toBe(r);
    chain.mine(); // the transaction waits for its height: nothing changed
    expect(chain.mempoolTxids()).toEqual(['cltv']);
    expect(at()).toBe(r);
    chain.mine(); // height 3: confirmed
    expect(chain.spender({ txid: 'g', vout: 0 })).toBe('cltv');
    expect(at()).not.toBe(r);
    // A transaction evicted without confirming anything (it creates value) changes the mempool too.
    chain.broadcast({ txid: 'inflate', inputs: [{ txid: 'cltv', vout: 0 }], outputs: [{ value: 101, script: 'y' }] });
    r = at();
    expect(chain.mine().txs).toEqual([]);
    expect(chain.mempoolTxids()).toEqual([]);
    expect(at()).not.toBe(r);
  });
});
