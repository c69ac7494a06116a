// Shrinking a failing run: search for a smaller tape (choice sequence) whose
// replay still breaks the same invariant. Shorter tapes and smaller values
// mean fewer faults and calmer draws, so the result is a simpler run of the
// same failure. Generic: it knows nothing of what the scenario simulates.
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
  /** The invariant that the original and the shrunk run both break. */
  readonly invariant: string;
  /** Simulation runs spent (each distinct candidate runs once). */
  readonly runs: number;
  /** Accepted shrink steps (candidates that still failed). */
  readonly steps: number;
  /** True when the budget ran out before the search finished (more runs may shrink further). */
  readonly exhausted: boolean;
}

/** Judges candidate tapes against one invariant, within a budget, caching verdicts. */
class Judge {
  runs = 0;
  steps = 0;
  exhausted = false;
  private readonly verdicts = new Map<string, number[] | null>();
  private readonly deadline: number;

  constructor(
    private readonly spec: SimSpec,
    readonly invariant: string,
    /** Runs longer than this without failing count as not failing: they are not simpler, and cutting them short keeps passing candidates cheap. */
    private readonly eventLimit: number,
    private readonly maxRuns: number,
    timeLimitMs: number | undefined,
  ) {
    this.deadline = timeLimitMs === undefined ? Infinity : performance.now() + timeLimitMs;
  }

  /** The canonical form of `candidate` if its run breaks the invariant; null if not, or if the budget is spent. */
  fails(candidate: readonly number[]): number[] | null {
    const key = candidate.join(',');
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    if (this.runs >= this.maxRuns || performance.now() > this.deadline) {
      this.exhausted = true;
      return null;
    }
    this.runs++;
    const result = runSim(this.spec, { tape: candidate, stopAfterEvent: this.eventLimit });
    const verdict = result.violation?.invariant === this.invariant ? canonicalTape(result.tape) : null;
    this.verdicts.set(key, verdict);
    return verdict;
  }

  remember(tape: readonly number[], canonical: number[]): void {
    this.verdicts.set(tape.join(','), canonical);
  }
}

/**
 * Shrink `tape`, whose run of `spec` breaks an invariant, to a smaller tape
 * that breaks the same invariant. Throws if the tape does not fail at all.
 */
export function shrinkTape(spec: SimSpec, tape: readonly number[], options: ShrinkOptions = {}): ShrinkResult {
  const original = runSim(spec, { tape });
  if (original.violation === undefined) throw new Error('shrink: the tape to shrink does not fail');
  const judge = new Judge(spec, original.violation.invariant, 2 * original.events + 100, Math.max(1, options.maxRuns ?? DEFAULT_SHRINK_RUNS), options.timeLimitMs);
  judge.runs = 1;
  let best = canonicalTape(original.tape);
  judge.remember(best, best);

  best = runPasses(judge, best);
  const afterFastCheck = fastCheckShrink(judge, best);
  if (isSmaller(afterFastCheck, best)) best = runPasses(judge, afterFastCheck);

  return { tape: best, invariant: judge.invariant, runs: judge.runs, steps: judge.steps, exhausted: judge.exhausted };
}

/** The tape passes, repeated while they make progress. */
function runPasses(judge: Judge, start: number[]): number[] {
  let best = start;
  for (;;) {
    const before = best;
    best = deleteBlocks(judge, zeroBlocks(judge, best));
    if (judge.exhausted || !isSmaller(best, before)) return best;
  }
}

/**
 * Zero whole blocks of draws, halving the block size. 0 is the calm answer to
 * every draw, and zeroing keeps the positions of later draws, so most draws that
 * decided nothing (a fault that did not fire) become 0 at once.
 */
function zeroBlocks(judge: Judge, start: number[]): number[] {
  let best = start;
  for (let size = highestPowerOfTwo(best.length); size >= 1 && !judge.exhausted; size >>= 1) {
    for (let from = 0; from < best.length && !judge.exhausted; from += size) {
      if (best.slice(from, from + size).every((v) => v === 0)) continue;
      const candidate = [...best.slice(0, from), ...new Array<number>(Math.min(size, best.length - from)).fill(0), ...best.slice(from + size)];
      best = accept(judge, best, candidate);
    }
  }
  return best;
}

/** Delete whole blocks of draws, halving the block size, from the end backwards (later draws depend on earlier ones, not the reverse). */
function deleteBlocks(judge: Judge, start: number[]): number[] {
  let best = start;
  for (let size = highestPowerOfTwo(best.length); size >= 1 && !judge.exhausted; size >>= 1) {
    for (let from = best.length - size; from >= 0 && !judge.exhausted; from -= size) {
      best = accept(judge, best, [...best.slice(0, from), ...best.slice(from + size)]);
      if (from > best.length) from = best.length;
    }
  }
  return best;
}

function accept(judge: Judge, best: number[], candidate: number[]): number[] {
  const canonical = judge.fails(candidate);
  if (canonical === null || !isSmaller(canonical, best)) return best;
  judge.steps++;
  return canonical;
}

/** fast-check's shrinker over `fc.array(fc.nat())`, with `start` as the failing example. */
function fastCheckShrink(judge: Judge, start: number[]): number[] {
  if (judge.exhausted || start.length === 0) return start;
  let best = start;
  const property = fc.property(fc.array(fc.nat({ max: Math.max(0x7fffffff, ...start) })), (candidate) => {
    const canonical = judge.fails(candidate);
    if (canonical === null) return true;
    if (isSmaller(canonical, best)) {
      judge.steps++;
      best = canonical;
    }
    return false;
  });
  // numRuns 1: the only run is the example (examples count towards numRuns);
  // its verdict is cached, so fast-check goes straight to shrinking it.
  fc.check(property, { examples: [[start]], numRuns: 1 });
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
