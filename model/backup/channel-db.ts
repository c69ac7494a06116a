// A small channel database for one node: just enough channel life for the
// backup swapper to have something to back up. Channels go pending-open
// (record durable, then funding broadcast) → open (funding buried minDepth
// blocks) → closed cooperatively, by the peer's commitment, or by ours (then
// "awaiting sweep" until the sweep of our timelocked output confirms). One
// record per channel on the node's disk; events are published to the
// subscriber after each change. The full channel model (model/ln) replaces
// this in a later integration by publishing the same ChannelEvents.
import type { Tx } from '../../sim/chain.ts';
import type { NodeEnv } from '../../sim/node.ts';
import type { StaticBackup } from './backup-file.ts';
import type { ChannelEvent, ChannelSource, CloseKind, LiveChannel } from './channel-events.ts';
import {
  coopCloseTx,
  coopCloseTxid,
  fundingOutpoint,
  fundingTx,
  fundingTxid,
  localCommitTx,
  localCommitTxid,
  remoteCommitTx,
  remoteCommitTxid,
  sweepTx,
  walletCoin,
  type ChannelTerms,
} from './txs.ts';

export interface ChannelDbOptions {
  /** The counterparty of every channel (part of the environment in this slice, not a simulated node). */
  readonly peer: string;
  /** Wallet coins (genesis outputs) a node may fund channels from; one channel per coin. */
  readonly coins: number;
  /** Value of each wallet coin, which becomes the channel's capacity. */
  readonly coinValue: number;
  /** Confirmations of the funding transaction before a pending channel is open. */
  readonly minDepth: number;
  /** Blocks our output of our own commitment stays timelocked. */
  readonly csvDelay: number;
}

export type ChannelStatus = 'pending' | 'open' | 'closing' | 'force-closing' | 'awaiting-sweep' | 'closed';

/** One channel as persisted (JSON under `chandb/<chan>`). */
export interface ChannelRecord {
  readonly chan: string;
  readonly coin: number;
  readonly capacity: number;
  readonly csvDelay: number;
  status: ChannelStatus;
  version: number;
  closedBy?: CloseKind;
}

export const CHANNEL_DB_PREFIX = 'chandb/';
const recordKey = (chan: string): string => `${CHANNEL_DB_PREFIX}${chan}`;

export class ChannelDb implements ChannelSource {
  /** Every channel, in creation order (load order: sorted keys). */
  readonly records = new Map<string, ChannelRecord>();
  /** Opens whose record is not durable yet: the funding waits for it, nobody hears of them. */
  readonly awaitingDurable = new Set<string>();
  private listener: ((event: ChannelEvent) => void) | undefined;

  constructor(
    private readonly env: NodeEnv,
    private readonly options: ChannelDbOptions,
    /** Tags of this process's writes carry it (an in-process restart ignores the old ones). */
    private readonly run: number,
  ) {}

  /** Read the records from disk, catch up with the chain, and re-broadcast what a crash may have cut short. */
  static load(env: NodeEnv, options: ChannelDbOptions, run: number): ChannelDb {
    const db = new ChannelDb(env, options, run);
    for (const key of env.disk.keys(CHANNEL_DB_PREFIX)) {
      const record = JSON.parse(env.disk.read(key)!) as ChannelRecord;
      db.records.set(record.chan, record);
    }
    env.trace('chan-db-loaded', { channels: db.liveChannels().map((c) => ({ chan: c.backup.chan, funding: c.backup.funding, version: c.backup.version })) });
    for (const record of db.records.values()) db.rebroadcast(record);
    db.reconcile();
    return db;
  }

  subscribe(listener: (event: ChannelEvent) => void): void {
    this.listener = listener;
  }

  liveChannels(): LiveChannel[] {
    const out: LiveChannel[] = [];
    for (const r of this.records.values()) {
      if (r.status === 'closed' || this.awaitingDurable.has(r.chan)) continue;
      out.push({ backup: this.backupOf(r), pending: r.status === 'pending' });
    }
    return out;
  }

  /** Whether nothing is half-done (an open waiting for its record to be durable). */
  get quiescent(): boolean {
    return this.awaitingDurable.size === 0;
  }

  /** Channels in one of the given states, in creation order (commands pick among them). */
  withStatus(...statuses: ChannelStatus[]): ChannelRecord[] {
    return [...this.records.values()].filter((r) => statuses.includes(r.status) && !this.awaitingDurable.has(r.chan));
  }

  // ---- commands ---------------------------------------------------------------

  /** Open a channel with the first free wallet coin: persist it, and once that is durable, broadcast the funding. */
  open(): void {
    const coin = this.freeCoin();
    if (coin === undefined) {
      this.env.trace('chan-open-refused', { reason: 'no free wallet coin' });
      return;
    }
    const record: ChannelRecord = { chan: `c${coin}`, coin, capacity: this.options.coinValue, csvDelay: this.options.csvDelay, status: 'pending', version: 1 };
    this.records.set(record.chan, record);
    this.awaitingDurable.add(record.chan);
    const status = this.env.disk.write(recordKey(record.chan), JSON.stringify(record), { tag: `db:${this.run}:open:${record.chan}` });
    if (status === 'durable') this.fundingPersisted(record.chan);
  }

  /** A durable-write completion addressed to the database. */
  onDurable(tag: string): void {
    const [, run, what, chan] = tag.split(':');
    if (Number(run) !== this.run || what !== 'open' || !this.awaitingDurable.has(chan)) return;
    this.fundingPersisted(chan);
  }

  coopClose(record: ChannelRecord): void {
    this.setStatus(record, 'closing');
    this.env.broadcast(coopCloseTx(this.terms(record)));
  }

  forceClose(record: ChannelRecord): void {
    this.setStatus(record, 'force-closing');
    this.env.broadcast(localCommitTx(this.terms(record)));
  }

  /** The peer broadcasts its commitment (a fault action: the peer is part of the environment). */
  peerForceClose(record: ChannelRecord): void {
    this.env.broadcast(remoteCommitTx(this.terms(record)));
  }

  /** New backup data for a channel (as when the peer's address changes): returns the fresh backup. */
  refresh(record: ChannelRecord): StaticBackup {
    record.version++;
    this.persist(record);
    return this.backupOf(record);
  }

  // ---- chain ------------------------------------------------------------------

  /** Move every channel along with what the chain says now (called at load and on each block). */
  reconcile(): void {
    const chain = this.env.chain;
    for (const r of this.records.values()) {
      // A closed channel has nothing left to follow on-chain (none of the rules below reads it).
      if (r.status === 'closed' || this.awaitingDurable.has(r.chan)) continue;
      if (r.status === 'pending' && chain.confirmations(fundingTxid(this.env.id, r.chan)) >= this.options.minDepth) {
        this.setStatus(r, 'open');
        this.publish({ kind: 'open', backup: this.backupOf(r) });
      }
      if (r.status === 'open' || r.status === 'closing' || r.status === 'force-closing') {
        const spender = chain.spender(fundingOutpoint(this.env.id, r.chan));
        // Unspent (most blocks, every open channel): no close to tell apart, no txid built for one.
        if (spender !== undefined) this.fundingSpent(r, spender);
      }
      if (r.status === 'awaiting-sweep' && chain.spender({ txid: localCommitTxid(this.env.id, r.chan), vout: 0 }) !== undefined) this.closed(r, 'local-force-resolved');
    }
  }

  // ---- helpers ----------------------------------------------------------------

  /** The channel's funding output is spent by `spender`: which close it is. */
  private fundingSpent(r: ChannelRecord, spender: string): void {
    if (spender === coopCloseTxid(this.env.id, r.chan)) this.closed(r, 'coop');
    else if (spender === remoteCommitTxid(this.env.id, r.chan)) this.closed(r, 'remote-force');
    else if (spender === localCommitTxid(this.env.id, r.chan)) {
      this.setStatus(r, 'awaiting-sweep');
      this.publish({ kind: 'close', chan: r.chan, close: 'local-force-confirmed' });
      this.env.broadcast(sweepTx(this.terms(r)));
    } else throw new Error(`channel-db: ${this.env.id} ${r.chan} funding spent by unknown ${spender}`);
  }

  private fundingPersisted(chan: string): void {
    this.awaitingDurable.delete(chan);
    const record = this.records.get(chan)!;
    this.env.broadcast(fundingTx(this.terms(record)));
    this.publish({ kind: 'pending-open', backup: this.backupOf(record) });
  }

  private closed(record: ChannelRecord, close: CloseKind): void {
    record.closedBy = close;
    this.setStatus(record, 'closed');
    this.publish({ kind: 'close', chan: record.chan, close });
  }

  /** After a restart: whatever we had decided to broadcast goes out again (the mempool may not have it). */
  private rebroadcast(r: ChannelRecord): void {
    const t = this.terms(r);
    const fundingSpent = this.env.chain.spender(fundingOutpoint(this.env.id, r.chan)) !== undefined;
    if (r.status === 'pending') this.broadcastIfMissing(fundingTx(t));
    if (r.status === 'closing' && !fundingSpent) this.broadcastIfMissing(coopCloseTx(t));
    if (r.status === 'force-closing' && !fundingSpent) this.broadcastIfMissing(localCommitTx(t));
    if (r.status === 'awaiting-sweep') this.broadcastIfMissing(sweepTx(t));
  }

  private broadcastIfMissing(tx: Tx): void {
    if (this.env.chain.confirmations(tx.txid) === 0 && !this.env.chain.inMempool(tx.txid)) this.env.broadcast(tx);
  }

  private setStatus(record: ChannelRecord, status: ChannelStatus): void {
    record.status = status;
    this.persist(record);
  }

  private persist(record: ChannelRecord): void {
    this.env.disk.write(recordKey(record.chan), JSON.stringify(record));
  }

  private publish(event: ChannelEvent): void {
    const data = event.kind === 'close' ? { chan: event.chan, event: event.kind, close: event.close } : { chan: event.backup.chan, event: event.kind, funding: event.backup.funding, version: event.backup.version };
    this.env.trace('chan-event', data);
    this.listener?.(event);
  }

  /** A coin no channel record uses and no funding transaction (mempool or chain) spends. */
  private freeCoin(): number | undefined {
    const used = new Set<number>();
    for (const r of this.records.values()) used.add(r.coin);
    for (let coin = 0; coin < this.options.coins; coin++) {
      if (used.has(coin)) continue;
      if (this.env.chain.spender(walletCoin(this.env.id, coin)) !== undefined) continue;
      if (this.env.chain.inMempool(fundingTxid(this.env.id, `c${coin}`))) continue;
      return coin;
    }
    return undefined;
  }

  private terms(r: ChannelRecord): ChannelTerms {
    return { node: this.env.id, peer: this.options.peer, chan: r.chan, coin: r.coin, capacity: r.capacity, csvDelay: r.csvDelay };
  }

  private backupOf(r: ChannelRecord): StaticBackup {
    return { chan: r.chan, funding: fundingTxid(this.env.id, r.chan), peer: this.options.peer, csvDelay: r.csvDelay, version: r.version };
  }
}
