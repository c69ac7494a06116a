// bolt2-shutdown-rules: a node offers no new HTLC on a channel after it sent
// `shutdown` there (retransmitting an HTLC it offered before is fine), and
// after a reconnect it sends `closing_signed` only once it has retransmitted
// its `shutdown` on the new connection (BOLT 2: shutdown is resent after
// channel_reestablish while the close has not finished).
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';

export function bolt2ShutdownRules(): Checker {
  return new Bolt2ShutdownRules();
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class Bolt2ShutdownRules implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /** "node|channel" → the node sent shutdown there (ever). */
  declare private readonly shutdownSent: Set<string>;
  /** "node|channel" → HTLC ids the node offered there. */
  declare private readonly offered: Map<string, Set<number>>;
  /** "node|peer|channel" → shutdown sent on the current connection. */
  declare private readonly onConnection: Set<string>;

  constructor() {
    this.name = 'bolt2-shutdown-rules';
    this.kinds = ['crash', 'disconnect', 'send'];
    this.shutdownSent = new Set<string>();
    this.offered = new Map<string, Set<number>>();
    this.onConnection = new Set<string>();
  }

  onRecord(r: TraceRecord): string | undefined {
    if (r.k === 'crash' && r.n) this.forget(r.n, undefined);
    if (r.k === 'disconnect') {
      this.forget(r.d!.a as string, r.d!.b as string);
      this.forget(r.d!.b as string, r.d!.a as string);
    }
    if (r.k !== 'send' || !r.n) return undefined;
    const message = r.d!.message as { type: string; channel?: string; id?: number };
    if (message.channel === undefined) return undefined;
    const type = message.type;
    // Most messages are none of the three judged here: no key text is made for them.
    if (type !== 'shutdown' && type !== 'update_add_htlc' && type !== 'closing_signed') return undefined;
    const key = `${r.n}|${message.channel}`;
    if (type === 'shutdown') {
      this.shutdownSent.add(key);
      this.onConnection.add(`${r.n}|${r.d!.to as string}|${message.channel}`);
    } else if (type === 'update_add_htlc') {
      const ids = this.offered.get(key) ?? new Set<number>();
      this.offered.set(key, ids);
      const id = message.id!;
      if (this.shutdownSent.has(key) && !ids.has(id)) return `${r.n} offered a new HTLC ${id} on ${message.channel} after sending shutdown there`;
      ids.add(id);
    } else if (!this.onConnection.has(`${r.n}|${r.d!.to as string}|${message.channel}`)) {
      return `${r.n} sent closing_signed on ${message.channel} without having sent shutdown on this connection`;
    }
    return undefined;
  }

  private forget(node: string, peer: string | undefined): void {
    if (this.onConnection.size === 0) return; // most crashes and disconnects: no shutdown sent yet
    for (const key of [...this.onConnection]) if (key.startsWith(`${node}|`) && (peer === undefined || key.startsWith(`${node}|${peer}|`))) this.onConnection.delete(key);
  }
}
