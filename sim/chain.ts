// A small UTXO chain: a mempool, blocks on a schedule, confirmations, absolute
// (CLTV) and relative (CSV) timelocks, and conflicting spends resolved
// deterministically (first valid in mempool order wins, the rest are evicted).
// Output scripts are opaque strings: the chain checks only structure, value and
// timelocks; who may spend what is the model's business.

export interface OutPoint {
  readonly txid: string;
  readonly vout: number;
}

export interface TxInput extends OutPoint {
  /** Relative timelock: blocks the spent output must be buried before this input is valid. */
  readonly csv?: number;
  /** Opaque data revealed by spending (a payment preimage, a revocation secret); watchers read it from the chain. */
  readonly witness?: string;
}

export interface TxOutput {
  readonly value: number;
  readonly script: string;
}

export interface Tx {
  readonly txid: string;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  /** Absolute timelock: valid from this height on. */
  readonly lockHeight?: number;
  /** Free-form label for the trace (commitment, htlc-success, funding...). */
  readonly label?: string;
}

export interface Block {
  readonly height: number;
  readonly txs: readonly Tx[];
}

interface Utxo {
  readonly output: TxOutput;
  readonly height: number;
  spentBy: string | undefined;
}

const NO_TXS: readonly Tx[] = Object.freeze([]);

export type BroadcastResult = 'accepted' | 'duplicate' | 'conflict' | 'invalid';

export class Chain {
  private tip = 0;
  /** Confirmed outputs by txid, then vout (no outpoint strings built on lookups: the model asks at every block). */
  private readonly utxos = new Map<string, Utxo[]>();
  private readonly confirmed = new Map<string, { tx: Tx; height: number }>();
  private readonly mempool: Tx[] = [];
  readonly blocks: Block[] = [];
  private changes = 0;

  get height(): number {
    return this.tip;
  }

  /**
   * Changes whenever the mempool or the confirmed transactions change (not with the height alone): a watcher whose
   * answer depends only on those and on the height may keep it across blocks while this stays the same.
   */
  get revision(): number {
    return this.changes;
  }

  /** Outputs that exist before the run (wallet coins), confirmed at height 0. */
  genesis(tx: Tx): void {
    this.confirmed.set(tx.txid, { tx, height: 0 });
    this.utxos.set(tx.txid, unspentOutputs(tx, 0));
    this.changes++;
  }

  /** Put a transaction in the mempool. Structural errors are 'invalid'; a spend of an already spent output is a 'conflict' (dropped). */
  broadcast(tx: Tx): BroadcastResult {
    if (this.confirmed.has(tx.txid) || this.mempool.some((m) => m.txid === tx.txid)) return 'duplicate';
    if (tx.inputs.length === 0 || tx.outputs.some((o) => !(o.value >= 0) || !Number.isInteger(o.value))) return 'invalid';
    for (const input of tx.inputs) {
      const utxo = this.utxo(input);
      if (utxo?.spentBy !== undefined) return 'conflict';
    }
    this.mempool.push(tx);
    this.changes++;
    return 'accepted';
  }

  /** Mine one block: mempool transactions valid at the new height, in mempool order, skipping conflicts with earlier ones. */
  mine(): Block {
    const height = this.tip + 1;
    if (this.mempool.length === 0) {
      // Most blocks: nothing to validate, nothing to allocate but the block.
      this.tip = height;
      const block = { height, txs: NO_TXS };
      this.blocks.push(block);
      return block;
    }
    const included: Tx[] = [];
    // The transactions that wait stay, in order, compacted in place (slot `kept` is never ahead of the one read).
    const pool = this.mempool;
    let kept = 0;
    for (let i = 0; i < pool.length; i++) {
      const tx = pool[i];
      const verdict = this.validAt(tx, height);
      if (verdict === 'valid') {
        this.apply(tx, height);
        included.push(tx);
      } else if (verdict === 'later') {
        pool[kept++] = tx;
      } // 'never': a conflicting spend already confirmed; evicted
    }
    // Unchanged when every transaction waits (a timelock, an unconfirmed parent): nothing confirmed, nothing evicted.
    if (kept !== pool.length) this.changes++;
    pool.length = kept;
    this.tip = height;
    // Frozen like NO_TXS: every block's list has one hidden class (the model iterates them at every block).
    const block = { height, txs: included.length === 0 ? NO_TXS : Object.freeze(included) };
    this.blocks.push(block);
    return block;
  }

  confirmations(txid: string): number {
    const c = this.confirmed.get(txid);
    return c ? this.tip - c.height + 1 : 0;
  }

  confirmedTx(txid: string): Tx | undefined {
    return this.confirmed.get(txid)?.tx;
  }

  /** The confirmed transaction spending an outpoint, if any. */
  spender(outpoint: OutPoint): string | undefined {
    return this.utxo(outpoint)?.spentBy;
  }

  output(outpoint: OutPoint): TxOutput | undefined {
    return this.utxo(outpoint)?.output;
  }

  inMempool(txid: string): boolean {
    return this.mempool.some((m) => m.txid === txid);
  }

  mempoolTxids(): string[] {
    return this.mempool.map((m) => m.txid);
  }

  /** Unspent confirmed outputs, ordered by outpoint (balance checks). */
  unspent(): { outpoint: OutPoint; output: TxOutput }[] {
    // Sorted by outpoint key, each key made once (not twice per comparison).
    const keyed: { key: string; entry: { outpoint: OutPoint; output: TxOutput } }[] = [];
    for (const [id, outputs] of this.utxos) {
      outputs.forEach((u, index) => {
        if (u.spentBy !== undefined) return;
        // As the outpoint key reads back (a txid holding ':' is cut there), so the order and the answer never change.
        const [txid, vout] = key({ txid: id, vout: index }).split(':');
        const outpoint = { txid, vout: Number(vout) };
        keyed.push({ key: key(outpoint), entry: { outpoint, output: u.output } });
      });
    }
    keyed.sort((a, b) => (a.key < b.key ? -1 : 1));
    return keyed.map((k) => k.entry);
  }

  private validAt(tx: Tx, height: number): 'valid' | 'later' | 'never' {
    if (this.confirmed.has(tx.txid)) return 'never';
    let inValue = 0;
    let later = tx.lockHeight !== undefined && height < tx.lockHeight;
    for (const input of tx.inputs) {
      const utxo = this.utxo(input);
      if (!utxo) {
        later = true; // parent not confirmed yet
        continue;
      }
      if (utxo.spentBy !== undefined) return 'never';
      if (input.csv !== undefined && height - utxo.height < input.csv) later = true;
      inValue += utxo.output.value;
    }
    if (later) return 'later';
    const outValue = tx.outputs.reduce((s, o) => s + o.value, 0);
    return outValue <= inValue ? 'valid' : 'never';
  }

  private apply(tx: Tx, height: number): void {
    for (const input of tx.inputs) this.utxo(input)!.spentBy = tx.txid;
    this.utxos.set(tx.txid, unspentOutputs(tx, height));
    this.confirmed.set(tx.txid, { tx, height });
  }

  private utxo(o: OutPoint): Utxo | undefined {
    return this.utxos.get(o.txid)?.[o.vout];
  }
}

export function key(o: OutPoint): string {
  return `${o.txid}:${o.vout}`;
}

/**
 * A transaction's outputs as unspent entries, built by a loop: an optimised `map` would build a holey array (a
 * second hidden class for utxo's readers), and `spentBy` is a member from the start so spending one keeps its class.
 */
function unspentOutputs(tx: Tx, height: number): Utxo[] {
  const out: Utxo[] = [];
  for (const output of tx.outputs) out.push({ output, height, spentBy: undefined });
  return out;
}
