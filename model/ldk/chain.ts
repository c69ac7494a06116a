// The chain as LDK sees it: the kernel's chain (sim/chain.ts) with every
// transaction carried as raw Bitcoin bytes. LDK broadcasts raw transactions;
// we parse them with @scure/btc-signer into the kernel's Tx (txid, inputs with
// relative timelocks, outputs, absolute timelock) and keep the raw bytes on the
// Tx for the nodes. Blocks are fake 80-byte headers chained by double sha256:
// LDK reads only their hash and time. LDK's heights are the kernel's plus
// HEIGHT_OFFSET: the channels are opened in a setup chain of that many blocks
// before the run (the kernel's genesis is the setup chain's last block).
import { Transaction } from '@scure/btc-signer';
import type { Tx } from '../../sim/chain.ts';
import { concat, sha256d, toHex, u32le } from './bytes.ts';

/** The setup chain's length: the funding transactions confirm in its last block, the kernel's genesis. */
export const HEIGHT_OFFSET = 10;
/** Block header time at LDK height 0 (a fixed base: time comes only from the simulation). */
export const BASE_TIME = 1_700_000_000;
/** Seconds of header time per block. */
export const BLOCK_SECONDS = 600;

/** A kernel transaction that carries its raw bytes. */
export interface LdkTx extends Tx {
  readonly raw: string;
}

const headers: Uint8Array[] = [];
const hashes: Uint8Array[] = [];

/** The canonical header at an LDK height (a pure function of the height; cached for the process). */
export function header(height: number): Uint8Array {
  for (let h = headers.length; h <= height; h++) {
    const prev = h === 0 ? new Uint8Array(32) : hashes[h - 1];
    const bytes = concat(u32le(2), prev, sha256d(u32le(h)), u32le(headerTime(h)), u32le(0x207fffff), u32le(0));
    headers.push(bytes);
    hashes.push(sha256d(bytes));
  }
  return headers[height];
}

/** The block hash (internal byte order) at an LDK height. */
export function blockHash(height: number): Uint8Array {
  header(height);
  return hashes[height];
}

export const headerTime = (height: number): number => BASE_TIME + height * BLOCK_SECONDS;

const LOCKTIME_THRESHOLD = 500_000_000;
const SEQUENCE_DISABLE = 0x8000_0000;
const SEQUENCE_TYPE_TIME = 0x0040_0000;

/** Parse a raw transaction into the kernel's Tx, keeping the raw bytes. `label` names it in the trace. */
export function parseTx(raw: Uint8Array, label: string): LdkTx {
  const tx = Transaction.fromRaw(raw, { allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true });
  const inputs = [];
  let final = true;
  for (let i = 0; i < tx.inputsLength; i++) {
    const input = tx.getInput(i);
    const sequence = input.sequence ?? 0xffffffff;
    if (sequence !== 0xffffffff) final = false;
    // BIP 68: a relative timelock in blocks, for version-2 transactions.
    const csv = tx.version >= 2 && (sequence & SEQUENCE_DISABLE) === 0 && (sequence & SEQUENCE_TYPE_TIME) === 0 ? sequence & 0xffff : 0;
    inputs.push({ txid: toHex(input.txid!), vout: input.index!, ...(csv > 0 ? { csv } : {}) });
  }
  const outputs = [];
  for (let i = 0; i < tx.outputsLength; i++) {
    const output = tx.getOutput(i);
    outputs.push({ value: Number(output.amount!), script: toHex(output.script!) });
  }
  // nLockTime L (a height) allows the transaction in blocks above L; the kernel's lockHeight is the first valid kernel height.
  const lock = tx.lockTime;
  const lockHeight = !final && lock > 0 && lock < LOCKTIME_THRESHOLD ? Math.max(0, lock + 1 - HEIGHT_OFFSET) : undefined;
  return { txid: tx.id, inputs, outputs, ...(lockHeight !== undefined ? { lockHeight } : {}), label, raw: toHex(raw) };
}

export function isLdkTx(tx: Tx): tx is LdkTx {
  return typeof (tx as Partial<LdkTx>).raw === 'string';
}
