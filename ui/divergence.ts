// Explaining why a replay does not match its recording: the first draw whose
// label differs (the run took another path from there), never a bare hash
// mismatch.
import type { Violation } from '../sim/world.ts';

/** What a recording (repro file) or a replay says about one run. */
export interface RunSummary {
  readonly fingerprint: string;
  readonly events: number;
  readonly violation: Pick<Violation, 'invariant'> | null | undefined;
  /** Draw labels, in draw order (absent in repros recorded without them). */
  readonly labels?: readonly string[] | undefined;
  readonly tapeLength: number;
}

/** undefined when the runs match; else one line naming the first difference. */
export function describeDivergence(expected: RunSummary, actual: RunSummary): string | undefined {
  if (expected.fingerprint === actual.fingerprint) return undefined;
  const outcome = (r: RunSummary) => `${r.events} events, ${r.violation ? `violation of ${r.violation.invariant}` : 'no violation'}`;
  const both = `(expected ${outcome(expected)}; got ${outcome(actual)})`;
  if (expected.labels === undefined || actual.labels === undefined) {
    return `the trace differs, and the recording has no draw labels to point at the first divergent draw ${both}`;
  }
  const first = firstDifference(expected.labels, actual.labels);
  if (first === undefined) return `every draw matches (${expected.labels.length} draws) but the trace differs: the model's behaviour or trace changed ${both}`;
  const show = (labels: readonly string[]) => (first < labels.length ? `'${labels[first]}'` : 'no more draws');
  return `first divergence at draw ${first}: expected ${show(expected.labels)}, got ${show(actual.labels)} ${both}`;
}

function firstDifference(a: readonly string[], b: readonly string[]): number | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return undefined;
}
