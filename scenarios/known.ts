// Known runs: failing runs of a scenario that a person has triaged as a bug of
// the code under test, not of lnsim (for real LDK: an upstream rust-lightning
// bug of the pinned version, fixed later). A sweep reports such a run apart,
// with its bug reference, and does not fail on it; `lnsim run --fail-on-known`
// counts it as a violation again.
//
// A run is known only by its exact trace: the seed, the fingerprint and the
// violated invariant must all match. A changed harness, model or LDK version
// changes the fingerprint, so an entry can never hide a different failure: the
// run fails again until someone triages it anew (test/known-runs.test.ts keeps
// every entry reproducing).
import type { Violation } from '../sim/world.ts';

export interface KnownRun {
  readonly seed: number;
  /** The run's trace fingerprint (`lnsim run --scenario S --seed N --json` prints it). */
  readonly fingerprint: string;
  /** The invariant the run violates. */
  readonly invariant: string;
  /** The bug it is, as upstream names it: "rust-lightning #3772". */
  readonly bug: string;
  /** One sentence: the mechanism seen in the trace, so the next reader can check the triage. */
  readonly why: string;
}

/** The known run this outcome is, if any: same seed, same fingerprint, same violated invariant. */
export function knownRunOf(known: readonly KnownRun[] | undefined, run: { readonly seed: number; readonly fingerprint: string; readonly violation: Violation | undefined }): KnownRun | undefined {
  if (!known || !run.violation) return undefined;
  return known.find((k) => k.seed === run.seed && k.fingerprint === run.fingerprint && k.invariant === run.violation!.invariant);
}
