// monitor-safety, as LDK's persistence contract states it
// (ChannelMonitorUpdateStatus::InProgress): while an update of a channel's
// monitor is not yet durable, the channel sends no revoke_and_ack and no
// commitment_signed. Judged from the disk's truth (the write's real status),
// not from what the persister told LDK, so a persister that lies is caught.
// One subtlety of judging at send time: messages leave when the handler that
// made them returns. When a completion (channel_monitor_updated) releases a
// held message and LDK then writes a further update in the same call, the
// released message was made before that write: such a write is excused for the
// rest of that handler.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';

export function ldkMonitorSafety(channelIds: Readonly<Record<string, string>>): Checker {
  /** node → channel → update ids written but not yet durable. */
  const pending = new Map<string, Map<string, Set<string>>>();
  /** node → channel → update ids written after a completion in the current handler. */
  const excused = new Map<string, Map<string, Set<string>>>();
  /** node → channels completed in the current handler. */
  const completedNow = new Map<string, Set<string>>();
  const of = (node: string) => pending.get(node) ?? pending.set(node, new Map()).get(node)!;
  return {
    name: 'monitor-safety',
    onRecord(r: TraceRecord) {
      const d = r.d ?? {};
      if (HANDLER_STARTS.has(r.k)) {
        excused.clear();
        completedNow.clear();
      }
      if (r.k === 'monitor-completed') (completedNow.get(r.n!) ?? completedNow.set(r.n!, new Set()).get(r.n!)!).add(d.channel as string);
      if (r.k === 'crash' || r.k === 'restart') pending.delete(r.n!);
      else if (r.k === 'monitor-write' && d.tracked && !d.rewrite && d.status !== 'durable') {
        const channel = of(r.n!).get(d.channel as string) ?? new Set<string>();
        channel.add(d.id as string);
        of(r.n!).set(d.channel as string, channel);
        if (completedNow.get(r.n!)?.has(d.channel as string)) {
          const byNode = excused.get(r.n!) ?? excused.set(r.n!, new Map()).get(r.n!)!;
          (byNode.get(d.channel as string) ?? byNode.set(d.channel as string, new Set()).get(d.channel as string)!).add(d.id as string);
        }
      } else if (r.k === 'durable' && typeof d.key === 'string' && d.key.startsWith('monitor/')) {
        // Any durable write of a channel's monitor carries every earlier update (each is the whole monitor).
        const key = d.key as string;
        const name = key.slice('monitor/'.length, key.lastIndexOf('/'));
        const id = BigInt(key.slice(key.lastIndexOf('/') + 1)).toString();
        const ids = of(r.n!).get(name);
        if (ids) for (const x of [...ids]) if (BigInt(x) <= BigInt(id)) ids.delete(x);
      } else if (r.k === 'send') {
        const message = d.message as { type?: string; channel?: string } | undefined;
        if (message?.type !== 'revoke_and_ack' && message?.type !== 'commitment_signed') return undefined;
        const name = channelIds[message.channel ?? ''] ?? message.channel ?? '';
        const skip = excused.get(r.n!)?.get(name);
        const ids = new Set([...(of(r.n!).get(name) ?? [])].filter((id) => !skip?.has(id)));
        if (ids.size > 0) return `${r.n} sent ${message.type} on ${name} while monitor update${ids.size > 1 ? 's' : ''} ${[...ids].join(', ')} ${ids.size > 1 ? 'were' : 'was'} not durable`;
      }
      return undefined;
    },
  };
}

/** Records with which the world starts a new node handler. */
const HANDLER_STARTS = new Set(['deliver', 'durable', 'timer', 'command', 'block', 'connect', 'disconnect', 'start', 'restart', 'fault', 'calm']);
