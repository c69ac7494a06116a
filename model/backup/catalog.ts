// Planted bugs and invariants of the static channel backup part of the model.
import type { BugEntry, InvariantEntry } from '../catalog.ts';
import { SCB_INPLACE, SCB_LOCALFORCE, SCB_PENDING, SCB_STALE, SCB_WINDOW, SCB_WIPE } from './bugs.ts';
import { BACKUP_COVERS_OPEN_CHANNELS, description } from './invariants/backup-covers-open-channels.ts';

const SCENARIO = 'backup-churn';

export const bugs: readonly BugEntry[] = [
  {
    id: SCB_INPLACE,
    title: 'backup rewritten in place (a multi-part write) instead of temp file + atomic rename: a crash mid-write tears it',
    reference: 'lnd chanbackup: MultiFile.UpdateAndSwap writes temp-dont-use.backup, then renames it over the backup',
    invariant: BACKUP_COVERS_OPEN_CHANNELS,
    scenario: SCENARIO,
    maxSeeds: 1_000,
  },
  {
    id: SCB_WIPE,
    title: 'backup written from memory only, not unioned with the file on disk: a node started with an empty channel database overwrites it with nothing',
    reference: 'lnd#4377, fixed by lnd#4379',
    invariant: BACKUP_COVERS_OPEN_CHANNELS,
    scenario: SCENARIO,
    maxSeeds: 300,
  },
  {
    id: SCB_PENDING,
    title: 'pending-open channels (funding broadcast, not confirmed) are not written to the backup',
    reference: 'lnd#3816, fixed by lnd#3993',
    invariant: BACKUP_COVERS_OPEN_CHANNELS,
    scenario: SCENARIO,
    maxSeeds: 50,
  },
  {
    id: SCB_LOCALFORCE,
    title: 'a channel is removed from the backup when our force-close confirms, though our funds stay timelocked until the sweep',
    reference: 'lnd#4955, fixed by lnd#5528',
    invariant: BACKUP_COVERS_OPEN_CHANNELS,
    scenario: SCENARIO,
    maxSeeds: 50,
  },
  {
    id: SCB_STALE,
    title: "the file on disk wins over the swapper's memory when they are unioned: a channel's newer backup (a manual upsert) never replaces its old entry",
    reference: 'lnd chanbackup (SubSwapper.updateBackupFile: the in-memory state replaces what was read from disk, "Replacing disk backup ... w/ newer version")',
    invariant: BACKUP_COVERS_OPEN_CHANNELS,
    scenario: SCENARIO,
    maxSeeds: 200,
  },
  {
    id: SCB_WINDOW,
    title: 'the swapper reads the channels at start before subscribing to channel events: a channel opened in between is never backed up',
    reference: 'lnd chanbackup: SubscribeChans takes the known channels as its synchronisation point (lnd#2313)',
    invariant: BACKUP_COVERS_OPEN_CHANNELS,
    scenario: SCENARIO,
    maxSeeds: 100,
  },
];

export const invariants: readonly InvariantEntry[] = [{ name: BACKUP_COVERS_OPEN_CHANNELS, description }];
