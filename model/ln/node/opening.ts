// Channel opening as the node runs it (open.ts holds the protocol): negotiation before our monitor exists, the
// channel's creation with its first monitor write, channel_ready, and forgetting a channel that never confirmed.
import type { Message } from '../../../sim/node.ts';
import { monitorKey } from '../monitor.ts';
import * as open from '../open.ts';
import type { Channel, Monitor } from '../types.ts';
import { io } from './channel-io.ts';
import { markDirty, pushEvent } from './manager.ts';
import { monitorUpdate, persisted } from './monitor-updates.ts';
import { channelOf, type LnNode } from './state.ts';

/** Workload: open a channel funded from one of our wallet coins. */
export function startOpen(node: LnNode, command: open.OpenCommand): void {
  const known = channelOf(node.state, command.channel) !== undefined || node.state.negotiations.some((n) => n.channel === command.channel);
  if (known || !node.env.isConnected(command.peer)) {
    node.env.trace('open-failed', { channel: command.channel, peer: command.peer, reason: known ? 'channel exists' : 'peer not connected' });
    return;
  }
  const { negotiation, message } = open.startOpen(command, node.env.chain.height);
  node.state.negotiations.push(negotiation);
  node.env.trace('open-start', { channel: command.channel, peer: command.peer, capacity: command.capacity });
  node.env.send(command.peer, message);
}

/** open_channel, accept_channel, funding_created, funding_signed: the opening before (or as) our monitor comes to exist. */
export function negotiate(node: LnNode, from: string, message: Message): void {
  const id = message.channel as string;
  const n = node.state.negotiations.find((x) => x.channel === id && x.peer === from);
  const fail = (reason: string) => {
    if (n) abandonNegotiation(node, n, reason);
    node.env.send(from, { type: 'error', channel: id, reason });
  };
  if (message.type === 'open_channel') {
    if (n || channelOf(node.state, id)) return fail(`channel ${id} already exists`);
    const r = open.receiveOpen(message, from, node.env.chain.height);
    if (open.isError(r)) return fail(r.error);
    node.state.negotiations.push(r.negotiation);
    node.env.send(from, r.message);
    return;
  }
  if (!n) return fail(`unknown channel ${id}`);
  if (message.type === 'accept_channel') {
    const r = open.receiveAccept(n, node.env.id);
    if (open.isError(r)) return fail(r.error);
    node.env.send(from, r);
    return;
  }
  const r = message.type === 'funding_created' ? open.receiveFundingCreated(n, node.env.id, message, node.env.chain.height) : open.receiveFundingSigned(n, node.env.id, message, node.env.chain.height);
  if (open.isError(r)) return fail(r.error);
  node.state.negotiations = node.state.negotiations.filter((x) => x !== n);
  createChannel(node, r.channel, r.monitor);
}

/**
 * The channel exists: the manager records it at once (and persists it on its own schedule), and the monitor's
 * first write starts. Until that write is durable the channel is paused and nothing leaves for it.
 */
export function createChannel(node: LnNode, ch: Channel, m: Monitor): void {
  node.state.mgr.channels.push(ch);
  node.state.monitors.push(m);
  node.state.reestablished[ch.id] = node.env.isConnected(ch.peer);
  node.env.trace('channel-created', { channel: ch.id, peer: ch.peer, role: ch.opening!.role, capacity: ch.capacity });
  markDirty(node);
  node.state.persisting[ch.id] = [0];
  if (node.env.disk.write(monitorKey(ch.id), m, { tag: `first/${ch.id}` }) === 'durable') persisted(node, ch.id, 0);
}

export function sendReady(node: LnNode, ch: Channel): void {
  const { message, becameReady } = open.sendReady(ch);
  io(node, ch).queue(message);
  if (becameReady) node.env.trace('channel-ready', { channel: ch.id, role: ch.opening!.role });
  markDirty(node);
}

/**
 * Close a channel whose funding never confirmed: nothing of it is on-chain to settle, so the manager forgets it.
 * Its monitor is closed all the same: should the funding confirm after all, the monitor claims our side.
 */
export function forgetChannel(node: LnNode, ch: Channel, reason: string): void {
  node.env.trace('channel-forgotten', { channel: ch.id, role: ch.opening!.role, stage: ch.opening!.stage, reason });
  monitorUpdate(node, ch, { kind: 'force-close' });
  node.state.mgr.channels = node.state.mgr.channels.filter((c) => c !== ch);
  delete node.state.outbox[ch.id];
  delete node.state.reestablished[ch.id];
  delete node.state.fanOut[ch.id];
  pushEvent(node, { type: 'ChannelClosed', channel: ch.id, reason });
}

export function abandonNegotiation(node: LnNode, n: open.Negotiation, reason: string): void {
  node.state.negotiations = node.state.negotiations.filter((x) => x !== n);
  node.env.trace('open-abandoned', { channel: n.channel, role: n.role, stage: n.stage, reason });
}
