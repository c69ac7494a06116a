// bolt2-shutdown-rules: a node offers no new HTLC on a channel after it sent
// `shutdown` there (retransmitting an HTLC it offered before is fine), and
// after a reconnect it sends `closing_signed` only once it has retransmitted
// its `shutdown` on the new connection (BOLT 2: shutdown is resent after
// channel_reestablish while the close has not finished).
import type { Checker } from '../../../sim/world.ts';

export function bolt2ShutdownRules(): Checker {
  /** "node|channel" → the node sent shutdown there (ever). */
  const shutdownSent = new Set<string>();
  /** "node|channel" → HTLC ids the node offered there. */
  const offered = new Map<string, Set<number>>();
  /** "node|peer|channel" → shutdown sent on the current connection. */
  const onConnection = new Set<string>();
  const forget = (node: string, peer?: string) => {
    for (const key of [...onConnection]) if (key.startsWith(`${node}|`) && (peer === undefined || key.startsWith(`${node}|${peer}|`))) onConnection.delete(key);
  };
  return {
    name: 'bolt2-shutdown-rules',
    kinds: ['crash', 'disconnect', 'send'],
    onRecord(r) {
      if (r.k === 'crash' && r.n) forget(r.n);
      if (r.k === 'disconnect') {
        forget(r.d!.a as string, r.d!.b as string);
        forget(r.d!.b as string, r.d!.a as string);
      }
      if (r.k !== 'send' || !r.n) return undefined;
      const message = r.d!.message as { type: string; channel?: string; id?: number };
      if (message.channel === undefined) return undefined;
      const key = `${r.n}|${message.channel}`;
      if (message.type === 'shutdown') {
        shutdownSent.add(key);
        onConnection.add(`${r.n}|${r.d!.to as string}|${message.channel}`);
      } else if (message.type === 'update_add_htlc') {
        const ids = offered.get(key) ?? new Set<number>();
        offered.set(key, ids);
        const id = message.id!;
        if (shutdownSent.has(key) && !ids.has(id)) return `${r.n} offered a new HTLC ${id} on ${message.channel} after sending shutdown there`;
        ids.add(id);
      } else if (message.type === 'closing_signed' && !onConnection.has(`${r.n}|${r.d!.to as string}|${message.channel}`)) {
        return `${r.n} sent closing_signed on ${message.channel} without having sent shutdown on this connection`;
      }
      return undefined;
    },
  };
}
