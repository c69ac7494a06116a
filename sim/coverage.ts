// A cheap, deterministic coverage abstraction over trace records, for
// coverage-guided search (sweep/fuzz.ts). It knows no Lightning: a point is
// "at node N, a record of this signature (kind + key class / message type /
// timer tag, sim/aim.ts) happened while N had writes of these kinds of file
// stalled, after this many restarts". So a manager write stalled while a
// monitor update goes through, a claim replayed after a second restart, a
// message delivered with a monitor stalled: each is a point of its own, and a
// run that reaches one no earlier run reached is worth mutating.
// Coarse on purpose: the stalled context names kinds of file (`manager`,
// `monitor-update`), not which channel's, and restarts count 0, 1, 2+. With
// finer points (every channel's key class, every combination) a third of all
// runs looked new, the corpus grew with every run and the search never focused.
import { keyClass, recordSignature } from './aim.ts';
import type { TraceRecord } from './trace.ts';

/** Records that say nothing about the protocol's state. */
const IGNORED = new Set(['violation', 'end']);

/** Restart counts are bucketed: 0, 1, 2+. */
const RESTART_BUCKETS = 2;

/** The kind of file a key is, for the stalled context: its first path segment without digits (`monitor-update/ab/3` → `monitor-update`). */
export function fileKind(key: string): string {
  const slash = key.indexOf('/');
  return keyClass(slash < 0 ? key : key.slice(0, slash));
}

/** Collects the coverage points of one run from its records, as they are appended. */
export class CoverageTracker {
  readonly points = new Set<string>();
  /** Per node: key classes with a stalled write (cleared by the node's crash, or the calm phase). */
  private readonly stalled = new Map<string, Set<string>>();
  private readonly restarts = new Map<string, number>();

  observe(record: TraceRecord): void {
    if (IGNORED.has(record.k)) return;
    const node = record.n;
    if (record.k === 'calm') {
      this.stalled.clear();
      this.points.add('calm');
      return;
    }
    if (node === undefined) {
      this.points.add(recordSignature(record));
      return;
    }
    if (record.k === 'crash') this.stalled.delete(node);
    if (record.k === 'restart') this.restarts.set(node, (this.restarts.get(node) ?? 0) + 1);
    const stalled = this.stalled.get(node);
    const context = `${stalled ? [...stalled].sort().join(',') : ''}|r${Math.min(RESTART_BUCKETS, this.restarts.get(node) ?? 0)}`;
    this.points.add(`${node}|${recordSignature(record)}|${context}`);
    if ((record.k === 'write' || record.k === 'rename') && record.d?.status === 'stalled') {
      const key = String(record.k === 'write' ? record.d.key : record.d.to);
      let set = stalled;
      if (!set) this.stalled.set(node, (set = new Set()));
      set.add(fileKind(key));
    }
  }
}

/** Counts a run's points into `hits` (runs per point); returns how many points the run reached first. */
export function countHits(hits: Map<string, number>, run: ReadonlySet<string>): number {
  let fresh = 0;
  for (const point of run) {
    const n = hits.get(point) ?? 0;
    if (n === 0) fresh++;
    hits.set(point, n + 1);
  }
  return fresh;
}
