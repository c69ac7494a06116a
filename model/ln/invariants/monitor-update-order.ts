// monitor-update-order: each monitor applies its updates strictly in update_id
// order, none twice, across restarts (a restart resumes from what loaded).
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker } from '../../../sim/world.ts';
import { PerDirection } from './ledger.ts';

/** The last update a monitor applied (0: as loaded without one; a number from birth: one field representation). */
interface Applied {
  last: number;
}

const newApplied = (): Applied => ({ last: 0 });

export function monitorUpdateOrder(): Checker {
  return new MonitorUpdateOrder();
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class MonitorUpdateOrder implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /** Per node and channel (nested: no "node/channel" text per update). */
  declare private readonly applied: PerDirection<Applied>;

  constructor() {
    this.name = 'monitor-update-order';
    this.kinds = ['monitor-load', 'monitor-update'];
    this.applied = new PerDirection<Applied>();
  }

  onRecord(r: TraceRecord): string | undefined {
    if (!r.n) return undefined;
    const d = r.d!;
    const channel = d.channel as string;
    if (r.k === 'monitor-load') {
      this.applied.entry(r.n, channel, newApplied).last = (d.updateId as number | undefined) ?? 0;
      return undefined;
    }
    if (r.k !== 'monitor-update') return undefined;
    const a = this.applied.entry(r.n, channel, newApplied);
    const last = a.last;
    const id = d.id as number;
    if (id !== last + 1) return `${r.n}'s monitor ${channel} at update ${last} was handed update ${id} (${id <= last ? 'applied twice' : 'a gap'})`;
    a.last = id;
    return undefined;
  }
}
