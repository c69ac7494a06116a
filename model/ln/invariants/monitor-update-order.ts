// monitor-update-order: each monitor applies its updates strictly in update_id
// order, none twice, across restarts (a restart resumes from what loaded).
import type { Checker } from '../../../sim/world.ts';
import { PerDirection } from './ledger.ts';

/** The last update a monitor applied (undefined: as loaded without one). */
interface Applied {
  last: number | undefined;
}

const newApplied = (): Applied => ({ last: 0 });

export function monitorUpdateOrder(): Checker {
  /** Per node and channel (nested: no "node/channel" text per update). */
  const applied = new PerDirection<Applied>();
  return {
    name: 'monitor-update-order',
    kinds: ['monitor-load', 'monitor-update'],
    onRecord(r) {
      if (!r.n) return undefined;
      const d = r.d!;
      const channel = d.channel as string;
      if (r.k === 'monitor-load') {
        applied.entry(r.n, channel, newApplied).last = d.updateId as number | undefined;
        return undefined;
      }
      if (r.k !== 'monitor-update') return undefined;
      const a = applied.entry(r.n, channel, newApplied);
      const last = a.last ?? 0;
      const id = d.id as number;
      if (id !== last + 1) return `${r.n}'s monitor ${channel} at update ${last} was handed update ${id} (${id <= last ? 'applied twice' : 'a gap'})`;
      a.last = id;
      return undefined;
    },
  };
}
