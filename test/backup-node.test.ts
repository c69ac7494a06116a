// Scripted runs of the backup node: the channel database lost under a good
// backup and a restore onto a fresh machine (each with and without
// lnd-scb-wipe), and a node that refuses to start on an undecodable backup file.
import { describe, expect, it } from 'vitest';
import { BACKUP_KEY, decodeBackup, encodeBackup } from '../model/backup/backup-file.ts';
import { SCB_WIPE } from '../model/backup/bugs.ts';
import { BACKUP_COVERS_OPEN_CHANNELS } from '../model/backup/invariants/backup-covers-open-channels.ts';
import type { BackupCommand } from '../model/backup/node.ts';
import { backupChurn } from '../scenarios/backup/backup-churn.ts';
import { runSim, type SimSpec } from '../sim/runner.ts';
import type { ScheduledCommand, World } from '../sim/world.ts';

/** The scenario's node, world and invariant, with a fixed script and no faults. */
function scripted(bugs: string[], script: [time: number, command: BackupCommand][]): SimSpec {
  const spec = backupChurn.build(new Set(bugs));
  return { ...spec, faults: {}, swarm: false, workload: () => script.map(([time, command]): ScheduledCommand => ({ time, node: 'A', command })) };
}

const durableChannels = (world: World) => {
  const file = decodeBackup(world.disk('A').readDurable(BACKUP_KEY));
  if (file.kind !== 'ok') throw new Error(`backup does not decode: ${file.kind}`);
  return file.backups.map((b) => b.chan);
};

const script: [number, BackupCommand][] = [
  [60, { type: 'open' }],
  [70, { type: 'open' }],
  [80, { type: 'open' }],
  [900, { type: 'force-close', pick: 0 }],
  [1_000, { type: 'lose-channel-db' }],
  [1_100, { type: 'open' }],
];

describe('a node whose channel database is lost', () => {
  it('keeps the channels it can no longer see in the backup (union with disk)', () => {
    const result = runSim(scripted([], script), { seed: 1 });
    expect(result.violation).toBeUndefined();
    // c0 was force-closed just before the loss: its sweep is timelocked, so it stays too.
    expect(durableChannels(result.world)).toEqual(['c0', 'c1', 'c2', 'c3']);
  });

  it('with lnd-scb-wipe overwrites the backup with only what the empty database knows', () => {
    const result = runSim(scripted([SCB_WIPE], script), { seed: 1 });
    expect(result.violation?.invariant).toBe(BACKUP_COVERS_OPEN_CHANNELS);
    expect(result.violation?.message).toContain('lacks channel(s) c0, c1, c2');
  });
});

describe('a restore onto a fresh machine with only the backup file', () => {
  const old = [1, 2].map((i) => ({ chan: `old${i}`, funding: `fund-old-${i}`, peer: 'P', csvDelay: 6, version: 1 }));
  const freshMachine = (bugs: string[]): SimSpec => {
    const spec = scripted(bugs, [[60, { type: 'open' }]]);
    return { ...spec, nodes: spec.nodes.map((n) => ({ ...n, disk: { [BACKUP_KEY]: encodeBackup(old) } })) };
  };

  it('keeps the old channels next to the new one', () => {
    const result = runSim(freshMachine([]), { seed: 1 });
    expect(result.violation).toBeUndefined();
    expect(durableChannels(result.world)).toEqual(['c0', 'old1', 'old2']);
  });

  it('with lnd-scb-wipe loses them at the start-up write', () => {
    const result = runSim(freshMachine([SCB_WIPE]), { seed: 1 });
    expect(result.violation?.invariant).toBe(BACKUP_COVERS_OPEN_CHANNELS);
    expect(result.violation?.message).toContain('lacks channel(s) old1, old2');
  });
});

describe('a node whose backup file does not decode', () => {
  it('refuses to start, and the invariant reports it at the end', () => {
    const spec = scripted([], [[60, { type: 'open' }]]);
    const good = encodeBackup([{ chan: 'c9', funding: 'fund-A-c9', peer: 'P', csvDelay: 6, version: 1 }]);
    const torn = good.slice(0, good.length - 3);
    const result = runSim({ ...spec, nodes: spec.nodes.map((n) => ({ ...n, disk: { [BACKUP_KEY]: torn } })) }, { seed: 1, keepRecords: true });
    expect(result.records!.some((r) => r.k === 'node-refused-start')).toBe(true);
    expect(result.records!.some((r) => r.k === 'scb-swapped' || r.k === 'broadcast')).toBe(false);
    expect(result.violation?.invariant).toBe(BACKUP_COVERS_OPEN_CHANNELS);
    expect(result.violation?.message).toContain('refused to start');
  });
});
