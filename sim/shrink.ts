// Shrinking a failing run: search for a smaller tape (choice sequence) whose
// replay still breaks the same invariant, in no more events than the
// original. Shorter tapes and smaller values mean fewer faults and calmer
// draws, so the result is a simpler run of the same failure, and its trace
// is never longer. Generic: it knows nothing of what the scenario simulates.
//
// Two cheap passes that suit tapes come first (zero a block of draws; delete a
// block of draws), then fast-check's own shrinker on `fc.array(fc.nat())` with
// the tape as its example, then the passes again if fast-check moved. Every
// candidate is judged by a fresh deterministic run, so the verdict on a tape
// never depends on the search's history.
import fc from 'fast-check';
import { runSim, type SimSpec } from './runner.ts';

export interface ShrinkOptions {
  /**
   * Most simulation runs to spend, the replay of the original tape included.
   * When they are spent the shrinker stops and keeps the smallest failing tape
   * found so far. Default 1000 (a few seconds for runs of a few hundred events).
   */
  readonly maxRuns?: number;
  /**
   * Wall-clock budget in milliseconds (optional). Like maxRuns it stops the
   * search and keeps the best so far; unlike maxRuns it makes the result depend
   * on the machine's speed, so leave it unset where reproducible output matters.
   */
  readonly timeLimitMs?: number;
}

export const DEFAULT_SHRINK_RUNS = 1000;

export interface ShrinkResult {
  /** The smallest tape found that still breaks `invariant` (canonical: what the run consumed, trailing zeros dropped). */
  readonly tape: number[];
  /** Trace length of the shrunk run (never more than the original's). */
  readonly events: number;
  /** The invariant that the original and the shrunk run both break. */
  readonly invariant: string;
  /** Simulation runs spent (each distinct candidate runs once). */
  readonly runs: number;
  /** Accepted shrink steps (candidates that still failed). */
  readonly steps: number;
  /** True when the budget ran out before the search finished (more runs may shrink further). */
  readonly exhausted: boolean;
}

/** A failing tape in canonical form, with the length of its trace. */
export interface Failing {
  readonly tape: number[];
  readonly events: number;
}

/**
 * Whether `a` is a simpler failure than `b`: no longer a trace and a smaller
 * tape, or a shorter trace and a tape no longer. Neither measure ever grows,
 * so a shrunk repro never has a longer trace to read than the original (a
 * shorter tape alone can mean a longer run: fewer faults, more retries).
 */
export function simpler(a: Failing, b: Failing): boolean {
  return (a.events <= b.events && isSmaller(a.tape, b.tape)) || (a.events < b.events && a.tape.length <= b.tape.length);
}

/** Judges candidate tapes against one invariant, within a budget, caching verdicts. */
class Judge {
  runs = 0;
  steps = 0;
  exhausted = false;
  private readonly verdicts = new Map<string, Failing | null>();
  private readonly deadline: number;

  constructor(
    private readonly spec: SimSpec,
    readonly invariant: string,
    /**
     * A candidate fails only if it breaks the invariant within this many
     * events (the original's trace length): a longer run is not simpler, and
     * cutting runs short keeps the (mostly passing) candidates cheap. Fixed
     * up front, so the verdict on a tape never depends on the search's history.
     */
    private readonly maxEvents: number,
    private readonly maxRuns: number,
    timeLimitMs: number | undefined,
  ) {
    this.deadline = timeLimitMs === undefined ? Infinity : performance.now() + timeLimitMs;
  }

  /** The canonical failure of `candidate` if its run breaks the invariant; null if not, or if the budget is spent. */
  fails(candidate: readonly number[]): Failing | null {
    const key = candidate.join(',');
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    if (this.runs >= this.maxRuns || performance.now() > this.deadline) {
      this.exhausted = true;
      return null;
    }
    this.runs++;
    const result = runSim(this.spec, { tape: candidate, stopAfterEvent: this.maxEvents - 1 });
    const verdict = result.violation?.invariant === this.invariant && result.events <= this.maxEvents ? { tape: canonicalTape(result.tape), events: result.events } : null;
    this.verdicts.set(key, verdict);
    return verdict;
  }

  remember(failing: Failing): void {
    this.verdicts.set(failing.tape.join(','), failing);
  }
}

/**
 * Shrink `tape`, whose run of `spec` breaks an invariant, to a smaller tape
 * that breaks the same invariant. Throws if the tape does not fail at all.
 */
export function shrinkTape(spec: SimSpec, tape: readonly number[], options: ShrinkOptions = {}): ShrinkResult {
  const original = runSim(spec, { tape });
  if (original.violation === undefined) throw new Error('shrink: the tape to shrink does not fail');
  const judge = new Judge(spec, original.violation.invariant, original.events, Math.max(1, options.maxRuns ?? DEFAULT_SHRINK_RUNS), options.timeLimitMs);
  judge.runs = 1;
  let best: Failing = { tape: canonicalTape(original.tape), events: original.events };
  judge.remember(best);

  best = runPasses(judge, best);
  const afterFastCheck = fastCheckShrink(judge, best);
  if (simpler(afterFastCheck, best)) best = runPasses(judge, afterFastCheck);

  return { tape: best.tape, events: best.events, invariant: judge.invariant, runs: judge.runs, steps: judge.steps, exhausted: judge.exhausted };
}

/** The tape passes, repeated while they make progress. */
function runPasses(judge: Judge, start: Failing): Failing {
  let best = start;
  for (;;) {
    const before = best;
    best = deleteBlocks(judge, zeroBlocks(judge, best));
    if (judge.exhausted || !simpler(best, before)) return best;
  }
}

/**
 * Zero whole blocks of draws, halving the block size. 0 is the calm answer to
 * every draw, and zeroing keeps the positions of later draws, so most draws that
 * decided nothing (a fault that did not fire) become 0 at once.
 */
function zeroBlocks(judge: Judge, start: Failing): Failing {
  let best = start;
  for (let size = highestPowerOfTwo(best.tape.length); size >= 1 && !judge.exhausted; size >>= 1) {
    for (let from = 0; from < best.tape.length && !judge.exhausted; from += size) {
      const tape = best.tape;
      if (tape.slice(from, from + size).every((v) => v === 0)) continue;
      best = accept(judge, best, [...tape.slice(0, from), ...new Array<number>(Math.min(size, tape.length - from)).fill(0), ...tape.slice(from + size)]);
    }
  }
  return best;
}

/** Delete whole blocks of draws, halving the block size, from the end backwards (later draws depend on earlier ones, not the reverse). */
function deleteBlocks(judge: Judge, start: Failing): Failing {
  let best = start;
  for (let size = highestPowerOfTwo(best.tape.length); size >= 1 && !judge.exhausted; size >>= 1) {
    for (let from = best.tape.length - size; from >= 0 && !judge.exhausted; from -= size) {
      best = accept(judge, best, [...best.tape.slice(0, from), ...best.tape.slice(from + size)]);
      if (from > best.tape.length) from = best.tape.length;
    }
  }
  return best;
}

function accept(judge: Judge, best: Failing, candidate: number[]): Failing {
  const failing = judge.fails(candidate);
  if (failing === null || !simpler(failing, best)) return best;
  judge.steps++;
  return failing;
}

/** fast-check's shrinker over `fc.array(fc.nat())`, with `start` as the failing example. */
function fastCheckShrink(judge: Judge, start: Failing): Failing {
  if (judge.exhausted || start.tape.length === 0) return start;
  let best = start;
  const property = fc.property(fc.array(fc.nat({ max: Math.max(0x7fffffff, ...start.tape) })), (candidate) => {
    const failing = judge.fails(candidate);
    if (failing === null) return true;
    if (simpler(failing, best)) {
      judge.steps++;
      best = failing;
    }
    return false;
  });
  // numRuns 1: the only run is the example (examples count towards numRuns);
  // its verdict is cached, so fast-check goes straight to shrinking it.
  fc.check(property, { examples: [[start.tape]], numRuns: 1 });
  return best;
}

/** Shorter first, then smaller values in order (the order fast-check shrinks towards). */
export function isSmaller(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** A tape that replays exactly like `consumed`: the same values without the trailing zeros (a tape that runs out answers 0). */
export function canonicalTape(consumed: readonly number[]): number[] {
  let end = consumed.length;
  while (end > 0 && consumed[end - 1] === 0) end--;
  return consumed.slice(0, end);
}

function highestPowerOfTwo(n: number): number {
  if (n === 0) return 0;
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}
