// Scenario backup-churn: one lnd-style node whose static channel backup must
// keep up with channel churn under crashes, slow and stalled persists, torn
// writes, block bursts, peer force-closes and the loss of its channel database.
import { backupCoversOpenChannels, BACKUP_COVERS_OPEN_CHANNELS } from '../../model/backup/invariants/backup-covers-open-channels.ts';
import { backupNode, LOSE_CHANNEL_DB, PEER_FORCE_CLOSE, type BackupCommand, type BackupNodeOptions } from '../../model/backup/node.ts';
import { walletGenesis } from '../../model/backup/txs.ts';
import type { Choices } from '../../sim/choices.ts';
import { DEFAULT_TIMING, type ScheduledCommand, type Timing } from '../../sim/world.ts';
import type { Scenario } from '../scenario.ts';

const NODE = 'A';

const NODE_OPTIONS: BackupNodeOptions = {
  peer: 'P',
  coins: 40,
  coinValue: 1_000_000,
  minDepth: 3,
  csvDelay: 6,
  startUpSpread: 40,
};

const TIMING: Timing = { ...DEFAULT_TIMING, faultPhase: 2_000, calmPhase: 800, blockInterval: 100, faultTick: 50, maxPersistDelay: 40, maxRestartDelay: 60 };

/** Share of workload commands (out of 20) per kind, after the opening burst. */
const OPEN_SHARE = 7;
const CLOSE_SHARE = 3;
const FORCE_CLOSE_SHARE = 3; // the rest are manual upserts

/**
 * A burst of opens right after start (while the swapper is still starting up),
 * then one command every 25..124 ticks until the fault phase ends.
 */
function workload(choices: Choices): ScheduledCommand[] {
  const commands: ScheduledCommand[] = [];
  const push = (time: number, command: BackupCommand) => commands.push({ time, node: NODE, command });
  const early = 1 + choices.int('workload', 3, 'opening burst size');
  for (let i = 0; i < early; i++) push(1 + choices.int('workload', NODE_OPTIONS.startUpSpread, 'opening burst time'), { type: 'open' });
  for (let t = 50 + choices.int('workload', 60, 'first gap'); t < TIMING.faultPhase; t += 25 + choices.int('workload', 100, 'gap')) {
    const kind = choices.int('workload', 20, 'command kind');
    const pick = choices.int('workload', 1_000, 'which channel');
    if (kind < OPEN_SHARE) push(t, { type: 'open' });
    else if (kind < OPEN_SHARE + CLOSE_SHARE) push(t, { type: 'close', pick });
    else if (kind < OPEN_SHARE + CLOSE_SHARE + FORCE_CLOSE_SHARE) push(t, { type: 'force-close', pick });
    else push(t, { type: 'upsert', pick });
  }
  return commands;
}

export const backupChurn: Scenario = {
  name: 'backup-churn',
  description:
    'One lnd-style node opens, cooperatively closes and force-closes channels funded from wallet coins and sends manual backup upserts, while the peer may force-close and the channel database may be lost (the node restarts with an empty one and the old backup file). Crashes strike between and inside persists, persists complete late or stall, pending writes survive or tear at a crash, blocks come in bursts; then a calm phase. The static channel backup swapper must keep the durable backup file decodable and covering every pending, open and unswept force-closed channel after each event it processes.',
  invariants: [BACKUP_COVERS_OPEN_CHANNELS],
  inDefaultMix: true,
  build: (bugs) => ({
    nodes: [{ id: NODE, behaviour: backupNode(NODE_OPTIONS, bugs) }],
    links: [],
    genesis: [walletGenesis(NODE, NODE_OPTIONS.coins, NODE_OPTIONS.coinValue)],
    timing: TIMING,
    faults: {
      crash: [0.002, 0.03],
      persistDelay: [0.1, 0.7],
      persistStall: [0.005, 0.03],
      crashKeepsPending: [0.2, 0.8],
      tornWrite: [0.3, 1],
      blockBurst: [0.02, 0.1],
      actions: { [PEER_FORCE_CLOSE]: [0.02, 0.08], [LOSE_CHANNEL_DB]: [0.005, 0.03] },
      // Aimed faults in half the runs: measured in npm run bench's searches section, a crash aimed
      // inside the backup swap catches the in-place rewrite (lnd-scb-inplace) five times sooner.
      aim: {},
    },
    swarm: true,
    checkers: () => [backupCoversOpenChannels()],
    workload,
    maxEvents: 50_000,
  }),
};
