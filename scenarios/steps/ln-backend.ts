// The step backend of the LDK-style model (model/ln): its disk layout, its
// snapshot, its payment hashes and its open command.
import { ARCHIVE_PREFIX, archiveKey } from '../../model/ln/archive.ts';
import { loadMonitor, MONITOR_PREFIX, monitorKey, UPDATE_PREFIX } from '../../model/ln/monitor.ts';
import { MANAGER_KEY } from '../../model/ln/node.ts';
import { hashOf, preimageFor } from '../../model/ln/payments.ts';
import type { World } from '../../sim/world.ts';
import type { LnScenarioOptions } from '../ln/build.ts';
import type { StepBackend } from './backend.ts';

/** The event types the model's nodes raise. */
export const LN_EVENTS = ['PaymentClaimable', 'PaymentClaimed', 'PaymentSent', 'PaymentFailed', 'PaymentForwarded', 'HTLCHandlingFailed', 'ChannelClosed'] as const;

interface SnapshotChannel {
  readonly id: string;
  readonly status: string;
}

/** The backend for a scenario built by buildLnSpec from these options. */
export function lnStepBackend(options: LnScenarioOptions): StepBackend {
  // buildLnSpec funds the openable channels' coins after the genesis channels, in order (its genesis layout).
  const opens: Record<string, unknown> = {};
  (options.opens?.channels ?? []).forEach((c, i) => {
    opens[c.id] = { type: 'open', channel: c.id, peer: c.fundee, capacity: c.capacity, coin: { txid: 'genesis', vout: options.channels.length + i, value: c.coin } };
  });
  return {
    monitorKeys: (channel) => {
      const snapshot = monitorKey(channel);
      const updates = `${UPDATE_PREFIX}${channel}/`;
      return (key) => key === snapshot || key.startsWith(updates) || key === archiveKey(channel);
    },
    anyMonitorKey: (key) => key.startsWith(MONITOR_PREFIX) || key.startsWith(UPDATE_PREFIX) || key.startsWith(ARCHIVE_PREFIX),
    managerKey: (key) => key === MANAGER_KEY,
    eventTypes: LN_EVENTS,
    paymentHash: (paymentId) => hashOf(preimageFor(paymentId)),
    channelStatus(world, node, channel) {
      const snapshot = world.snapshot(node) as { channels?: SnapshotChannel[]; archived?: string[] } | undefined;
      if (!snapshot) return undefined;
      const ch = snapshot.channels?.find((c) => c.id === channel);
      if (ch) return ch.status === 'open' ? 'open' : 'closed';
      return snapshot.archived?.includes(channel) ? 'closed' : undefined;
    },
    durableMonitorUpdate(world: World, node, channel) {
      const disk = world.disk(node);
      const archived = disk.readDurable(archiveKey(channel));
      if (archived !== undefined) return (JSON.parse(archived) as { updateId: number }).updateId;
      // loadMonitor reads decoded values: files stored as values come as they are, text is parsed.
      const durableValue = (k: string) => {
        const content = disk.durableContent(k);
        return typeof content === 'string' ? (JSON.parse(content) as unknown) : content;
      };
      return loadMonitor(durableValue, (p) => disk.durableKeys(p), channel)?.updateId;
    },
    openCommand: (channel) => opens[channel],
  };
}
