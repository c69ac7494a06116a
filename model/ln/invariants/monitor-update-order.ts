// monitor-update-order: each monitor applies its updates strictly in update_id
// order, none twice, across restarts (a restart resumes from what loaded).
import type { Checker } from '../../../sim/world.ts';

export function monitorUpdateOrder(): Checker {
  const applied = new Map<string, number>();
  return {
    name: 'monitor-update-order',
    kinds: ['monitor-load', 'monitor-update'],
    onRecord(r) {
      if (!r.n) return undefined;
      if (r.k === 'monitor-load') applied.set(`${r.n}/${r.d!.channel}`, r.d!.updateId as number);
      if (r.k === 'monitor-update') {
        const key = `${r.n}/${r.d!.channel}`;
        const last = applied.get(key) ?? 0;
        const id = r.d!.id as number;
        if (id !== last + 1) return `${r.n}'s monitor ${r.d!.channel} at update ${last} was handed update ${id} (${id <= last ? 'applied twice' : 'a gap'})`;
        applied.set(key, id);
      }
      return undefined;
    },
  };
}
