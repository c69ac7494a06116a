// no-unconsented-claim: a receiver reveals a preimage for one of its final-hop
// HTLCs only if its application claimed that very HTLC (directly, or through
// a restart's replay of such a claim).
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';

export function noUnconsentedClaim(): Checker {
  return new NoUnconsentedClaim();
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class NoUnconsentedClaim implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /** "channel#id>receiver" of HTLCs whose onion ends at their receiver (ids are per direction). */
  declare private readonly finalHop: Set<string>;
  /** "channel#id>node" the application claimed. */
  declare private readonly consented: Set<string>;

  constructor() {
    this.name = 'no-unconsented-claim';
    this.kinds = ['send', 'claim'];
    this.finalHop = new Set<string>();
    this.consented = new Set<string>();
  }

  onRecord(r: TraceRecord): string | undefined {
    if (!r.n) return undefined;
    if (r.k === 'send') {
      const m = r.d!.message as { type: string; channel: string; id: number; onion?: { paymentId?: string } };
      if (m.type === 'update_add_htlc') {
        // An id forgotten before any commitment covered it may be offered again, for another HTLC.
        const key = `${m.channel}#${m.id}>${r.d!.to}`;
        this.consented.delete(key);
        if (m.onion?.paymentId !== undefined) this.finalHop.add(key);
        else this.finalHop.delete(key);
      }
      if (m.type !== 'update_fulfill_htlc') return undefined;
      const key = `${m.channel}#${m.id}>${r.n}`;
      if (this.finalHop.has(key) && !this.consented.has(key)) {
        return `${r.n} revealed the preimage for HTLC ${m.channel}#${m.id} that its application never claimed`;
      }
    }
    if (r.k === 'claim') {
      // Indexed: the list reaches here in more than one hidden class (for-of deoptimised on them).
      const htlcs = r.d!.htlcs as readonly string[];
      for (let i = 0; i < htlcs.length; i++) this.consented.add(`${htlcs[i]}>${r.n}`);
    }
    return undefined;
  }
}
