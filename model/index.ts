// The node model's catalogs, gathered from each part of the model.
import type { BugEntry, InvariantEntry } from './catalog.ts';
import * as ln from './ln/catalog.ts';
import * as lsps2 from './lsps2/catalog.ts';
import * as backup from './backup/catalog.ts';

export type { BugEntry, InvariantEntry } from './catalog.ts';

export const BUGS: readonly BugEntry[] = [...ln.bugs, ...lsps2.bugs, ...backup.bugs];

/** Invariants, deduplicated by name (shared ones such as no-lost-htlc and liveness are declared by several parts). */
export const INVARIANTS: readonly InvariantEntry[] = dedupe([...ln.invariants, ...lsps2.invariants, ...backup.invariants]);

function dedupe(list: InvariantEntry[]): InvariantEntry[] {
  const seen = new Set<string>();
  return list.filter((entry) => (seen.has(entry.name) ? false : (seen.add(entry.name), true)));
}

export function findBug(id: string): BugEntry | undefined {
  return BUGS.find((b) => b.id === id);
}
