// One LDK node's objects for one incarnation: the trait implementations
// (created once and held strongly: the bindings keep them only weakly, and
// every new_impl grows a table that is never shrunk), the KeysManager, the
// ChainMonitor, and a fresh or deserialized ChannelManager.
import { blockHash, HEIGHT_OFFSET } from './chain.ts';
import { FEERATE, userConfig } from './config.ts';
import type * as ldk from 'lightningdevkit';
import { L, LB } from './wasm.ts';

type ChannelMonitor = ldk.ChannelMonitor;
type ChannelMonitorUpdate = ldk.ChannelMonitorUpdate;
type OutPoint = ldk.OutPoint;
type Event = ldk.Event;
type Status = (typeof ldk.ChannelMonitorUpdateStatus)[keyof typeof ldk.ChannelMonitorUpdateStatus];

export interface NodeHooks {
  /** A monitor write (new channel, update, or chain-sync write when `update` is null): return LDK's answer. */
  persist(outpoint: OutPoint, monitor: ChannelMonitor, update: ChannelMonitorUpdate | null, isNew: boolean): Status;
  broadcast(raw: Uint8Array): void;
  /** An event LDK hands the application (collected; acted on after process_pending_events returns). */
  event(event: Event): void;
  findRoute(payer: Uint8Array, params: ldk.RouteParameters, firstHops: ldk.ChannelDetails[] | null): ldk.Result_RouteLightningErrorZ;
}

export interface LdkObjects {
  readonly keys: ldk.KeysManager;
  readonly chainMonitor: ldk.ChainMonitor;
  readonly cm: ldk.ChannelManager;
  readonly monitors: ChannelMonitor[];
  readonly fee: ldk.FeeEstimator;
  readonly broadcaster: ldk.BroadcasterInterface;
  readonly logger: ldk.Logger;
  readonly handler: ldk.EventHandler;
  /** The manager's and chain monitor's trait views, made once per incarnation (each as_X() call builds a new one). */
  readonly views: {
    readonly confirm: readonly [ldk.Confirm, ldk.Confirm];
    readonly events: readonly [ldk.EventsProvider, ldk.EventsProvider];
    readonly messages: ldk.MessageSendEventsProvider;
    readonly peers: ldk.ChannelMessageHandler;
  };
  /** Strong references to everything the bindings hold weakly. */
  readonly keep: unknown[];
}

export interface CreateOptions {
  readonly seed: Uint8Array;
  /** For the debug log only. */
  readonly name?: string;
  /** KeysManager starting time (seconds): a new one per incarnation, or a restarted node replays its key stream. */
  readonly startSecs: number;
  readonly hooks: NodeHooks;
  /** Serialized monitors and manager to restart from; absent for a brand-new node at LDK height 0. */
  readonly stored?: { readonly monitors: readonly Uint8Array[]; readonly manager: Uint8Array };
  /** A callback threw: called instead of letting the exception unwind through the WebAssembly. */
  readonly onCallbackError?: (e: unknown) => void;
}

/**
 * A JS exception must never unwind through the WebAssembly (Rust would be left mid-operation, locks held):
 * each callback catches, reports through `onError` and answers a harmless default; the caller rethrows once
 * LDK has returned.
 */
function safe<A extends unknown[], R>(onError: (e: unknown) => void, fallback: () => R, f: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    try {
      return f(...args);
    } catch (e) {
      onError(e);
      return fallback();
    }
  };
}

export function createNode(options: CreateOptions): LdkObjects {
  const raw = options.hooks;
  const onError = options.onCallbackError ?? ((e: unknown) => {
    throw e;
  });
  const InProgress = () => L.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_InProgress;
  const noRoute = () => L.Result_RouteLightningErrorZ.constructor_err(L.LightningError.constructor_new('harness error', L.ErrorAction.constructor_ignore_error()));
  const hooks: NodeHooks = {
    persist: safe(onError, InProgress, raw.persist),
    broadcast: safe(onError, () => undefined, raw.broadcast),
    event: safe(onError, () => undefined, raw.event),
    findRoute: safe(onError, noRoute, raw.findRoute),
  };
  const fee = L.FeeEstimator.new_impl({ get_est_sat_per_1000_weight: () => FEERATE });
  const broadcaster = L.BroadcasterInterface.new_impl({ broadcast_transactions: (txs: Uint8Array[]) => txs.forEach((tx) => hooks.broadcast(tx)) });
  // LNSIM_LDK_LOG=1 prints LDK's own log to stderr (debugging the harness; never part of a trace).
  const logger = process.env.LNSIM_LDK_LOG ? L.Logger.new_impl({ log: (r: ldk.Record) => process.stderr.write(`ldk ${options.name ?? ''}: ${r.get_args()}\n`) }) : silentLogger();
  const persist = L.Persist.new_impl({
    persist_new_channel: (outpoint: OutPoint, monitor: ChannelMonitor) => hooks.persist(outpoint, monitor, null, true),
    update_persisted_channel: (outpoint: OutPoint, update: ChannelMonitorUpdate | null, monitor: ChannelMonitor) =>
      hooks.persist(outpoint, monitor, update === null || (update as unknown as { ptr: bigint }).ptr < 4096n ? null : update, false),
    archive_persisted_channel: () => {},
  });
  const router = L.Router.new_impl({
    find_route: (payer: Uint8Array, params: ldk.RouteParameters, hops: ldk.ChannelDetails[] | null) => hooks.findRoute(payer, params, hops),
    find_route_with_id: (payer: Uint8Array, params: ldk.RouteParameters, hops: ldk.ChannelDetails[] | null) => hooks.findRoute(payer, params, hops),
    create_blinded_payment_paths: () => L.Result_CVec_BlindedPaymentPathZNoneZ.constructor_err(),
  });
  const handler = L.EventHandler.new_impl({
    handle_event: (event: Event) => {
      hooks.event(event);
      return L.Result_NoneReplayEventZ.constructor_ok();
    },
  });
  const keys = L.KeysManager.constructor_new(options.seed, BigInt(options.startSecs), 0);
  const entropy = keys.as_EntropySource();
  const graph = L.NetworkGraph.constructor_new(L.Network.LDKNetwork_Regtest, logger);
  const messageRouter = L.DefaultMessageRouter.constructor_new(graph, entropy);
  const chainMonitor = L.ChainMonitor.constructor_new(L.Option_FilterZ.constructor_none(), broadcaster, logger, fee, persist);
  const keep: unknown[] = [fee, broadcaster, logger, persist, router, handler, keys, graph, messageRouter, chainMonitor];
  const monitors: ChannelMonitor[] = [];
  let cm: ldk.ChannelManager;
  if (!options.stored) {
    const params = L.ChainParameters.constructor_new(L.Network.LDKNetwork_Regtest, L.BestBlock.constructor_new(blockHash(0), 0));
    cm = L.ChannelManager.constructor_new(fee, chainMonitor.as_Watch(), broadcaster, router, messageRouter.as_MessageRouter(), logger, entropy, keys.as_NodeSigner(), keys.as_SignerProvider(), userConfig(), params, options.startSecs);
  } else {
    for (const bytes of options.stored.monitors) {
      const read = L.UtilMethods.constructor_C2Tuple_ThirtyTwoBytesChannelMonitorZ_read(bytes, entropy, keys.as_SignerProvider());
      if (!(read instanceof L.Result_C2Tuple_ThirtyTwoBytesChannelMonitorZDecodeErrorZ_OK)) throw new Error('ldk: a stored monitor does not decode');
      monitors.push(read.res.get_b());
    }
    const read = L.UtilMethods.constructor_C2Tuple_ThirtyTwoBytesChannelManagerZ_read(options.stored.manager, entropy, keys.as_NodeSigner(), keys.as_SignerProvider(), fee, chainMonitor.as_Watch(), broadcaster, router, messageRouter.as_MessageRouter(), logger, userConfig(), monitors);
    if (!(read instanceof L.Result_C2Tuple_ThirtyTwoBytesChannelManagerZDecodeErrorZ_OK)) {
      // Say what LDK was handed, so a triage can tell a harness that broke the Watch contract from an LDK bug.
      const given = monitors.map((m) => `update ${m.get_latest_update_id()}`).join(', ');
      throw new Error(`LDK refused to load its durable manager (${describeDecodeError(read)}) given each channel's newest durable monitor (${given || 'none'})`);
    }
    cm = read.res.get_b();
  }
  keep.push(cm, ...monitors);
  const views = {
    confirm: [cm.as_Confirm(), chainMonitor.as_Confirm()] as const,
    events: [cm.as_EventsProvider(), chainMonitor.as_EventsProvider()] as const,
    messages: cm.as_MessageSendEventsProvider(),
    peers: cm.as_ChannelMessageHandler(),
  };
  return { keys, chainMonitor, cm, monitors, fee, broadcaster, logger, handler, views, keep };
}

/**
 * A Logger that frees each record at once. LDK hands over a record for every log line (thousands per run); the
 * binding's own Logger wraps each in an object that only the garbage collector frees, which cost more than a tenth
 * of a run. The same ownership as the binding's: the record is ours to free.
 */
function silentLogger(): ldk.Logger {
  const impl = { log: (record: unknown) => LB.Record_free(record) };
  const [ptr, index] = LB.LDKLogger_new(impl);
  const logger = new (L.Logger as unknown as new (dummy: null, ptr: bigint) => ldk.Logger)(null, ptr);
  // As Logger.new_impl does: the binding's table holds the implementation weakly; the logger holds it strongly.
  Object.assign(logger, { instance_idx: index, bindings_instance: impl });
  return logger;
}

function describeDecodeError(result: unknown): string {
  const err = (result as { err?: object }).err;
  return err ? err.constructor.name : 'unknown error';
}

/** An LDK height for a kernel height. */
export const ldkHeight = (kernelHeight: number): number => kernelHeight + HEIGHT_OFFSET;
