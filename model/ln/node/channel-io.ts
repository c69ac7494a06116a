// How the channel state machine (channel.ts) talks to the node: messages held in the outbox while an update is in
// flight, monitor updates, and the checks that gate what a channel may do now.
import type { NodeEnv } from '../../../sim/node.ts';
import * as chan from '../channel.ts';
import { commitmentTotal } from '../channel.ts';
import * as close from '../close.ts';
import * as open from '../open.ts';
import type { Channel } from '../types.ts';
import { monitorUpdate } from './monitor-updates.ts';
import type { LnNode, LnState } from './state.ts';

/** The channel state machine's view of the node: messages queue in the outbox, updates go to the monitor. */
export function io(node: LnNode, ch: Channel): chan.ChannelIO {
  return {
    queue: (message) => {
      if (node.bugs.has('ln-early-raa') && message.type === 'revoke_and_ack' && node.env.isConnected(ch.peer) && node.state.reestablished[ch.id]) {
        node.env.send(ch.peer, message);
        return;
      }
      (node.state.outbox[ch.id] ??= []).push(message);
    },
    monitorUpdate: (body) => {
      monitorUpdate(node, ch, body);
    },
    bugs: node.bugs,
  };
}

/** Nothing goes out while an update of the channel is owed, queued for startup, or persisting (the boot snapshot too). */
export function paused(state: LnState, ch: Channel): boolean {
  return ch.inFlight.length > 0 || ch.blocked.length > 0 || (state.persisting[ch.id]?.length ?? 0) > 0 || (state.startupUpdates.length > 0 && state.startupUpdates.some((e) => e.channel === ch.id));
}

export function traceCommitment(env: NodeEnv, ch: Channel, side: 'local' | 'remote'): void {
  const c = side === 'local' ? ch.localCommit : ch.remoteCommit;
  env.trace('commitment', { channel: ch.id, side, number: c.number, total: commitmentTotal(c), capacity: ch.capacity });
}

/** Whether a new HTLC may go out on the channel (lnd-8145: the link is never told of the peer's shutdown). */
export function addsAllowed(node: LnNode, ch: Channel): boolean {
  return open.usable(ch) && close.acceptsAdds(ch, !node.bugs.has('lnd-8145'));
}
