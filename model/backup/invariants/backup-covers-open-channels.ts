// Invariant backup-covers-open-channels (DESIGN 3.7): the static channel
// backup on disk always lets the node get its money back.
//
// When it is judged, precisely:
// - An input of a node's swapper (a channel event, a manual upsert, the
//   start-up refresh: trace `scb-input`) is processed once the write it caused
//   is durable (trace `scb-swapped`). At that moment the durable backup file must
//   decode and hold every channel that had been announced before the input was
//   queued (a `pending-open` or `open` channel event, a channel in the
//   database at load, or a channel in the backup file the node was given before
//   the run: a restore onto a fresh machine) and whose funds are still at stake
//   on chain.
// - At every crash, the durable backup file (if any) must decode: it is the old
//   or the new whole file, never a torn one.
// - At the end of the run (after the calm phase, when every input has been
//   processed) the durable file must cover every channel announced and still at
//   stake, and no node may have refused to start.
// - Each channel the file must hold must be held in its newest version: the
//   version the node last announced for it before the input was queued (a
//   channel event, the database at load, a manual upsert of new backup data).
//   An entry older than that (a stale copy kept over the newer one) fails: a
//   restore from it would use outdated data (the peer's address, the delay).
//   The versions come from the trace, never from the swapper's memory.
// "At stake" is judged from the chain alone, not from the node: the funding
// output is unspent (pending or open channel), or it was spent by our own
// commitment whose timelocked output to us is not swept yet.
// Channels announced later than the input was queued are not required yet (their
// own input will bring them), so the check is fair to a correct serial swapper;
// and every processed input is checked, so it is not vacuous.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import { BACKUP_KEY, decodeBackup, type DecodeResult } from '../backup-file.ts';
import { toLocalScript } from '../txs.ts';

export const BACKUP_COVERS_OPEN_CHANNELS = 'backup-covers-open-channels';

export const description =
  'After each processed swapper input (its write durable) the durable backup file decodes and covers every pending, open, and force-closed-but-unswept channel announced before that input was queued, each in the newest version announced by then; at every crash it is an old or new whole file, never torn; at the end it covers every channel still at stake, newest versions, and every node started.';

export function backupCoversOpenChannels(): Checker {
  return new BackupCoversOpenChannels();
}

/** One announced channel: its funding txid and the newest version announced. */
interface Announced {
  readonly funding: string;
  version: number;
}

/** A node's durable backup file as last decoded: the text, and what it holds (channel → version). */
interface Decoded {
  readonly text: string | undefined;
  readonly file: DecodeResult;
  readonly held: ReadonlyMap<string, number>;
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class BackupCoversOpenChannels implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /** Per node, announced channels: channel → funding txid and the newest version announced (insertion order). */
  declare private readonly announced: Map<string, Map<string, Announced>>;
  /** Per node, per queued input: the channels announced when it was queued, with their newest version then. */
  declare private readonly required: Map<string, Map<number, ReadonlyMap<string, number>>>;
  declare private readonly refused: Set<string>;
  /**
   * Per node, the channel → version view of `announced` as it stands, shared by every input queued while it does
   * not change (never mutated: a change makes the next input take a new one).
   */
  declare private readonly views: Map<string, ReadonlyMap<string, number>>;
  /** Per node, the durable backup file last decoded. */
  declare private readonly decoded: Map<string, Decoded>;

  constructor() {
    this.name = BACKUP_COVERS_OPEN_CHANNELS;
    this.kinds = ['chan-event', 'start', 'chan-db-loaded', 'scb-input', 'scb-swapped', 'crash', 'chan-db-lost', 'node-refused-start'];
    this.announced = new Map<string, Map<string, Announced>>();
    this.required = new Map<string, Map<number, ReadonlyMap<string, number>>>();
    this.refused = new Set<string>();
    this.views = new Map<string, ReadonlyMap<string, number>>();
    this.decoded = new Map<string, Decoded>();
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    const node = r.n;
    if (node === undefined) return undefined;
    switch (r.k) {
      case 'chan-event':
        return this.chanEvent(node, r.d as { chan: string; event: string; funding?: string; version?: number });
      case 'start':
        return this.start(world, node);
      case 'chan-db-loaded':
        return this.dbLoaded(node, (r.d as { channels: readonly { chan: string; funding: string; version?: number }[] }).channels);
      case 'scb-input':
        return this.input(node, r.d as { seq: number; backups?: { chan: string; version: number }[] });
      case 'scb-swapped':
        return this.swapped(world, node, (r.d as { seq: number }).seq);
      case 'crash':
        return this.crash(world, node);
      case 'chan-db-lost':
        this.required.get(node)?.clear();
        return undefined;
      case 'node-refused-start':
        this.refused.add(node);
        return undefined;
    }
    return undefined;
  }

  atEnd(world: World): string | undefined {
    if (this.refused.size > 0) return `${[...this.refused].join(', ')} refused to start (the backup file did not decode)`;
    for (const node of this.announced.keys()) {
      const problem = this.judge(world, node, this.view(node), 'at the end of the run');
      if (problem) return problem;
    }
    return undefined;
  }

  private chanEvent(node: string, d: { chan: string; event: string; funding?: string; version?: number }): undefined {
    if (d.event === 'pending-open' || d.event === 'open') this.announce(node, d.chan, d.funding!, d.version ?? 0);
    return undefined;
  }

  /** The node's first boot: channels in a backup file it was given are as good as announced. */
  private start(world: World, node: string): undefined {
    const { file } = this.durableBackup(world, node);
    if (file.kind === 'ok') for (const b of file.backups) this.announce(node, b.chan, b.funding, b.version);
    return undefined;
  }

  /** The database's version is the node's truth after a restart (a version bump that never became durable is gone). */
  private dbLoaded(node: string, channels: readonly { chan: string; funding: string; version?: number }[]): undefined {
    for (let i = 0; i < channels.length; i++) this.announce(node, channels[i].chan, channels[i].funding, channels[i].version ?? 0);
    return undefined;
  }

  private input(node: string, d: { seq: number; backups?: { chan: string; version: number }[] }): undefined {
    for (const b of d.backups ?? []) this.newVersion(node, b.chan, b.version);
    let m = this.required.get(node);
    if (!m) this.required.set(node, (m = new Map()));
    m.set(d.seq, this.view(node));
    return undefined;
  }

  private swapped(world: World, node: string, seq: number): string | undefined {
    const chans = this.required.get(node)?.get(seq);
    if (chans === undefined) return `${node}: swapper input ${seq} processed but never queued`;
    this.required.get(node)!.delete(seq);
    return this.judge(world, node, chans, `after processing input ${seq}`);
  }

  private crash(world: World, node: string): string | undefined {
    this.required.get(node)?.clear();
    const { file } = this.durableBackup(world, node);
    return file.kind === 'corrupt' ? `${node}: crash left the backup file torn (${file.reason})` : undefined;
  }

  private channels(node: string): Map<string, Announced> {
    let m = this.announced.get(node);
    if (!m) this.announced.set(node, (m = new Map()));
    return m;
  }

  private announce(node: string, chan: string, funding: string, version: number): void {
    this.views.delete(node);
    this.channels(node).set(chan, { funding, version });
  }

  private newVersion(node: string, chan: string, version: number): void {
    const c = this.announced.get(node)?.get(chan);
    if (c) {
      this.views.delete(node);
      c.version = version;
    }
  }

  private view(node: string): ReadonlyMap<string, number> {
    let v = this.views.get(node);
    if (!v) {
      // A loop, not a spread of entries mapped to pairs: no array per channel.
      const fresh = new Map<string, number>();
      for (const [chan, c] of this.channels(node)) fresh.set(chan, c.version);
      this.views.set(node, (v = fresh));
    }
    return v;
  }

  /** The node's durable backup file, decoded again only when its text changed. */
  private durableBackup(world: World, node: string): Decoded {
    const text = world.disk(node).readDurable(BACKUP_KEY);
    let entry = this.decoded.get(node);
    if (entry === undefined || entry.text !== text) {
      const file = decodeBackup(text);
      // A loop, not .map with an arrow made per call (its compiled code would die with it).
      const held = new Map<string, number>();
      if (file.kind === 'ok') for (const b of file.backups) held.set(b.chan, b.version);
      entry = { text, file, held };
      this.decoded.set(node, entry);
    }
    return entry;
  }

  /** What is wrong with a node's durable backup with respect to `chans` (channel → newest version), if anything. */
  private judge(world: World, node: string, chans: ReadonlyMap<string, number>, when: string): string | undefined {
    const { file, held } = this.durableBackup(world, node);
    if (file.kind === 'corrupt') return `${node}: durable backup does not decode (${file.reason}) ${when}`;
    const funding = this.announced.get(node);
    let missing: string[] | undefined;
    let stale: string[] | undefined;
    for (const [chan, version] of chans) {
      const have = held.get(chan);
      // Most channels are held up to date: the chain is asked only whether a missing or stale one matters.
      if (have !== undefined && !(have < version)) continue;
      if (!atStake(world, node, chan, funding!.get(chan)!.funding)) continue;
      if (have === undefined) (missing ??= []).push(chan);
      else (stale ??= []).push(`${chan} (version ${have}, newest ${version})`);
    }
    if (missing) return `${node}: durable backup lacks channel(s) ${missing.join(', ')} whose funds are at stake ${when}`;
    if (stale) return `${node}: durable backup holds a stale entry for ${stale.join(', ')} ${when}`;
    return undefined;
  }
}

/** Whether the node's funds in a channel are still at stake, judged from the chain alone. */
export function atStake(world: World, node: string, chan: string, funding: string): boolean {
  const spender = world.chain.spender({ txid: funding, vout: 0 });
  if (spender === undefined) return true;
  const tx = world.chain.confirmedTx(spender)!;
  const script = toLocalScript(node, chan);
  // A loop, not .some with an arrow made per call (its compiled code would die with it).
  const outputs = tx.outputs;
  for (let vout = 0; vout < outputs.length; vout++) if (outputs[vout].script === script && world.chain.spender({ txid: spender, vout }) === undefined) return true;
  return false;
}
