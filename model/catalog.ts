// The catalogs every report, test and CLI listing refers to: planted bugs and
// invariants. Names are the contract: repro files and reports store them.

/** A switchable defect: a small named deviation of the correct model, from the public record. */
export interface BugEntry {
  readonly id: string;
  readonly title: string;
  /** Upstream issue / PR / seed the defect comes from. */
  readonly reference: string;
  /** The invariant that must catch it. */
  readonly invariant: string;
  /** The scenario most likely to expose it (hunt and the bug's test sweep it). */
  readonly scenario: string;
  /** Seeds a sweep may need to catch it (the test's bound; at most 5,000). */
  readonly maxSeeds?: number;
}

export interface InvariantEntry {
  readonly name: string;
  readonly description: string;
}
