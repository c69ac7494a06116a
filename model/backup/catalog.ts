// Planted bugs and invariants of this part of the model.
import type { BugEntry, InvariantEntry } from '../catalog.ts';

export const bugs: readonly BugEntry[] = [];
export const invariants: readonly InvariantEntry[] = [];
