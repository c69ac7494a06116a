// no-unrequested-force-close: channels close on-chain only when someone asked
// (a command or fault action), an HTLC needs it, a restart found the manager
// stale, or the peer did; never because two honest peers disagreed.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';

export function noUnrequestedForceClose(): Checker {
  return new NoUnrequestedForceClose();
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class NoUnrequestedForceClose implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];

  constructor() {
    this.name = 'no-unrequested-force-close';
    this.kinds = ['force-close'];
  }

  onRecord(r: TraceRecord): string | undefined {
    if (r.k === 'force-close' && typeof r.d?.reason === 'string' && r.d.reason.startsWith('protocol-error')) {
      return `${r.n} force-closed ${r.d.channel}: ${r.d.reason}`;
    }
    return undefined;
  }
}
