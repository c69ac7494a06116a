// monitor-safety: a node never sends revoke_and_ack or commitment_signed for a
// state its durable monitor does not hold, never hands out what lets funds
// move into a channel (funding_signed, the funding broadcast) before the
// channel's monitor is durable, and never broadcasts a commitment it has
// revoked. Judged against the disk's durable content at the moment the message
// or transaction leaves, so an update that is merely in memory does not count.
import type { World } from '../../../sim/world.ts';
import type { Checker } from '../../../sim/world.ts';
import { assembleMonitor, monitorKey, UPDATE_PREFIX } from '../monitor.ts';

export function monitorSafety(): Checker {
  const revokedByUs = new Map<string, number>();
  /**
   * Durable text files decoded so far, by node and key, with the text they were decoded from: a file is decoded
   * again only when its durable content changed, so a check costs the updates made durable since the last one.
   * Files written as values need no decoding.
   */
  const decodedFiles = new Map<string, { text: string; value: unknown }>();
  /** Assembled durable monitors, by node/channel, kept while that channel's monitor files are unchanged on disk. */
  const cache = new Map<string, { snapshot: number; updates: number; monitor: ReturnType<typeof assembleMonitor> }>();
  const durableMonitor = (world: World, node: string, channel: string) => {
    const disk = world.disk(node);
    const cacheKey = `${node}/${channel}`;
    const snapshot = disk.versionOf(monitorKey(channel));
    const updates = disk.versionOf(`${UPDATE_PREFIX}${channel}/`);
    let entry = cache.get(cacheKey);
    if (!entry || entry.snapshot !== snapshot || entry.updates !== updates) {
      const decoded = (key: string) => {
        const text = disk.durableContent(key);
        if (typeof text !== 'string') return text; // a value (or nothing): no decoding
        const fileKey = `${node}/${key}`;
        let file = decodedFiles.get(fileKey);
        if (file?.text !== text) {
          file = { text, value: JSON.parse(text) };
          decodedFiles.set(fileKey, file);
        }
        return file.value;
      };
      entry = { snapshot, updates, monitor: assembleMonitor(decoded, (p) => disk.durableKeys(p), channel) };
      cache.set(cacheKey, entry);
    }
    return entry.monitor;
  };
  return {
    name: 'monitor-safety',
    onRecord(r, world) {
      if (r.k === 'send' && r.n) {
        const message = r.d!.message as { type: string; channel: string; number: number };
        if (message.type === 'funding_signed') {
          // The funder may broadcast once it has our signature: our monitor must already be able to act on-chain.
          return durableMonitor(world, r.n, message.channel) ? undefined : `${r.n} sent funding_signed for ${message.channel} before its monitor was durable`;
        }
        if (message.type !== 'revoke_and_ack' && message.type !== 'commitment_signed') return undefined;
        const durable = durableMonitor(world, r.n, message.channel);
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
      if (r.k === 'broadcast' && r.n && r.d?.label === 'funding' && typeof r.d.txid === 'string') {
        const channel = r.d.txid.slice(r.d.txid.indexOf('/') + 1);
        if (!durableMonitor(world, r.n, channel)) return `${r.n} broadcast the funding of ${channel} before its monitor was durable`;
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
