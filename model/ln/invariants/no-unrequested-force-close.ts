// no-unrequested-force-close: channels close on-chain only when someone asked
// (a command or fault action), an HTLC needs it, a restart found the manager
// stale, or the peer did; never because two honest peers disagreed.
import type { Checker } from '../../../sim/world.ts';

export function noUnrequestedForceClose(): Checker {
  return {
    name: 'no-unrequested-force-close',
    kinds: ['force-close'],
    onRecord(r) {
      if (r.k === 'force-close' && typeof r.d?.reason === 'string' && r.d.reason.startsWith('protocol-error')) {
        return `${r.n} force-closed ${r.d.channel}: ${r.d.reason}`;
      }
      return undefined;
    },
  };
}
