// monitor-safety: a node never sends revoke_and_ack or commitment_signed for a
// state its durable monitor does not hold, never hands out what lets funds
// move into a channel (funding_signed, the funding broadcast) before the
// channel's monitor is durable, and never broadcasts a commitment it has
// revoked. Judged against the disk's durable content at the moment the message
// or transaction leaves, so an update that is merely in memory does not count.
//
// What the durable monitor holds is read by the checker itself from the
// durable bytes, by the persistence contract (a whole-monitor snapshot under
// monitor/<channel>, then the update files of the snapshot's epoch under
// monitor-update/<channel>/<id>, applied while their ids run on without a
// gap): it does not call the model's loader, so a loader that recovers more
// than the bytes hold would not move the check with it. The files are looked
// up by name, snapshot id + 1 onwards (a file holds the update its name
// gives), not listed: a send costs a few lookups, not a scan of the disk.
import type { Disk } from '../../../sim/disk.ts';
import type { World } from '../../../sim/world.ts';
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';
import { monitorKey, updateKey } from '../monitor.ts';
import { CHEAT_FAULTS, PerDirection } from './ledger.ts';

/** The two facts this invariant needs of a durable monitor. */
interface DurableView {
  readonly holderNumber: number;
  /** The highest counterparty commitment it holds (-Infinity: none). */
  readonly counterpartyTop: number;
}

interface StoredCommitment {
  readonly number: number;
}

/** A durable text file decoded, with the text it was decoded from. */
interface Decoded {
  readonly text: string;
  readonly value: unknown;
}

/**
 * A durable file's value, parsing it when it is stored as text. Text files decoded so far are kept by node and key
 * (`decoded`): a file is decoded again only when its durable content changed. Files written as values need none.
 */
function durableFile(decoded: PerDirection<Decoded | undefined>, disk: Disk, node: string, key: string): unknown {
  const text = disk.durableContent(key);
  if (typeof text !== 'string') return text; // a value (or nothing): no decoding
  let file = decoded.get(node, key);
  if (file?.text !== text) {
    file = { text, value: JSON.parse(text) };
    decoded.set(node, key, file);
  }
  return file.value;
}

/**
 * The durable monitor of `channel`, decoded from what is durable alone, by the persistence contract (a snapshot,
 * then that epoch's updates with no gap); undefined: none on disk.
 */
function readDurableMonitor(decoded: PerDirection<Decoded | undefined>, disk: Disk, node: string, channel: string): DurableView | undefined {
  const snap = durableFile(decoded, disk, node, monitorKey(channel)) as { updateId: number; epoch: number; holderCommitment: StoredCommitment; counterpartyCommitments: readonly StoredCommitment[] } | undefined;
  if (snap === undefined) return undefined;
  let holderNumber = snap.holderCommitment.number;
  let counterpartyTop = -Infinity;
  const theirs = snap.counterpartyCommitments;
  for (let i = 0; i < theirs.length; i++) counterpartyTop = Math.max(counterpartyTop, theirs[i].number);
  for (let id = snap.updateId + 1; ; id++) {
    const u = durableFile(decoded, disk, node, updateKey(channel, id)) as { id: number; epoch: number; kind: string; commitment?: StoredCommitment } | undefined;
    if (u === undefined || u.epoch !== snap.epoch) break;
    if (u.kind === 'holder-commitment') holderNumber = u.commitment!.number;
    if (u.kind === 'counterparty-commitment') counterpartyTop = Math.max(counterpartyTop, u.commitment!.number);
  }
  return { holderNumber, counterpartyTop };
}

/** The highest commitment a node revoked on a channel (-1: none). */
interface Revoked {
  upTo: number;
}

const newRevoked = (): Revoked => ({ upTo: -1 });

export function monitorSafety(): Checker {
  return new MonitorSafety();
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class MonitorSafety implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /** Per node and channel (nested: no "node/channel" text per message). */
  declare private readonly revokedByUs: PerDirection<Revoked>;
  /** A node the fault plan just told to cheat: its next broadcast is the cheat, not a monitor's mistake. */
  declare private cheating: string | undefined;
  /** Index of the last record read: any record of another kind in between ends the fault's handler too. */
  declare private last: number;
  /** Durable text files decoded so far, by node and key. */
  declare private readonly decodedFiles: PerDirection<Decoded | undefined>;

  constructor() {
    this.name = 'monitor-safety';
    this.kinds = ['fault', 'send', 'broadcast', 'cheat'];
    this.revokedByUs = new PerDirection<Revoked>();
    this.cheating = undefined;
    this.last = -1;
    this.decodedFiles = new PerDirection<Decoded | undefined>();
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    if (r.i !== this.last + 1) this.cheating = undefined;
    this.last = r.i;
    if (r.k === 'fault' && r.n && CHEAT_FAULTS.includes(r.d?.kind as string)) {
      this.cheating = r.n;
      return undefined;
    }
    const cheating = this.cheating;
    const cheat = cheating !== undefined && r.n === cheating && r.k === 'broadcast';
    // Only the records of the fault's own handler belong to it.
    if (cheating !== undefined && (r.n !== cheating || (r.k !== 'cheat' && r.k !== 'broadcast'))) this.cheating = undefined;
    if (cheat) {
      this.cheating = undefined;
      return undefined;
    }
    if (r.k === 'send' && r.n) return this.send(world, r.n, r.d!.message as { type: string; channel: string; number: number });
    if (r.k === 'broadcast' && r.n) return this.broadcast(world, r.n, r.d);
    return undefined;
  }

  private durableMonitor(world: World, node: string, channel: string): DurableView | undefined {
    return readDurableMonitor(this.decodedFiles, world.disk(node), node, channel);
  }

  private send(world: World, node: string, message: { type: string; channel: string; number: number }): string | undefined {
    if (message.type === 'funding_signed') {
      // The funder may broadcast once it has our signature: our monitor must already be able to act on-chain.
      return this.durableMonitor(world, node, message.channel) ? undefined : `${node} sent funding_signed for ${message.channel} before its monitor was durable`;
    }
    if (message.type !== 'revoke_and_ack' && message.type !== 'commitment_signed') return undefined;
    const durable = this.durableMonitor(world, node, message.channel);
    if (!durable) return `${node} sent ${message.type} on ${message.channel} with no durable monitor`;
    if (message.type === 'revoke_and_ack') {
      const revoked = this.revokedByUs.entry(node, message.channel, newRevoked);
      revoked.upTo = Math.max(revoked.upTo, message.number);
      if (durable.holderNumber < message.number + 1) {
        return `${node} revoked commitment ${message.number} on ${message.channel} before commitment ${message.number + 1}, which replaces it, was durable in its monitor (the durable monitor holds only commitment ${durable.holderNumber})`;
      }
    } else if (durable.counterpartyTop < message.number) {
      return `${node} sent commitment_signed ${message.number} on ${message.channel} before its monitor durably knew that counterparty commitment`;
    }
    return undefined;
  }

  private broadcast(world: World, node: string, d: Readonly<Record<string, unknown>> | undefined): string | undefined {
    if (d?.label === 'funding' && typeof d.txid === 'string') {
      const channel = d.txid.slice(d.txid.indexOf('/') + 1);
      if (!this.durableMonitor(world, node, channel)) return `${node} broadcast the funding of ${channel} before its monitor was durable`;
    }
    if (typeof d?.txid === 'string' && d.txid.startsWith('commit/')) {
      const [, channel, holder, number] = d.txid.split('/');
      if (holder === node && Number(number) <= (this.revokedByUs.get(node, channel)?.upTo ?? -1)) {
        return `${node} broadcast its revoked commitment ${number} of ${channel}`;
      }
    }
    return undefined;
  }
}
