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
  /** Per node, announced channels: channel → funding txid and the newest version announced (insertion order). */
  const announced = new Map<string, Map<string, { funding: string; version: number }>>();
  /** Per node, per queued input: the channels announced when it was queued, with their newest version then. */
  const required = new Map<string, Map<number, ReadonlyMap<string, number>>>();
  const refused = new Set<string>();

  /**
   * Per node, the channel → version view of `announced` as it stands, shared by every input queued while it does
   * not change (never mutated: a change makes the next input take a new one).
   */
  const views = new Map<string, ReadonlyMap<string, number>>();
  /** Per node, the durable backup file last decoded: the text, and what it holds (channel → version). */
  const decoded = new Map<string, { text: string | undefined; file: DecodeResult; held: ReadonlyMap<string, number> }>();

  const channels = (node: string) => {
    let m = announced.get(node);
    if (!m) announced.set(node, (m = new Map()));
    return m;
  };
  const announce = (node: string, chan: string, funding: string, version: number) => {
    views.delete(node);
    channels(node).set(chan, { funding, version });
  };
  const newVersion = (node: string, chan: string, version: number) => {
    const c = announced.get(node)?.get(chan);
    if (c) {
      views.delete(node);
      c.version = version;
    }
  };
  const view = (node: string): ReadonlyMap<string, number> => {
    let v = views.get(node);
    if (!v) {
      // A loop, not a spread of entries mapped to pairs: no array per channel.
      const fresh = new Map<string, number>();
      for (const [chan, c] of channels(node)) fresh.set(chan, c.version);
      views.set(node, (v = fresh));
    }
    return v;
  };
  /** The node's durable backup file, decoded again only when its text changed. */
  const durableBackup = (world: World, node: string) => {
    const text = world.disk(node).readDurable(BACKUP_KEY);
    let entry = decoded.get(node);
    if (entry === undefined || entry.text !== text) {
      const file = decodeBackup(text);
      entry = { text, file, held: new Map(file.kind === 'ok' ? file.backups.map((b) => [b.chan, b.version]) : []) };
      decoded.set(node, entry);
    }
    return entry;
  };

  /** What is wrong with a node's durable backup with respect to `chans` (channel → newest version), if anything. */
  const judge = (world: World, node: string, chans: ReadonlyMap<string, number>, when: string): string | undefined => {
    const { file, held } = durableBackup(world, node);
    if (file.kind === 'corrupt') return `${node}: durable backup does not decode (${file.reason}) ${when}`;
    const funding = announced.get(node);
    let missing: string[] | undefined;
    let stale: string[] | undefined;
    for (const [chan, version] of chans) {
      if (!atStake(world, node, chan, funding!.get(chan)!.funding)) continue;
      const have = held.get(chan);
      if (have === undefined) (missing ??= []).push(chan);
      else if (have < version) (stale ??= []).push(`${chan} (version ${have}, newest ${version})`);
    }
    if (missing) return `${node}: durable backup lacks channel(s) ${missing.join(', ')} whose funds are at stake ${when}`;
    if (stale) return `${node}: durable backup holds a stale entry for ${stale.join(', ')} ${when}`;
    return undefined;
  };

  return {
    name: BACKUP_COVERS_OPEN_CHANNELS,
    kinds: ['chan-event', 'start', 'chan-db-loaded', 'scb-input', 'scb-swapped', 'crash', 'chan-db-lost', 'node-refused-start'],
    onRecord(r: TraceRecord, world: World): string | undefined {
      const node = r.n;
      if (node === undefined) return undefined;
      switch (r.k) {
        case 'chan-event': {
          const d = r.d as { chan: string; event: string; funding?: string; version?: number };
          if (d.event === 'pending-open' || d.event === 'open') announce(node, d.chan, d.funding!, d.version ?? 0);
          return undefined;
        }
        case 'start': {
          // The node's first boot: channels in a backup file it was given are as good as announced.
          const { file } = durableBackup(world, node);
          if (file.kind === 'ok') for (const b of file.backups) announce(node, b.chan, b.funding, b.version);
          return undefined;
        }
        case 'chan-db-loaded': {
          // The database's version is the node's truth after a restart (a version bump that never became durable is gone).
          const channels = (r.d as { channels: readonly { chan: string; funding: string; version?: number }[] }).channels;
          for (let i = 0; i < channels.length; i++) announce(node, channels[i].chan, channels[i].funding, channels[i].version ?? 0);
          return undefined;
        }
        case 'scb-input': {
          const d = r.d as { seq: number; backups?: { chan: string; version: number }[] };
          for (const b of d.backups ?? []) newVersion(node, b.chan, b.version);
          let m = required.get(node);
          if (!m) required.set(node, (m = new Map()));
          m.set(d.seq, view(node));
          return undefined;
        }
        case 'scb-swapped': {
          const seq = (r.d as { seq: number }).seq;
          const chans = required.get(node)?.get(seq);
          if (chans === undefined) return `${node}: swapper input ${seq} processed but never queued`;
          required.get(node)!.delete(seq);
          return judge(world, node, chans, `after processing input ${seq}`);
        }
        case 'crash': {
          required.get(node)?.clear();
          const { file } = durableBackup(world, node);
          return file.kind === 'corrupt' ? `${node}: crash left the backup file torn (${file.reason})` : undefined;
        }
        case 'chan-db-lost':
          required.get(node)?.clear();
          return undefined;
        case 'node-refused-start':
          refused.add(node);
          return undefined;
      }
      return undefined;
    },
    atEnd(world: World): string | undefined {
      if (refused.size > 0) return `${[...refused].join(', ')} refused to start (the backup file did not decode)`;
      for (const node of announced.keys()) {
        const problem = judge(world, node, view(node), 'at the end of the run');
        if (problem) return problem;
      }
      return undefined;
    },
  };
}

/** Whether the node's funds in a channel are still at stake, judged from the chain alone. */
export function atStake(world: World, node: string, chan: string, funding: string): boolean {
  const spender = world.chain.spender({ txid: funding, vout: 0 });
  if (spender === undefined) return true;
  const tx = world.chain.confirmedTx(spender)!;
  const script = toLocalScript(node, chan);
  return tx.outputs.some((o, vout) => o.script === script && world.chain.spender({ txid: spender, vout }) === undefined);
}
