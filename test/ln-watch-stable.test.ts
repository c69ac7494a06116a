// The node keeps a monitor's chain watch across blocks while the chain's revision and the monitor stay the same
// (model/ln/node/closing.ts): that is sound only if watchChain's answer changes with the height alone exactly at
// its stableBelow. A withheld preimage turns urgent at cltv - urgentWithin; a late penalty falls due later.
import { describe, expect, it } from 'vitest';
import { Chain } from '../sim/chain.ts';
import type { ChainView } from '../sim/node.ts';
import { newMonitor, watchChain } from '../model/ln/monitor.ts';
import { commitmentTx } from '../model/ln/onchain.ts';
import { hashOf, preimageFor } from '../model/ln/payments.ts';
import type { Commitment, Monitor } from '../model/ln/types.ts';

const preimage = preimageFor('p1');
const hash = hashOf(preimage);

/** C's monitor of channel bc, holding the preimage of the HTLC B offered it (cltv 50). */
function receiverMonitor(): Monitor {
  const ours: Commitment = { number: 1, toHolder: 400, toCounterparty: 500, htlcs: [{ id: 0, offeredByHolder: false, amount: 100, hash, cltv: 50 }] };
  const theirs: Commitment = { number: 1, toHolder: 500, toCounterparty: 400, htlcs: [{ id: 0, offeredByHolder: true, amount: 100, hash, cltv: 50 }] };
  const m = newMonitor({ channel: 'bc', holder: 'C', counterparty: 'B', capacity: 1000, funding: { txid: 'genesis', vout: 0 }, holderCommitment: ours, counterpartyCommitment: theirs, toSelfDelay: 2 });
  m.preimages[hash] = preimage;
  return m;
}

/** B's commitment confirmed at height 1; nothing else ever reaches the chain. */
function confirmedTheirs(m: Monitor): { chain: Chain; view: ChainView } {
  const chain = new Chain();
  chain.genesis({ txid: 'genesis', inputs: [], outputs: [{ value: 1000, script: 'funding/bc' }], label: 'genesis' });
  chain.broadcast(commitmentTx('bc', 'B', 'C', m.funding, m.counterpartyCommitments[0]));
  chain.mine();
  return { chain, view: chain as unknown as ChainView };
}

describe('a chain watch stays the same below its stableBelow', () => {
  it('a withheld preimage: the same answer each block until it turns urgent, then the claim', () => {
    const m = receiverMonitor();
    const { chain, view } = confirmedTheirs(m);
    const options = { withheld: [hash], urgentWithin: 10 };
    const first = watchChain(m, view, options);
    expect(first.stableBelow).toBe(40);
    expect(first.broadcasts.map((t) => t.label)).toEqual(['claim-to-remote']);
    const revision = chain.revision;
    while (chain.height < 39) {
      chain.mine();
      expect(watchChain(m, view, options)).toEqual(first);
    }
    chain.mine();
    expect(chain.revision).toBe(revision);
    const urgent = watchChain(m, view, options);
    expect(urgent.broadcasts.map((t) => t.label)).toEqual(['claim-to-remote', 'claim-preimage']);
    expect(urgent.stableBelow).toBe(Infinity);
  });

  it('a penalty not yet due: answered afresh at the next block', () => {
    const m = receiverMonitor();
    m.revokedUpTo = 1; // B's commitment 1 is revoked: punished, two blocks late (ln-penalty-late)
    const { chain, view } = confirmedTheirs(m);
    const options = { penalty: { delay: 2 } };
    let w = watchChain(m, view, options);
    expect(w.stableBelow).toBe(chain.height + 1);
    expect(w.broadcasts.map((t) => t.label)).toEqual(['claim-to-remote']);
    chain.mine();
    chain.mine();
    w = watchChain(m, view, options);
    expect(w.broadcasts.map((t) => t.label)).toEqual(['claim-penalty', 'claim-to-remote', 'claim-penalty']);
    expect(w.stableBelow).toBe(Infinity);
  });
});
