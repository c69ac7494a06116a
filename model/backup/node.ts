// A node in the backup slice: the channel database, the backup swapper that
// subscribes to it, and the commands a workload (open, close, force-close,
// upsert) and the fault plan (the peer force-closes; the channel database is
// lost) send it. Memory is rebuilt from disk at every boot.
import type { FaultAction, NodeBehaviour, NodeEnv } from '../../sim/node.ts';
import type { Bugs } from './bugs.ts';
import { CHANNEL_DB_PREFIX, ChannelDb, type ChannelDbOptions, type ChannelRecord } from './channel-db.ts';
import { beginSwapper, finishSwapperStart, isIdle, manualUpdate, onSwapperDurable, startTimerTag, type SwapperContext, type SwapperOptions, type SwapperState } from './swapper.ts';

export interface BackupNodeOptions extends ChannelDbOptions, SwapperOptions {}

/** Commands from the workload (open, close, force-close, upsert: `pick` chooses among eligible channels) and fault actions. */
export type BackupCommand =
  | { readonly type: 'open' }
  | { readonly type: 'close'; readonly pick: number }
  | { readonly type: 'force-close'; readonly pick: number }
  /** New backup data for a live channel (as when its peer's address changes), sent to the swapper as a manual upsert. */
  | { readonly type: 'upsert'; readonly pick: number }
  | { readonly type: 'peer-force-close'; readonly chan: string }
  /**
   * The channel database is lost and the node restarted with an empty one and
   * the old backup file in place (lnd#4377: a corrupted channel.db removed; a
   * restore onto a fresh machine). The wallet survives: the chain says which
   * coins are spent.
   */
  | { readonly type: 'lose-channel-db' };

export interface BackupNodeState {
  /** In-process restarts so far (after a lost channel database); tags and timers of an older run are ignored. */
  run: number;
  db: ChannelDb;
  swapper: SwapperState;
  ctx: SwapperContext;
}

/** Fault action kinds this node offers (keys of the scenario's FaultProfile.actions). */
export const PEER_FORCE_CLOSE = 'peer-force-close';
export const LOSE_CHANNEL_DB = 'lose-channel-db';

export function backupNode(options: BackupNodeOptions, bugs: Bugs): NodeBehaviour<BackupNodeState> {
  const start = (env: NodeEnv, run: number): BackupNodeState => {
    const db = ChannelDb.load(env, options, run);
    const ctx: SwapperContext = { env, bugs, run, source: db };
    return { run, db, swapper: beginSwapper(ctx, options), ctx };
  };
  /** A node whose swapper refused to start does nothing at all. */
  const halted = (state: BackupNodeState): boolean => state.swapper.phase === 'refused';
  const choose = (records: ChannelRecord[], pick: number): ChannelRecord | undefined => (records.length === 0 ? undefined : records[pick % records.length]);

  return {
    boot: (env) => start(env, 0),
    onMessage() {},
    onDurable(state, _env, tag) {
      if (halted(state)) return;
      if (tag.startsWith('db:')) state.db.onDurable(tag);
      else if (tag.startsWith('scb:')) onSwapperDurable(state.swapper, state.ctx, tag);
    },
    onTimer(state, _env, tag) {
      if (halted(state) || tag !== startTimerTag(state.run)) return;
      finishSwapperStart(state.swapper, state.ctx);
    },
    onBlock(state) {
      if (!halted(state)) state.db.reconcile();
    },
    onConnect() {},
    onDisconnect() {},
    onCommand(state, env, raw) {
      if (halted(state)) return;
      const command = raw as BackupCommand;
      const db = state.db;
      switch (command.type) {
        case 'open':
          return db.open();
        case 'close': {
          const r = choose(db.withStatus('open'), command.pick);
          return r ? db.coopClose(r) : env.trace('command-no-channel', { type: command.type });
        }
        case 'force-close': {
          const r = choose(db.withStatus('open', 'closing'), command.pick);
          return r ? db.forceClose(r) : env.trace('command-no-channel', { type: command.type });
        }
        case 'upsert': {
          const r = choose(db.withStatus('pending', 'open', 'closing', 'force-closing', 'awaiting-sweep'), command.pick);
          if (!r) return env.trace('command-no-channel', { type: command.type });
          return manualUpdate(state.swapper, state.ctx, [db.refresh(r)]);
        }
        case 'peer-force-close': {
          const r = db.records.get(command.chan);
          if (r && (r.status === 'open' || r.status === 'closing')) db.peerForceClose(r);
          return;
        }
        case 'lose-channel-db': {
          env.trace('chan-db-lost', { records: db.records.size });
          for (const key of env.disk.keys(CHANNEL_DB_PREFIX)) env.disk.delete(key);
          Object.assign(state, start(env, state.run + 1));
          return;
        }
      }
    },
    faultActions(state) {
      if (halted(state)) return [];
      const actions: FaultAction[] = state.db.withStatus('open', 'closing').map((r) => ({ kind: PEER_FORCE_CLOSE, label: `peer force-closes ${r.chan}`, command: { type: 'peer-force-close', chan: r.chan } satisfies BackupCommand }));
      // Only once every channel event so far is durably in the backup (the operator stopped the node cleanly):
      // a loss before that would lose channels no backup could have saved.
      if (isIdle(state.swapper) && state.db.quiescent && state.db.liveChannels().length > 0) {
        actions.push({ kind: LOSE_CHANNEL_DB, label: 'channel database lost', command: { type: 'lose-channel-db' } satisfies BackupCommand });
      }
      return actions;
    },
    snapshot: (state) => ({
      run: state.run,
      channels: [...state.db.records.values()].map((r) => ({ chan: r.chan, status: r.status, version: r.version, awaitingDurable: state.db.awaitingDurable.has(r.chan) })),
      swapper: {
        phase: state.swapper.phase,
        memory: [...state.swapper.memory.keys()],
        queue: state.swapper.queue.map((q) => ({ seq: q.seq, kind: q.input.kind })),
        inFlight: state.swapper.inFlight && { ...state.swapper.inFlight },
      },
    }),
  };
}
