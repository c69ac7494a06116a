// The on-chain side of a channel in this slice: the transactions a channel's
// life produces and the script names that say whose output is whose. Shared by
// the channel database (which builds and watches them) and the coverage
// invariant (which judges from the chain alone whether a channel's funds are
// still at stake). The counterparty is part of the environment here, so its
// transactions are built here too.
import type { OutPoint, Tx } from '../../sim/chain.ts';

/** Fee taken by every transaction of the model (sats). */
const FEE = 1_000;

export const walletTxid = (node: string): string => `wallet-${node}`;
export const walletScript = (node: string): string => `wallet:${node}`;
/** Our output of our own commitment: spendable by us only after the CSV delay. */
export const toLocalScript = (node: string, chan: string): string => `to-local:${node}:${chan}`;
const peerScript = (peer: string): string => `wallet:${peer}`;
const peerToLocalScript = (peer: string, chan: string): string => `to-local:${peer}:${chan}`;

export const fundingTxid = (node: string, chan: string): string => `fund-${node}-${chan}`;
export const coopCloseTxid = (node: string, chan: string): string => `coop-${node}-${chan}`;
export const localCommitTxid = (node: string, chan: string): string => `commit-local-${node}-${chan}`;
export const remoteCommitTxid = (node: string, chan: string): string => `commit-remote-${node}-${chan}`;
export const sweepTxid = (node: string, chan: string): string => `sweep-${node}-${chan}`;

export const fundingOutpoint = (node: string, chan: string): OutPoint => ({ txid: fundingTxid(node, chan), vout: 0 });
export const walletCoin = (node: string, coin: number): OutPoint => ({ txid: walletTxid(node), vout: coin });

/** The wallet coins a node funds its channels from, confirmed before the run. */
export function walletGenesis(node: string, coins: number, coinValue: number): Tx {
  return { txid: walletTxid(node), inputs: [], outputs: Array.from({ length: coins }, () => ({ value: coinValue, script: walletScript(node) })), label: 'wallet' };
}

/** What the channel's transactions need to know about it. */
export interface ChannelTerms {
  readonly node: string;
  readonly peer: string;
  readonly chan: string;
  readonly coin: number;
  readonly capacity: number;
  readonly csvDelay: number;
}

export function fundingTx(c: ChannelTerms): Tx {
  return { txid: fundingTxid(c.node, c.chan), inputs: [walletCoin(c.node, c.coin)], outputs: [{ value: c.capacity, script: `funding:${c.node}:${c.chan}` }], label: 'funding' };
}

function split(c: ChannelTerms): [ours: number, theirs: number] {
  const ours = Math.floor((c.capacity - FEE) / 2);
  return [ours, c.capacity - FEE - ours];
}

export function coopCloseTx(c: ChannelTerms): Tx {
  const [ours, theirs] = split(c);
  return { txid: coopCloseTxid(c.node, c.chan), inputs: [fundingOutpoint(c.node, c.chan)], outputs: [{ value: ours, script: walletScript(c.node) }, { value: theirs, script: peerScript(c.peer) }], label: 'coop-close' };
}

/** Our commitment: our output (vout 0) is timelocked by the CSV delay. */
export function localCommitTx(c: ChannelTerms): Tx {
  const [ours, theirs] = split(c);
  return { txid: localCommitTxid(c.node, c.chan), inputs: [fundingOutpoint(c.node, c.chan)], outputs: [{ value: ours, script: toLocalScript(c.node, c.chan) }, { value: theirs, script: peerScript(c.peer) }], label: 'commit-local' };
}

/** The peer's commitment: our output pays our wallet at once; theirs is timelocked. */
export function remoteCommitTx(c: ChannelTerms): Tx {
  const [ours, theirs] = split(c);
  return { txid: remoteCommitTxid(c.node, c.chan), inputs: [fundingOutpoint(c.node, c.chan)], outputs: [{ value: ours, script: walletScript(c.node) }, { value: theirs, script: peerToLocalScript(c.peer, c.chan) }], label: 'commit-remote' };
}

/** Sweep of our timelocked output, valid once the commitment is buried csvDelay blocks. */
export function sweepTx(c: ChannelTerms): Tx {
  const [ours] = split(c);
  return { txid: sweepTxid(c.node, c.chan), inputs: [{ txid: localCommitTxid(c.node, c.chan), vout: 0, csv: c.csvDelay }], outputs: [{ value: ours - FEE, script: walletScript(c.node) }], label: 'sweep' };
}
