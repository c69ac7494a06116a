// Commitment and claim transactions. Output scripts are readable strings that
// carry what a real script commits to (holder, commitment number, HTLC
// direction, hash, expiry), so any watcher can interpret a confirmed
// commitment from the chain alone.
import type { OutPoint, Tx, TxOutput } from '../../sim/chain.ts';
import type { Commitment } from './types.ts';

export function commitmentTxid(channel: string, holder: string, number: number): string {
  return `commit/${channel}/${holder}/${number}`;
}

export function commitmentTx(channel: string, holder: string, counterparty: string, funding: OutPoint, c: Commitment): Tx {
  const outputs: TxOutput[] = [];
  if (c.toHolder > 0) outputs.push({ value: c.toHolder, script: `tl/${channel}/${holder}/${c.number}` });
  if (c.toCounterparty > 0) outputs.push({ value: c.toCounterparty, script: `tr/${channel}/${counterparty}` });
  for (const h of c.htlcs) outputs.push({ value: h.amount, script: `h/${channel}/${holder}/${c.number}/${h.offeredByHolder ? 'o' : 'r'}/${h.id}/${h.hash}/${h.cltv}` });
  return { txid: commitmentTxid(channel, holder, c.number), inputs: [funding], outputs, label: 'commitment' };
}

export type ParsedOutput =
  | { kind: 'to-holder'; channel: string; holder: string; number: number }
  | { kind: 'to-counterparty'; channel: string; owner: string }
  | { kind: 'htlc'; channel: string; holder: string; number: number; offeredByHolder: boolean; id: number; hash: string; cltv: number }
  | { kind: 'wallet'; owner: string }
  | { kind: 'funding'; channel: string }
  | { kind: 'other' };

export function parseScript(script: string): ParsedOutput {
  const p = script.split('/');
  switch (p[0]) {
    case 'tl':
      return { kind: 'to-holder', channel: p[1], holder: p[2], number: Number(p[3]) };
    case 'tr':
      return { kind: 'to-counterparty', channel: p[1], owner: p[2] };
    case 'h':
      return { kind: 'htlc', channel: p[1], holder: p[2], number: Number(p[3]), offeredByHolder: p[4] === 'o', id: Number(p[5]), hash: p[6], cltv: Number(p[7]) };
    case 'wallet':
      return { kind: 'wallet', owner: p[1] };
    case 'funding':
      return { kind: 'funding', channel: p[1] };
    default:
      return { kind: 'other' };
  }
}

export type ClaimKind = 'preimage' | 'timeout' | 'penalty' | 'to-self' | 'to-remote';

/** A sweep of one output to the claimer's wallet. */
export function claimTx(outpoint: OutPoint, value: number, claimer: string, kind: ClaimKind, options: { csv?: number; lockHeight?: number; witness?: string } = {}): Tx {
  return {
    txid: `claim/${outpoint.txid}:${outpoint.vout}/${claimer}/${kind}`,
    inputs: [{ txid: outpoint.txid, vout: outpoint.vout, csv: options.csv, witness: options.witness ?? kind }],
    outputs: [{ value, script: `wallet/${claimer}` }],
    lockHeight: options.lockHeight,
    label: `claim-${kind}`,
  };
}

export function preimageWitness(preimage: string): string {
  return `preimage:${preimage}`;
}

export function preimageFromWitness(witness: string | undefined): string | undefined {
  return witness?.startsWith('preimage:') ? witness.slice('preimage:'.length) : undefined;
}
