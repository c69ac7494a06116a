// What a running node is: its configuration, its memory (LnState: the manager that gets persisted, and what is
// rebuilt at boot), and LnNode, the context every step of the model takes (config, memory, this callback's env).
import type { Message, NodeEnv } from '../../../sim/node.ts';
import type { FanOut } from '../dispatch.ts';
import type { ProcessedMonitorEvent } from '../monitor-events.ts';
import * as open from '../open.ts';
import type { FeePolicy, GraphChannel } from '../routing.ts';
import type { Channel, Commitment, Manager, Monitor, MonitorUpdate } from '../types.ts';
import type { LnParams } from './params.ts';

export const MANAGER_KEY = 'manager';

/** What a script told the application: the claim, refuse and *-events commands (application.ts). */
export interface AppState {
  /** Events wait unhandled until handle-events or release-events. */
  holdEvents: boolean;
  /** Per payment id: claim or refuse it, instead of deciding by itself when PaymentClaimable is handled. */
  decisions: Record<string, 'claim' | 'refuse'>;
}

export interface LnNodeConfig {
  readonly bugs: ReadonlySet<string>;
  readonly params: LnParams;
  /** The public channel graph senders route over. */
  readonly graph: readonly GraphChannel[];
  readonly fees: FeePolicy;
  /** Trace `recv` and `apply` for every channel message (what per-channel-order judges); off keeps older traces unchanged. */
  readonly traceDispatch?: boolean;
}

/** Memory of a running node. `mgr` is what gets persisted; the rest is rebuilt at boot. */
export interface LnState {
  readonly id: string;
  mgr: Manager;
  /** In-memory monitors: every update applied, durable or not. */
  monitors: Monitor[];
  /** Per channel, messages held until no monitor update is in flight. */
  outbox: Record<string, Message[]>;
  /** Per channel, whether the peer's channel_reestablish arrived since the last connect. */
  reestablished: Record<string, boolean>;
  /** Per channel, monitor update ids whose persist is still in progress (the ChainMonitor's view). */
  persisting: Record<string, number[]>;
  /** Per channel, the id covered by a snapshot write in progress. */
  snapshotting: Record<string, number>;
  /**
   * Per channel, the holder commitment of the monitor as it would load after a crash (the last state with every
   * update durable). A crash can bring it back, so its HTLCs count for the expiry rules too.
   */
  durableHolder: Record<string, Commitment>;
  /** Every preimage this incarnation handed a monitor, never pruned: the expiry rules need them while a crash could still bring back a commitment carrying their HTLC. */
  knownPreimages: Record<string, string>;
  /** Per channel, preimage updates not yet durable: their preimages stay off-chain until they are. */
  preimagesPersisting: Record<string, { id: number; hash: string }[]>;
  dirty: boolean;
  backgroundScheduled: boolean;
  /**
   * Monitor updates owed since boot (in-flight replays, and every update generated before the first background pass),
   * in order: startup may not touch the monitors, so they wait here as background events. Each stays in its channel's
   * in-flight record meanwhile, so a manager written in this window still owes it to the next boot.
   */
  startupUpdates: StartupUpdate[];
  /** The first background pass after boot ran the startup updates: from now on updates go straight to the monitors. */
  startupDone: boolean;
  /** Set when the node found its state unusable at boot: it stays inert. */
  refused?: string;
  /** The hash whose parts are being claimed right now: PaymentClaimed waits until every part's update exists. */
  claimingNow?: string;
  /** What the last settled step left for the blocks that follow (behaviour.ts); undefined before the first block. */
  quiet: QuietBlocks | undefined;
  /** Events with a seq up to this were handled in a manager write that was durable at boot. */
  durableEventFloor: number;
  /** Events handled since boot whose handling a durable manager write records. */
  durablyHandled: number[];
  /** Manager writes in progress: the events each one records as handled. */
  managerWrites: { readonly n: number; readonly handled: number[] }[];
  managerWriteCount: number;
  /** lnd-8393 only: per channel, the subsystem queues messages wait in. */
  fanOut: Record<string, FanOut>;
  /** Channel openings before our monitor exists (never persisted: a restart forgets them, as LDK does unfunded channels). */
  negotiations: open.Negotiation[];
  /** Channels whose monitor is archived (fully resolved): no longer loaded nor watched. */
  archived: string[];
  /** Per channel, the monitor events the manager processed in this incarnation (pending until their effect is durable); undefined once its monitor is archived. */
  monitorEvents: Record<string, ProcessedMonitorEvent[] | undefined>;
  /** Highest manager write of this incarnation known durable (0: none yet). */
  managerDurableUpTo: number;
  /** The application (memory only: it restarts with the node): what a script told it (application.ts). */
  app: AppState;
}

/** A monitor update waiting for the first background pass after boot. `channel` may have no manager channel (an orphan monitor's close). */
export interface StartupUpdate {
  readonly channel: string;
  readonly update: MonitorUpdate;
}

/** What every step of the node works on: its configuration, its memory, and the environment of the current callback. */
export interface LnNode {
  readonly config: LnNodeConfig;
  readonly bugs: ReadonlySet<string>;
  readonly params: LnParams;
  readonly state: LnState;
  readonly env: NodeEnv;
}

/** The context one callback of the node works on. */
export function nodeContext(config: LnNodeConfig, state: LnState, env: NodeEnv): LnNode {
  return { config, bugs: config.bugs, params: config.params, state, env };
}

export function emptyManager(): Manager {
  return { channels: [], forwardsClaiming: [], outbound: [], claimable: [], events: [], nextEventSeq: 0 };
}

/**
 * Per node, what the last block (or settled callback) left: the chain's `revision` then, whether its pump `settled`,
 * and `until`, the first height at which a block could make the node act (see behaviour.ts). Changed in place.
 */
export interface QuietBlocks {
  revision: number;
  settled: boolean;
  until: number;
}

/** The in-memory monitor of a channel. */
export function monitorOf(state: LnState, channel: string): Monitor | undefined {
  for (const m of state.monitors) if (m.channel === channel) return m;
  return undefined;
}

/** The manager's channel by id. */
export function channelOf(state: LnState, channel: string): Channel | undefined {
  // A loop, not find(): asked many times per step.
  for (const c of state.mgr.channels) if (c.id === channel) return c;
  return undefined;
}

/** Whether the channel still has a monitor update up to `updateId` in flight (not yet durable). */
export function updateInFlight(state: LnState, channel: string, updateId: number): boolean {
  return channelOf(state, channel)?.inFlight.some((u) => u.id <= updateId) ?? false;
}
