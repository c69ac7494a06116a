// The LDK nodes and channels of a scenario, opened before the run: a setup
// chain of HEIGHT_OFFSET blocks in which every channel is negotiated by the
// real LDK code (open_channel … funding_signed, channel_ready), its funding
// transaction confirmed in the last block. What comes out is each node's
// durable state (manager and monitor bytes), the funding transactions (the
// kernel's genesis), and what the router and the invariants need to know
// (node ids, short channel ids, channel ids). Deterministic: fixed seeds,
// fixed times; built once per process and scenario.
import { blockHash, header, HEIGHT_OFFSET, parseTx, type LdkTx } from './chain.ts';
import { concat, derive, fromHex, toHex, u32le, u64le } from './bytes.ts';
import { createNode, type LdkObjects } from './objects.ts';
import { deliver, outgoing } from './wire.ts';
import type * as ldk from 'lightningdevkit';
import { L, requireLdk } from './wasm.ts';

export interface LdkChannelSpec {
  readonly id: string;
  readonly a: string;
  readonly b: string;
  /** Satoshis. */
  readonly capacity: number;
  /** a's side at opening (satoshis); b gets the rest. */
  readonly aBalance: number;
}

export interface LdkChannelInfo extends LdkChannelSpec {
  readonly scid: bigint;
  /** LDK's channel id (hex). */
  readonly channelId: string;
  /** Funding outpoint as `txid:vout` (display order). */
  readonly outpoint: string;
}

export interface LdkNetwork {
  readonly nodes: readonly string[];
  readonly seeds: Readonly<Record<string, Uint8Array>>;
  /** Node name → node id (hex) and back. */
  readonly nodeIds: Readonly<Record<string, string>>;
  readonly names: Readonly<Record<string, string>>;
  readonly channels: readonly LdkChannelInfo[];
  /** Each node's disk before the run: its manager and one monitor write per channel. */
  readonly disks: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The funding transactions (confirmed in the kernel's genesis). */
  readonly genesis: readonly LdkTx[];
  /** Payee inbound-payment keys (invoices are made out of band, as a payee's invoice would be handed over). */
  readonly paymentKeys: Readonly<Record<string, ldk.ExpandedKey>>;
}

export const MANAGER_KEY = 'manager';
/** A monitor write's key: the scenario's channel name (so keyStall can aim at one channel) and the update id. */
export const monitorPrefix = (channel: string): string => `monitor/${channel}/`;
/** Update ids are u64: zero-padded so keys sort by id. */
export const monitorKey = (channel: string, id: bigint): string => `${monitorPrefix(channel)}${id.toString().padStart(20, '0')}`;

/** KeysManager starting time of the setup incarnation (the run's incarnations start above it). */
export const SETUP_START_SECS = 1_600_000_000;

const cache = new Map<string, LdkNetwork>();

export function buildNetwork(nodes: readonly string[], channels: readonly LdkChannelSpec[]): LdkNetwork {
  requireLdk('an LDK scenario');
  const key = JSON.stringify({ nodes, channels });
  const cached = cache.get(key);
  if (cached) return cached;
  const network = setup(nodes, channels);
  cache.set(key, network);
  return network;
}

function setup(nodeNames: readonly string[], specs: readonly LdkChannelSpec[]): LdkNetwork {
  const seeds = Object.fromEntries(nodeNames.map((n) => [n, derive(`lnsim/ldk/node/${n}`)]));
  const stores: Record<string, Record<string, string>> = {};
  const broadcasts: Uint8Array[] = [];
  const objects: Record<string, LdkObjects> = {};
  const events: Record<string, ldk.Event[]> = {};
  for (const name of nodeNames) {
    stores[name] = {};
    events[name] = [];
    objects[name] = createNode({
      seed: seeds[name],
      startSecs: SETUP_START_SECS,
      hooks: {
        persist: (outpoint, monitor) => {
          stores[name][monitorKey(outpointString(outpoint), monitor.get_latest_update_id())] = toHex(monitor.write());
          return L.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_Completed;
        },
        broadcast: (raw) => broadcasts.push(raw),
        event: (e) => events[name].push(e),
        findRoute: () => L.Result_RouteLightningErrorZ.constructor_err(L.LightningError.constructor_new('no payments during setup', L.ErrorAction.constructor_ignore_error())),
      },
    });
  }
  const nodeIds = Object.fromEntries(nodeNames.map((n) => [n, toHex(objects[n].cm.get_our_node_id())]));
  const names = Object.fromEntries(nodeNames.map((n) => [nodeIds[n], n]));
  const cmh = (n: string) => objects[n].cm.as_ChannelMessageHandler();
  const connected = new Set<string>();
  for (const c of specs) {
    const pair = [c.a, c.b].sort().join('|');
    if (connected.has(pair)) continue;
    connected.add(pair);
    const init = (n: string, peer: string) => L.Init.constructor_new(cmh(n).provided_init_features(fromHex(nodeIds[peer])), L.Option_CVec_ThirtyTwoBytesZZ.constructor_none(), L.Option_SocketAddressZ.constructor_none());
    cmh(c.a).peer_connected(fromHex(nodeIds[c.b]), init(c.a, c.b), false);
    cmh(c.b).peer_connected(fromHex(nodeIds[c.a]), init(c.b, c.a), true);
  }
  const exchange = () => {
    for (let round = 0; round < 50; round++) {
      let any = false;
      for (const n of nodeNames) {
        for (const event of objects[n].cm.as_MessageSendEventsProvider().get_and_clear_pending_msg_events()) {
          const out = outgoing(event);
          if (!out) continue;
          for (const m of out.messages) {
            any = true;
            deliver(cmh(names[out.nodeId]), fromHex(nodeIds[n]), m);
          }
        }
      }
      if (!any) return;
    }
    throw new Error('ldk setup: messages never settled');
  };
  const drainEvents = (n: string): ldk.Event[] => {
    objects[n].cm.as_EventsProvider().process_pending_events(objects[n].handler);
    objects[n].chainMonitor.as_EventsProvider().process_pending_events(objects[n].handler);
    return events[n].splice(0);
  };
  const fundings: Uint8Array[] = [];
  specs.forEach((c, index) => {
    const push = BigInt(c.capacity - c.aBalance) * 1000n;
    const created = objects[c.a].cm.create_channel(fromHex(nodeIds[c.b]), BigInt(c.capacity), push, BigInt(index), null, null);
    if (!created.is_ok()) throw new Error(`ldk setup: channel ${c.id} was refused by create_channel`);
    exchange();
    const ready = drainEvents(c.a).find((e): e is ldk.Event_FundingGenerationReady => e instanceof L.Event_FundingGenerationReady);
    if (!ready) throw new Error(`ldk setup: channel ${c.id} got no FundingGenerationReady`);
    const raw = fundingTx(derive(`lnsim/ldk/funding/${c.id}`), ready.channel_value_satoshis, ready.output_script);
    const funded = objects[c.a].cm.funding_transaction_generated(ready.temporary_channel_id, ready.counterparty_node_id, raw);
    if (!funded.is_ok()) throw new Error(`ldk setup: funding of ${c.id} was refused`);
    exchange();
    fundings.push(raw);
  });
  // The setup chain: empty blocks, then every funding transaction in the last one (the kernel's genesis).
  for (let h = 1; h <= HEIGHT_OFFSET; h++) {
    for (const n of nodeNames) {
      for (const confirm of [objects[n].cm.as_Confirm(), objects[n].chainMonitor.as_Confirm()]) {
        if (h === HEIGHT_OFFSET) confirm.transactions_confirmed(header(h), fundings.map((raw, i) => L.TwoTuple_usizeTransactionZ.constructor_new(i + 1, raw)), h);
        confirm.best_block_updated(header(h), h);
      }
    }
    exchange();
  }
  exchange();
  for (const n of nodeNames) drainEvents(n);
  exchange();
  const genesis = fundings.map((raw, i) => parseTx(raw, `funding/${specs[i].id}`));
  const channels: LdkChannelInfo[] = specs.map((c, i) => {
    const details = objects[c.a].cm.list_channels().find((d) => toHex(d.get_funding_txo().get_txid()) === toHex(Uint8Array.from(fromHex(genesis[i].txid)).reverse()));
    if (!details || !details.get_is_usable()) throw new Error(`ldk setup: channel ${c.id} is not usable after its funding confirmed`);
    const scid = details.get_short_channel_id();
    if (!(scid instanceof L.Option_u64Z_Some)) throw new Error(`ldk setup: channel ${c.id} has no short channel id`);
    return { ...c, scid: scid.some, channelId: toHex(details.get_channel_id().get_a()), outpoint: `${genesis[i].txid}:0` };
  });
  const disks: Record<string, Record<string, string>> = {};
  for (const n of nodeNames) {
    if (broadcasts.length !== specs.length) throw new Error(`ldk setup: expected ${specs.length} funding broadcasts, saw ${broadcasts.length}`);
    const named = Object.fromEntries(Object.entries(latestMonitors(stores[n])).map(([k, v]) => {
      const outpoint = k.slice('monitor/'.length, k.lastIndexOf('/'));
      return [`monitor/${channels.find((c) => c.outpoint === outpoint)!.id}/${k.slice(k.lastIndexOf('/') + 1)}`, v];
    }));
    disks[n] = { ...named, [MANAGER_KEY]: toHex(objects[n].cm.write()) };
  }
  const paymentKeys = Object.fromEntries(nodeNames.map((n) => [n, objects[n].keys.as_NodeSigner().get_inbound_payment_key()]));
  void blockHash;
  return { nodes: [...nodeNames], seeds, nodeIds, names, channels, disks, genesis, paymentKeys };
}

/** Only each channel's latest monitor write goes to the run's initial disk. */
function latestMonitors(store: Record<string, string>): Record<string, string> {
  const latest = new Map<string, string>();
  for (const key of Object.keys(store).sort()) latest.set(key.slice(0, key.lastIndexOf('/') + 1), key);
  return Object.fromEntries([...latest.values()].map((k) => [k, store[k]]));
}

export function outpointString(outpoint: ldk.OutPoint): string {
  return `${toHex(Uint8Array.from(outpoint.get_txid()).reverse())}:${outpoint.get_index()}`;
}

export function outpointFrom(s: string): ldk.OutPoint {
  const [txid, vout] = s.split(':');
  return L.OutPoint.constructor_new(Uint8Array.from(fromHex(txid)).reverse(), Number(vout));
}

/** A segwit transaction paying the channel's funding script from a unique fake coin (LDK checks neither the coin nor the witness). */
function fundingTx(fakeCoin: Uint8Array, value: bigint, script: Uint8Array): Uint8Array {
  return concat(u32le(2), [0, 1], [1], fakeCoin, u32le(0), [0], u32le(0xffffffff), [1], u64le(value), [script.length], script, [1, 1, 0xff], u32le(0));
}
