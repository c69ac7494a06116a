// monitor-safety: a node never sends revoke_and_ack or commitment_signed for a
// state its durable monitor does not hold, and never broadcasts a commitment
// it has revoked. Judged against the disk's durable content at the moment the
// message leaves, so an update that is merely in memory does not count.
import type { Checker } from '../../../sim/world.ts';
import { loadMonitor } from '../monitor.ts';

export function monitorSafety(): Checker {
  const revokedByUs = new Map<string, number>();
  /** Decoded durable monitors, by node/channel, valid while the disk's durable version is unchanged. */
  const cache = new Map<string, { version: number; monitor: ReturnType<typeof loadMonitor> }>();
  return {
    name: 'monitor-safety',
    onRecord(r, world) {
      if (r.k === 'send' && r.n) {
        const message = r.d!.message as { type: string; channel: string; number: number };
        if (message.type !== 'revoke_and_ack' && message.type !== 'commitment_signed') return undefined;
        const disk = world.disk(r.n);
        const cacheKey = `${r.n}/${message.channel}`;
        let entry = cache.get(cacheKey);
        if (!entry || entry.version !== disk.version) {
          entry = { version: disk.version, monitor: loadMonitor((k) => disk.readDurable(k), (p) => disk.durableKeys(p), message.channel) };
          cache.set(cacheKey, entry);
        }
        const durable = entry.monitor;
        if (!durable) return `${r.n} sent ${message.type} on ${message.channel} with no durable monitor`;
        if (message.type === 'revoke_and_ack') {
          const key = `${r.n}/${message.channel}`;
          revokedByUs.set(key, Math.max(revokedByUs.get(key) ?? -1, message.number));
          if (durable.holderCommitment.number < message.number + 1) {
            return `${r.n} revoked commitment ${message.number} on ${message.channel} while its durable monitor holds commitment ${durable.holderCommitment.number} (the new one is not yet persisted)`;
          }
        } else if (!durable.counterpartyCommitments.some((c) => c.number >= message.number)) {
          return `${r.n} sent commitment_signed ${message.number} on ${message.channel} before its monitor durably knew that counterparty commitment`;
        }
      }
      if (r.k === 'broadcast' && r.n && typeof r.d?.txid === 'string' && r.d.txid.startsWith('commit/')) {
        const [, channel, holder, number] = r.d.txid.split('/');
        if (holder === r.n && Number(number) <= (revokedByUs.get(`${r.n}/${channel}`) ?? -1)) {
          return `${r.n} broadcast its revoked commitment ${number} of ${channel}`;
        }
      }
      return undefined;
    },
  };
}
