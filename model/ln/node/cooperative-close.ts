// Cooperative close: the durable intent to close, shutdown once our updates are flushed, closing_signed, and
// restoring the intent at boot.
import * as chan from '../channel.ts';
import { ProtocolError } from '../channel.ts';
import * as close from '../close.ts';
import type { Channel } from '../types.ts';
import { io } from './channel-io.ts';
import { closeChannel, markCoopClosed } from './closing.ts';
import { markDirty } from './manager.ts';
import { monitorUpdate } from './monitor-updates.ts';
import { channelOf, type LnNode, type LnState } from './state.ts';

/** At boot: the intent to close survives only through its own record; whatever belonged to the connection is gone. */
export function restoreCloses(node: LnNode): void {
  const recorded = new Set(node.env.disk.keys(close.SHUTDOWN_PREFIX).map((k) => k.slice(close.SHUTDOWN_PREFIX.length)));
  for (const ch of node.state.mgr.channels) {
    if (recorded.has(ch.id)) {
      ch.close ??= close.newClose();
      ch.close.intent = true;
      ch.close.intentDurable = true;
    }
    if (!ch.close) continue;
    close.resetConnection(ch.close);
    if (!recorded.has(ch.id)) ch.close.intentDurable = false;
    // The manager recorded an intent its own record lost: write it again before any shutdown goes out.
    if (ch.close.intent && !ch.close.intentDurable && ch.status === 'open') writeCloseIntent(node, ch);
  }
}

/** From now on we offer no new HTLC on the channel; shutdown goes out once the intent is durable and our updates are flushed. */
export function intendToClose(node: LnNode, ch: Channel): void {
  const c = (ch.close ??= close.newClose());
  if (c.intent) return;
  c.intent = true;
  node.env.trace('close-intent', { channel: ch.id, responder: c.receivedShutdown });
  markDirty(node);
  writeCloseIntent(node, ch);
}

export function writeCloseIntent(node: LnNode, ch: Channel): void {
  if (node.env.disk.write(close.shutdownKey(ch.id), 'shutdown', { tag: `shut/${ch.id}` }) === 'durable') closeIntentDurable(node.state, ch.id);
}

export function closeIntentDurable(state: LnState, channel: string): void {
  const c = channelOf(state, channel)?.close;
  if (c) c.intentDurable = true;
}

export function receiveShutdown(node: LnNode, ch: Channel): void {
  const c = (ch.close ??= close.newClose());
  if (c.receivedShutdown) throw new ProtocolError('second shutdown on one connection');
  c.receivedShutdown = true;
  if (node.bugs.has('lnd-8145') && !c.sentShutdown) {
    // lnd-8145: reply at once, ahead of our own updates still held, and leave the link free to add.
    c.sentShutdown = true;
    node.env.send(ch.peer, close.shutdownMessage(ch));
    return;
  }
  // Reply once our own updates are flushed (pump sends it).
  intendToClose(node, ch);
}

/** Send shutdown when due, then negotiate and finish once nothing is left in the channel. The channel is connected, reestablished and not paused. */
export function closeStep(node: LnNode, ch: Channel): boolean {
  const c = ch.close;
  if (!c || ch.status !== 'open') return false;
  if (close.shutdownDue(ch)) {
    c.sentShutdown = true;
    io(node, ch).queue(close.shutdownMessage(ch));
    return true;
  }
  if ((node.state.outbox[ch.id] ?? []).length > 0 || !close.readyToNegotiate(ch, chan.hasChangesToSign(ch))) return false;
  if (!c.sentClosingSigned) {
    c.sentClosingSigned = true;
    io(node, ch).queue(close.closingSignedMessage(ch));
    return true;
  }
  if (!c.peerProposal) return false;
  if (!close.proposalAgrees(ch, c.peerProposal)) {
    const reason = `closing_signed pays ${c.peerProposal.toReceiver} to us and ${c.peerProposal.toSender} to the peer, we hold ${ch.localCommit.toHolder}/${ch.localCommit.toCounterparty}`;
    node.env.trace('protocol-error', { channel: ch.id, message: reason });
    node.env.send(ch.peer, { type: 'error', channel: ch.id, reason });
    closeChannel(node, ch, `protocol-error: ${reason}`);
    return true;
  }
  const tx = close.closingTx(ch, node.env.id);
  monitorUpdate(node, ch, { kind: 'cooperative-close', tx });
  node.env.broadcast(tx);
  markCoopClosed(node, ch);
  return true;
}
