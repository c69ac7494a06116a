// no-lost-htlc on real LDK, judged from what LDK shows: a node that stays up
// must settle or fail back every HTLC it was offered long before it expires.
// If instead the offering peer has to force-close the channel because the HTLC
// timed out (ClosureReason::HTLCsTimedOut at the offerer), the receiving node
// lost track of it (rust-lightning #3989: forwards held in a blocked monitor
// update, forgotten at force-close). Excused: a channel one of whose ends
// crashed in the run, or stalled a monitor write of that very channel (a
// persister that does not answer freezes the channel until the calm phase):
// it may legitimately have been unable to settle before the expiry.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';

export function ldkNoLostHtlc(channelPeers: Readonly<Record<string, readonly [string, string]>>): Checker {
  const crashed = new Set<string>();
  /** `node/channel` pairs with a stalled monitor write. */
  const stalled = new Set<string>();
  return {
    name: 'no-lost-htlc',
    onRecord(r: TraceRecord) {
      if (r.k === 'crash') crashed.add(r.n!);
      if (r.k === 'write' && r.d?.status === 'stalled' && typeof r.d.key === 'string' && r.d.key.startsWith('monitor/')) stalled.add(`${r.n}/${r.d.key.split('/')[1]}`);
      if (r.k !== 'ldk-event' || r.d?.event !== 'ChannelClosed' || r.d.reason !== 'HTLCsTimedOut') return undefined;
      const peers = channelPeers[r.d.channel as string];
      const other = peers && (peers[0] === r.n ? peers[1] : peers[0]);
      const channel = r.d.channel as string;
      if (!other || crashed.has(other) || crashed.has(r.n!) || stalled.has(`${other}/${channel}`) || stalled.has(`${r.n}/${channel}`)) return undefined;
      return `${r.n} force-closed ${String(r.d.channel)} because HTLCs it offered timed out, though neither end crashed or stalled that channel's monitor: ${other} lost track of an HTLC it was offered`;
    },
  };
}
