// A real LDK node (rust-lightning 0.1 in WebAssembly) as a kernel NodeBehaviour,
// pluggable into the same World as the model's nodes, so every kernel fault
// applies unchanged:
// - each monitor write (persist_new_channel / update_persisted_channel) is a
//   disk write of the monitor's bytes keyed per channel and update id; LDK is
//   told Completed when the write is durable at once, InProgress otherwise, and
//   a later completion calls channel_monitor_updated;
// - the ChannelManager is written by a background-processor analogue on its own
//   delayed, jittered schedule (keyStall 'manager' stalls it), after the
//   application handled the pending events;
// - peer messages travel as wire bytes; connects and disconnects reach LDK on
//   both sides; restart reads the durable monitors, then the manager, syncs
//   both to the chain, watch_channel()s each monitor; then peers reconnect;
// - blocks reach both the ChannelManager and the ChainMonitor through Confirm.
import type { Block } from '../../sim/chain.ts';
import type { FaultAction, Message, NodeBehaviour, NodeEnv } from '../../sim/node.ts';
import { backgroundPassDelay, DEFAULT_APPLICATION_PACE, type ApplicationPace } from '../application.ts';
import { handleEvent, type AppShims } from './app.ts';
import { derive, fromHex, toHex } from './bytes.ts';
import { header, headerTime, HEIGHT_OFFSET, isLdkTx, parseTx } from './chain.ts';
import { FINAL_CLTV, INVOICE_EXPIRY_SECS } from './config.ts';
import { MANAGER_KEY, monitorKey, outpointFrom, outpointString, SETUP_START_SECS, type LdkNetwork } from './network.ts';
import { createNode, type LdkObjects } from './objects.ts';
import { findRoute, type RoutePart } from './router.ts';
import { deliver, outgoing, type WireMessage } from './wire.ts';
import type * as ldk from 'lightningdevkit';
import { isRustPanic, L, markPanicked } from './wasm.ts';

/** Deliberately broken harness behaviours, each proving an invariant can fail (tests only). */
export interface LdkShims extends AppShims {
  /** Persist answers Completed for a write that is still pending (breaks LDK's persistence contract). */
  readonly completedWhilePending?: boolean;
  /** Never tell LDK that an InProgress write completed (a persister that forgets to call channel_monitor_updated). */
  readonly neverComplete?: boolean;
  /** At this kernel height, also hand Listen.block_connected a bare header (LDK panics on it: proves the ldk-panic path). */
  readonly outOfOrderBlockAt?: number;
}

export interface LdkNodeOptions {
  readonly network: LdkNetwork;
  readonly app?: Partial<ApplicationPace>;
  readonly shims?: LdkShims;
  /** Ticks between timer_tick_occurred calls (LDK asks for about one a minute). */
  readonly tickInterval?: number;
}

/** A force-close the fault plan may order (action 'force-close'). */
export interface LdkForceCloseCommand {
  readonly type: 'force-close';
  readonly channel: string;
}

/** A pay command of the workload. */
export interface LdkPayCommand {
  readonly type: 'pay';
  readonly to: string;
  /** Satoshis. */
  readonly amount: number;
  readonly paymentId: string;
  readonly parts?: number;
}

export interface LdkState {
  readonly id: string;
  readonly objects: LdkObjects;
  /** Monitor updates answered InProgress and not yet completed, per funding outpoint. */
  readonly inflight: Map<string, bigint[]>;
  /** Highest durable update id per funding outpoint. */
  readonly durable: Map<string, bigint>;
  /** Events collected from process_pending_events, acted on after it returns. */
  readonly collected: ldk.Event[];
  /** A crash the kernel raised inside an LDK callback: rethrown once LDK returns. */
  crash: unknown;
  backgroundScheduled: boolean;
  /** Parts of the payment being sent (our Router reads it). */
  sendingParts: number;
  /** The route our Router last built (the `pay` record carries it). */
  route?: RoutePart[];
  /** The LDK height the node has seen. */
  height: number;
  /** Set while boot() runs. */
  booting: boolean;
}

/** A node's holdings at a moment (its snapshot's `funds`): what the balance invariant judges. */
export interface LdkFunds {
  readonly open: readonly { channel: string; outboundMsat: string; reserveSat: string; htlcs: readonly { offered: boolean; hash: string; msat: string }[] }[];
  readonly closed: readonly LdkBalance[];
}

/** One of LDK's claimable balances (ChainMonitor::get_claimable_balances) as plain data. */
export interface LdkBalance {
  readonly kind: string;
  readonly sat: string;
  /** The commitment fee the funder pays once the channel closes (ClaimableOnChannelClose). */
  readonly feeSat?: string;
  /** The HTLC's payment hash (HTLC balances), and whether we offered it (MaybeTimeoutClaimableHTLC). */
  readonly hash?: string;
  readonly offered?: boolean;
}

function balanceData(b: ldk.Balance): LdkBalance {
  const kind = b.constructor.name.replace('Balance_', '');
  const sat = b.claimable_amount_satoshis().toString();
  if (b instanceof L.Balance_ClaimableOnChannelClose) return { kind, sat, feeSat: b.transaction_fee_satoshis.toString() };
  if (b instanceof L.Balance_MaybeTimeoutClaimableHTLC) return { kind, sat, hash: toHex(b.payment_hash), offered: true };
  if (b instanceof L.Balance_MaybePreimageClaimableHTLC || b instanceof L.Balance_ContentiousClaimable) return { kind, sat, hash: toHex(b.payment_hash), offered: false };
  return { kind, sat };
}

export const TAG_MONITOR = 'mon';
export const TAG_MANAGER = 'mgr';

export function makeLdkNode(options: LdkNodeOptions): NodeBehaviour<LdkState> {
  const { network } = options;
  const app: ApplicationPace = { ...DEFAULT_APPLICATION_PACE, ...options.app };
  const shims = options.shims ?? {};
  const tickInterval = options.tickInterval ?? 600;
  const channelNames: Record<string, string> = Object.fromEntries(network.channels.map((c) => [c.channelId, c.id]));
  const byOutpoint: Record<string, string> = Object.fromEntries(network.channels.map((c) => [c.outpoint, c.id]));
  const channelOf = (outpoint: string) => byOutpoint[outpoint] ?? outpoint.slice(0, 12);

  /** Run LDK code for a handler: a kernel crash raised in a callback is rethrown after LDK returns; a Rust panic is a finding. */
  function guarded(state: LdkState, env: NodeEnv, what: string, body: () => void): void {
    try {
      body();
    } catch (e) {
      if (isRustPanic(e)) {
        markPanicked();
        env.trace('ldk-panic', { where: what, message: e instanceof Error ? e.message : String(e) });
      }
      throw e;
    }
    if (state.crash !== undefined) {
      const crash = state.crash;
      state.crash = undefined;
      throw crash;
    }
  }

  function boot(env: NodeEnv): LdkState {
    let state: LdkState | undefined;
    const pending: { state?: LdkState } = {};
    const hooks = {
      persist: (outpoint: ldk.OutPoint, monitor: ldk.ChannelMonitor, update: ldk.ChannelMonitorUpdate | null, isNew: boolean) => persist(pending.state!, env, outpoint, monitor, update, isNew),
      broadcast: (raw: Uint8Array) => void env.broadcast(parseTx(raw, 'ldk')),
      event: (event: ldk.Event) => pending.state!.collected.push(event),
      findRoute: (_payer: Uint8Array, params: ldk.RouteParameters, hops: ldk.ChannelDetails[] | null) => findRoute(network, env.id, params, hops, pending.state?.sendingParts ?? 1, (route) => (pending.state!.route = route)),
    };
    // Durable monitors (each channel's highest durable write) and the manager.
    const latest = new Map<string, string>();
    for (const key of env.disk.keys('monitor/')) latest.set(key.slice(0, key.lastIndexOf('/')), key);
    const monitorBytes = [...latest.values()].map((k) => fromHex(env.disk.read(k)!));
    const manager = env.disk.read(MANAGER_KEY);
    if (manager === undefined) throw new Error(`${env.id}: no manager on disk`);
    // A new KeysManager starting time per incarnation: the boot's simulated time above the setup's.
    const stateHolder = { objects: undefined as LdkObjects | undefined };
    pending.state = {
      id: env.id,
      objects: undefined as unknown as LdkObjects,
      inflight: new Map(),
      durable: new Map(),
      collected: [],
      crash: undefined,
      backgroundScheduled: false,
      sendingParts: 1,
      height: 0,
      booting: true,
    };
    state = pending.state;
    for (const [prefix, key] of latest) {
      const info = network.channels.find((c) => c.id === prefix.slice('monitor/'.length));
      if (info) state.durable.set(info.outpoint, BigInt(key.slice(key.lastIndexOf('/') + 1)));
    }
    guarded(state, env, 'boot', () => {
      stateHolder.objects = createNode({
        name: env.id,
        seed: network.seeds[env.id],
        startSecs: SETUP_START_SECS + 1 + env.now,
        hooks,
        stored: { monitors: monitorBytes, manager: fromHex(manager) },
        // Rethrown by guarded() once LDK returns (a kernel crash signal, or a harness bug).
        onCallbackError: (e) => {
          pending.state!.crash ??= e;
        },
      });
    });
    const objects = stateHolder.objects!;
    (state as { objects: LdkObjects }).objects = objects;
    const tip = HEIGHT_OFFSET + env.chain.height;
    guarded(state, env, 'boot sync', () => {
      // Each monitor, then the manager, catches up with the chain from its own best block; then the monitors are watched.
      for (const monitor of objects.monitors) {
        for (let h = monitor.current_best_block().get_height() + 1; h <= tip; h++) {
          const txs = blockTxs(env, h);
          if (txs.length > 0) monitor.transactions_confirmed(header(h), txs, h, objects.broadcaster, objects.fee, objects.logger);
          monitor.best_block_updated(header(h), h, objects.broadcaster, objects.fee, objects.logger);
        }
      }
      const confirm = objects.views.confirm[0];
      for (let h = objects.cm.current_best_block().get_height() + 1; h <= tip; h++) {
        const txs = blockTxs(env, h);
        if (txs.length > 0) confirm.transactions_confirmed(header(h), txs, h);
        confirm.best_block_updated(header(h), h);
      }
      state!.height = tip;
      const watch = objects.chainMonitor.as_Watch();
      for (const monitor of objects.monitors) {
        const result = watch.watch_channel(monitor.get_funding_txo().get_a(), monitor);
        if (!result.is_ok()) throw new Error(`${env.id}: watch_channel refused a stored monitor`);
      }
    });
    state.booting = false;
    env.setTimer(tickInterval, 'tick');
    pump(state, env);
    return state;
  }

  /** The raw transactions of the block at an LDK height, as LDK's Confirm wants them. */
  function blockTxs(env: NodeEnv, height: number): ldk.TwoTuple_usizeTransactionZ[] {
    const kernel = height - HEIGHT_OFFSET;
    if (kernel <= 0) return [];
    const block = env.chain.blocksAfter(kernel - 1)[0];
    return block ? toLdkTxs(block) : [];
  }

  function toLdkTxs(block: Block): ldk.TwoTuple_usizeTransactionZ[] {
    return block.txs.filter(isLdkTx).map((tx, i) => L.TwoTuple_usizeTransactionZ.constructor_new(i + 1, fromHex(tx.raw)));
  }

  function persist(state: LdkState, env: NodeEnv, outpoint: ldk.OutPoint, monitor: ldk.ChannelMonitor, update: ldk.ChannelMonitorUpdate | null, isNew: boolean): ldk.ChannelMonitorUpdateStatus {
    const InProgress = L.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_InProgress;
    const Completed = L.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_Completed;
    // Read everything now: the arguments are borrowed for the call only.
    const op = outpointString(outpoint);
    const id = update ? update.get_update_id() : monitor.get_latest_update_id();
    // A new (or newly watched) monitor and an update need a completion call when InProgress; a chain-sync write does not.
    const tracked = isNew || update !== null;
    if (state.crash !== undefined) return InProgress; // the node is crashing: nothing more reaches its disk
    const bytes = toHex(monitor.write());
    let status: 'durable' | 'pending';
    try {
      status = env.disk.write(monitorKey(channelOf(op), id), bytes, { tag: `${TAG_MONITOR}|${op}|${id}|${tracked ? 1 : 0}` });
    } catch (crash) {
      state.crash = crash;
      return InProgress;
    }
    const answer = status === 'durable' || shims.completedWhilePending ? 'Completed' : 'InProgress';
    if (status === 'durable') state.durable.set(op, id > (state.durable.get(op) ?? -1n) ? id : state.durable.get(op)!);
    if (answer === 'InProgress' && tracked) state.inflight.set(op, [...(state.inflight.get(op) ?? []), id]);
    // At boot, watch_channel rewrites each monitor just read from disk: its content is already durable.
    const rewrite = isNew && state.booting;
    env.trace('monitor-write', { channel: channelOf(op), id: id.toString(), status, answer, tracked, ...(rewrite ? { rewrite } : {}) });
    return answer === 'Completed' ? Completed : InProgress;
  }

  /** Messages LDK queued go out on the wire; a background pass is scheduled if none is. */
  function pump(state: LdkState, env: NodeEnv, scheduleBackground = true): void {
    guarded(state, env, 'messages', () => {
      for (const event of state.objects.views.messages.get_and_clear_pending_msg_events()) {
        const out = outgoing(event);
        if (!out) continue;
        const peer = network.names[out.nodeId];
        if (peer === undefined) continue;
        for (const m of out.messages) env.send(peer, m);
      }
    });
    if (scheduleBackground && !state.backgroundScheduled) {
      state.backgroundScheduled = true;
      env.setTimer(backgroundPassDelay(env, app), 'background');
    }
  }

  /** One background-processor pass: events (manager, then chain monitor) handled by the application, then the manager persisted if LDK asks. */
  function background(state: LdkState, env: NodeEnv): void {
    state.backgroundScheduled = false;
    const { cm, handler, views } = state.objects;
    guarded(state, env, 'background', () => {
      for (const provider of views.events) provider.process_pending_events(handler);
    });
    const events = state.collected.splice(0);
    const handled = events.length;
    for (const event of events) {
      guarded(state, env, 'event', () => handleEvent(event, cm, env, app, shims, channelNames));
      // What handling this event made leaves now, as a peer manager running beside the event handler sends it: a
      // commitment_signed made for a durable update must not wait behind the next event's InProgress write.
      pump(state, env, false);
    }
    let write = false;
    guarded(state, env, 'needs persistence', () => {
      write = cm.get_and_clear_needs_persistence();
    });
    if (write) {
      let bytes = '';
      guarded(state, env, 'manager write', () => {
        bytes = toHex(cm.write());
      });
      env.disk.write(MANAGER_KEY, bytes, { tag: TAG_MANAGER });
    }
    // A pass that did something may have made more work (a claim's PaymentClaimed): another pass follows. An idle node goes quiet.
    pump(state, env, handled > 0 || write);
  }

  function onDurable(state: LdkState, env: NodeEnv, tag: string): void {
    const [kind, op, idText, tracked] = tag.split('|');
    if (kind !== TAG_MONITOR) return;
    const id = BigInt(idText);
    if (id > (state.durable.get(op) ?? -1n)) state.durable.set(op, id);
    const waiting = state.inflight.get(op) ?? [];
    if (tracked !== '1' || !waiting.includes(id) || shims.neverComplete) return;
    state.inflight.set(op, waiting.filter((w) => w !== id));
    env.trace('monitor-completed', { channel: channelOf(op), id: idText });
    guarded(state, env, 'channel_monitor_updated', () => {
      const result = state.objects.chainMonitor.channel_monitor_updated(outpointFrom(op), id);
      if (!result.is_ok()) env.trace('monitor-completion-refused', { channel: channelOf(op), id: idText });
    });
    pump(state, env);
  }

  function onBlock(state: LdkState, env: NodeEnv, block: Block): void {
    const height = HEIGHT_OFFSET + block.height;
    if (height <= state.height) return;
    guarded(state, env, `block ${block.height}`, () => {
      // A node that missed blocks (it booted between two) catches up in order.
      for (let h = state.height + 1; h <= height; h++) {
        const txs = h === height ? toLdkTxs(block) : blockTxs(env, h);
        for (const confirm of state.objects.views.confirm) {
          if (txs.length > 0) confirm.transactions_confirmed(header(h), txs, h);
          confirm.best_block_updated(header(h), h);
        }
      }
      state.height = height;
      // The chain monitor's events (SpendableOutputs) are handled as the block arrives, so what a node holds is
      // always either in its claimable balances or in its application's records, never in between at the end.
      state.objects.views.events[1].process_pending_events(state.objects.handler);
      if (shims.outOfOrderBlockAt === block.height) state.objects.cm.as_Listen().block_connected(header(height - 2), height - 2);
    });
    for (const event of state.collected.splice(0)) guarded(state, env, 'event', () => handleEvent(event, state.objects.cm, env, app, shims, channelNames));
    pump(state, env);
  }

  function onMessage(state: LdkState, env: NodeEnv, from: string, message: Message): void {
    guarded(state, env, `deliver ${message.type}`, () => deliver(state.objects.views.peers, fromHex(network.nodeIds[from]), message as WireMessage));
    pump(state, env);
  }

  function onConnect(state: LdkState, env: NodeEnv, peer: string): void {
    const handler = state.objects.views.peers;
    const id = fromHex(network.nodeIds[peer]);
    guarded(state, env, `connect ${peer}`, () => {
      const init = L.Init.constructor_new(handler.provided_init_features(id), L.Option_CVec_ThirtyTwoBytesZZ.constructor_none(), L.Option_SocketAddressZ.constructor_none());
      handler.peer_connected(id, init, env.id > peer);
    });
    pump(state, env);
  }

  function onDisconnect(state: LdkState, env: NodeEnv, peer: string): void {
    guarded(state, env, `disconnect ${peer}`, () => state.objects.views.peers.peer_disconnected(fromHex(network.nodeIds[peer])));
    pump(state, env);
  }

  function onTimer(state: LdkState, env: NodeEnv, tag: string): void {
    if (tag === 'background') return background(state, env);
    if (tag === 'tick') {
      guarded(state, env, 'timer tick', () => {
        state.objects.cm.timer_tick_occurred();
        state.objects.chainMonitor.rebroadcast_pending_claims();
      });
      env.setTimer(tickInterval, 'tick');
      pump(state, env);
    }
  }

  function onCommand(state: LdkState, env: NodeEnv, command: unknown): void {
    const c = command as LdkPayCommand | LdkForceCloseCommand;
    if (c.type === 'pay') guarded(state, env, 'pay', () => pay(state, env, c));
    else if (c.type === 'force-close') guarded(state, env, 'force-close', () => forceClose(state, c.channel));
    else throw new Error(`ldk node: unknown command ${JSON.stringify(command)}`);
    pump(state, env);
  }

  function forceClose(state: LdkState, channel: string): void {
    const info = network.channels.find((c) => c.id === channel)!;
    const peer = info.a === state.id ? info.b : info.a;
    state.objects.cm.force_close_broadcasting_latest_txn(L.ChannelId.constructor_new(fromHex(info.channelId)), fromHex(network.nodeIds[peer]), 'lnsim fault: force-close');
  }

  /** Fault actions: force-close one of this node's open channels. */
  function faultActions(state: LdkState): FaultAction[] {
    return state.objects.cm.list_channels().flatMap((d) => {
      const channel = channelNames[toHex(d.get_channel_id().get_a())];
      return channel && d.get_is_channel_ready() ? [{ kind: 'force-close', label: `${state.id} force-closes ${channel}`, command: { type: 'force-close', channel } }] : [];
    });
  }

  /** Make the payee's invoice out of band (its inbound-payment key, a per-payment entropy) and send the payment. */
  function pay(state: LdkState, env: NodeEnv, c: LdkPayCommand): void {
    const entropy = L.KeysManager.constructor_new(derive(`lnsim/ldk/invoice/${c.to}/${c.paymentId}`), 0n, 0);
    const now = BigInt(headerTime(HEIGHT_OFFSET + env.chain.height));
    const amountMsat = BigInt(c.amount) * 1000n;
    const invoice = L.UtilMethods.constructor_create(network.paymentKeys[c.to], L.Option_u64Z.constructor_some(amountMsat), INVOICE_EXPIRY_SECS, entropy.as_EntropySource(), now, L.Option_u16Z.constructor_some(FINAL_CLTV));
    if (!(invoice instanceof L.Result_C2Tuple_ThirtyTwoBytesThirtyTwoBytesZNoneZ_OK)) throw new Error('ldk: invoice creation failed');
    const hash = invoice.res.get_a();
    const secret = invoice.res.get_b();
    const paymentId = derive(`lnsim/ldk/payment/${c.paymentId}`);
    const params = L.RouteParameters.constructor_from_payment_params_and_value(L.PaymentParameters.constructor_from_node_id(fromHex(network.nodeIds[c.to]), FINAL_CLTV), amountMsat);
    state.sendingParts = c.parts ?? 1;
    state.route = undefined;
    const result = state.objects.cm.send_payment(hash, L.RecipientOnionFields.constructor_secret_only(secret), paymentId, params, L.Retry.constructor_attempts(0));
    state.sendingParts = 1;
    const record = { paymentId: toHex(paymentId), name: c.paymentId, hash: toHex(hash), to: c.to, amountMsat: amountMsat.toString(), parts: c.parts ?? 1 };
    if (result.is_ok()) env.trace('pay', { ...record, route: state.route ?? [] });
    else env.trace('pay-rejected', { ...record, error: (result as { err?: unknown }).err?.toString() ?? 'error' });
  }

  function snapshot(state: LdkState): unknown {
    const { cm, chainMonitor } = state.objects;
    const channels = cm.list_channels().map((d) => ({
      channel: channelNames[toHex(d.get_channel_id().get_a())] ?? toHex(d.get_channel_id().get_a()).slice(0, 12),
      peer: network.names[toHex(d.get_counterparty().get_node_id())],
      usable: d.get_is_usable(),
      outboundMsat: d.get_outbound_capacity_msat().toString(),
      inboundMsat: d.get_inbound_capacity_msat().toString(),
      pendingIn: d.get_pending_inbound_htlcs().length,
      pendingOut: d.get_pending_outbound_htlcs().length,
    }));
    const inflight = chainMonitor.list_pending_monitor_updates().map((t) => ({ channel: channelOf(outpointString(t.get_a())), ids: t.get_b().map(String) }));
    return {
      backend: 'ldk',
      height: state.height,
      channels,
      inflightMonitorUpdates: inflight,
      durableMonitorIds: Object.fromEntries([...state.durable].map(([op, id]) => [channelOf(op), id.toString()])),
      pendingEvents: state.collected.length,
      backgroundScheduled: state.backgroundScheduled,
      funds: funds(state),
    };
  }

  /** What the node holds as LDK reports it: open channels from list_channels (msat), closed ones from the chain monitor's claimable balances (sat). */
  function funds(state: LdkState): LdkFunds {
    const { cm, chainMonitor } = state.objects;
    const details = cm.list_channels();
    const open = details.map((d) => {
      const reserve = d.get_unspendable_punishment_reserve();
      return {
        channel: channelNames[toHex(d.get_channel_id().get_a())] ?? toHex(d.get_channel_id().get_a()).slice(0, 12),
        outboundMsat: d.get_outbound_capacity_msat().toString(),
        reserveSat: (reserve instanceof L.Option_u64Z_Some ? reserve.some : 0n).toString(),
        htlcs: [
          ...d.get_pending_outbound_htlcs().map((h) => ({ offered: true, hash: toHex(h.get_payment_hash()), msat: h.get_amount_msat().toString() })),
          ...d.get_pending_inbound_htlcs().map((h) => ({ offered: false, hash: toHex(h.get_payment_hash()), msat: h.get_amount_msat().toString() })),
        ],
      };
    });
    return { open, closed: chainMonitor.get_claimable_balances(details).map(balanceData) };
  }

  return { boot, onMessage, onDurable, onTimer, onBlock, onConnect, onDisconnect, onCommand, snapshot, faultActions };
}
