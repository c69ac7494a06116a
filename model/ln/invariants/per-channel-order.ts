// per-channel-order: each channel's messages take effect in the order the
// node received them (BOLT 1 delivers a peer's messages in order; BOLT 2's
// rules assume they are processed so). The node traces `recv` when a channel
// message arrives and `apply` when it takes effect; messages still waiting
// when the connection drops or the node crashes are gone, never applied.
import type { Checker } from '../../../sim/world.ts';

export function perChannelOrder(): Checker {
  /** "node|peer|channel" → message types received and not yet applied, oldest first. */
  const waiting = new Map<string, string[]>();
  const forget = (node: string, peer?: string) => {
    for (const key of [...waiting.keys()]) if (key.startsWith(`${node}|`) && (peer === undefined || key.startsWith(`${node}|${peer}|`))) waiting.delete(key);
  };
  return {
    name: 'per-channel-order',
    kinds: ['crash', 'disconnect', 'recv', 'apply'],
    onRecord(r) {
      if (r.k === 'crash' && r.n) forget(r.n);
      if (r.k === 'disconnect') {
        forget(r.d!.a as string, r.d!.b as string);
        forget(r.d!.b as string, r.d!.a as string);
      }
      if (!r.n || (r.k !== 'recv' && r.k !== 'apply')) return undefined;
      const key = `${r.n}|${r.d!.from as string}|${r.d!.channel as string}`;
      const queue = waiting.get(key) ?? [];
      waiting.set(key, queue);
      if (r.k === 'recv') {
        queue.push(r.d!.type as string);
        return undefined;
      }
      const expected = queue.shift();
      if (expected !== r.d!.type) {
        return `${r.n} applied ${r.d!.type as string} on ${r.d!.channel as string} while ${expected ?? 'nothing'} received before it had not taken effect (still waiting: ${[expected, ...queue].filter(Boolean).join(', ')})`;
      }
      return undefined;
    },
  };
}
