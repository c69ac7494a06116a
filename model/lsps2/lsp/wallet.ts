// The LSP's on-chain wallet: the genesis coins paying to its script, minus
// those reserved by a JIT channel that is not closed. A funding transaction
// spends one coin: channel output to the client, change back to the wallet.
import type { NodeEnv } from '../../../sim/node.ts';
import type { Tx } from '../../../sim/chain.ts';
import type { ChanRecord, LspState } from './state.ts';

export interface Coin {
  readonly txid: string;
  readonly vout: number;
  readonly valueSat: number;
}

/** Coins the wallet knows: outputs of the LSP's genesis transactions. */
export function walletCoins(env: NodeEnv, genesisTxids: readonly string[], script: string): Coin[] {
  const coins: Coin[] = [];
  for (const txid of genesisTxids) {
    const tx = env.chain.confirmedTx(txid);
    tx?.outputs.forEach((o, vout) => {
      if (o.script === script) coins.push({ txid, vout, valueSat: o.value });
    });
  }
  return coins;
}

/** The first coin big enough that no open channel reserves and the chain has not spent. */
export function selectCoin(state: LspState, env: NodeEnv, coins: readonly Coin[], amountSat: number): Coin | undefined {
  const reserved = new Set<string>();
  for (const c of state.channels.values()) if (c.state !== 'closed') for (const i of c.inputs) reserved.add(`${i.txid}:${i.vout}`);
  return coins.find((c) => c.valueSat >= amountSat && !reserved.has(`${c.txid}:${c.vout}`) && env.chain.spender(c) === undefined);
}

export function fundingTx(chan: ChanRecord, walletScript: string): Tx {
  // A loop, not map: optimised code's map makes a "holey" array, another hidden class for the chain's readers.
  const inputs: { txid: string; vout: number }[] = [];
  for (const i of chan.inputs) inputs.push({ txid: i.txid, vout: i.vout });
  return {
    txid: chan.fundingTxid,
    inputs,
    outputs: [
      { value: chan.capacitySat, script: `jit:${chan.id}:${chan.client}` },
      { value: chan.changeSat, script: walletScript },
    ],
    label: 'funding',
  };
}
