// per-channel-order: each channel's messages take effect in the order the
// node received them (BOLT 1 delivers a peer's messages in order; BOLT 2's
// rules assume they are processed so). The node traces `recv` when a channel
// message arrives and `apply` when it takes effect; messages still waiting
// when the connection drops or the node crashes are gone, never applied.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';

export function perChannelOrder(): Checker {
  return new PerChannelOrder();
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class PerChannelOrder implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /**
   * node → peer → channel → message types received and not yet applied, oldest first. Nested maps keyed by the
   * records' own strings (each lookup reuses the string's hash), not a key text built per record.
   */
  declare private readonly waiting: Map<string, Map<string, Map<string, string[]>>>;

  constructor() {
    this.name = 'per-channel-order';
    this.kinds = ['crash', 'disconnect', 'recv', 'apply'];
    this.waiting = new Map<string, Map<string, Map<string, string[]>>>();
  }

  onRecord(r: TraceRecord): string | undefined {
    if (r.k === 'crash' && r.n) this.waiting.delete(r.n);
    if (r.k === 'disconnect') {
      this.waiting.get(r.d!.a as string)?.delete(r.d!.b as string);
      this.waiting.get(r.d!.b as string)?.delete(r.d!.a as string);
    }
    if (!r.n || (r.k !== 'recv' && r.k !== 'apply')) return undefined;
    const queue = this.queueOf(r.n, r.d!.from as string, r.d!.channel as string);
    if (r.k === 'recv') {
      queue.push(r.d!.type as string);
      return undefined;
    }
    const expected = queue.shift();
    if (expected !== r.d!.type) {
      return `${r.n} applied ${r.d!.type as string} on ${r.d!.channel as string} while ${expected ?? 'nothing'} received before it had not taken effect (still waiting: ${[expected, ...queue].filter(Boolean).join(', ')})`;
    }
    return undefined;
  }

  private queueOf(node: string, peer: string, channel: string): string[] {
    let byPeer = this.waiting.get(node);
    if (byPeer === undefined) this.waiting.set(node, (byPeer = new Map()));
    let byChannel = byPeer.get(peer);
    if (byChannel === undefined) byPeer.set(peer, (byChannel = new Map()));
    let queue = byChannel.get(channel);
    if (queue === undefined) byChannel.set(channel, (queue = []));
    return queue;
  }
}
