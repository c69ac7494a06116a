// The searches side by side: for each planted bug, runs and seconds until its
// named invariant fails under the plain swarm sweep (hunt's search), the sweep
// with aimed faults (NAME+aim), and coverage-guided tape mutation (fuzz), each
// on the bug's own scenario, over the same trials (disjoint seed ranges). Runs
// are machine-independent; seconds are wall-clock and noisy on a shared machine.
import { BUGS, findScenario, sweep } from '../api.ts';
import { fuzz } from '../sweep/fuzz.ts';

export const SEARCHES = ['sweep', 'aim', 'fuzz'] as const;
export type SearchName = (typeof SEARCHES)[number];

export interface SearchTrial {
  /** Runs up to and including the first failure of the named invariant; null when not within maxRuns. */
  readonly runs: number | null;
  readonly seconds: number;
}

export interface SearchComparison {
  readonly bug: string;
  readonly scenario: string;
  readonly invariant: string;
  readonly trials: Readonly<Record<SearchName, readonly SearchTrial[]>>;
}

export interface CompareOptions {
  readonly bugs?: readonly string[];
  readonly trials: number;
  /** Runs per trial before it counts as not caught. */
  readonly maxRuns: number;
  /** Trial k sweeps from seed 1 + k * stride (and fuzzes with search seed k + 1). */
  readonly stride?: number;
  readonly onBug?: (result: SearchComparison) => void;
}

/** One trial of one search: runs until the bug's invariant fails. */
export function searchTrial(search: SearchName, bugId: string, trial: number, maxRuns: number, stride = 1_000_000): SearchTrial {
  const bug = BUGS.find((b) => b.id === bugId)!;
  const from = 1 + trial * stride;
  const started = performance.now();
  let runs: number | null = null;
  if (search === 'fuzz') {
    const outcome = fuzz({ scenarios: [findScenario(`${bug.scenario}+plain`)!], bugs: [bug.id], seed: trial + 1, from, iterations: maxRuns, stopOnFirst: true, invariant: bug.invariant }).scenarios[0];
    if (outcome.stoppedBy === 'first-violation') runs = outcome.runs;
  } else {
    const scenario = findScenario(`${bug.scenario}${search === 'aim' ? '+aim' : '+plain'}`)!;
    let n = 0;
    sweep({
      scenarios: [scenario],
      from,
      seeds: maxRuns,
      bugs: [bug.id],
      onRun: (run) => {
        n++;
        if (run.violation?.invariant !== bug.invariant) return true;
        runs = n;
        return false;
      },
    });
  }
  return { runs, seconds: (performance.now() - started) / 1000 };
}

export function compareSearches(options: CompareOptions): SearchComparison[] {
  const results: SearchComparison[] = [];
  for (const bug of BUGS.filter((b) => options.bugs === undefined || options.bugs.includes(b.id))) {
    const trials = Object.fromEntries(SEARCHES.map((s) => [s, Array.from({ length: options.trials }, (_, k) => searchTrial(s, bug.id, k, options.maxRuns, options.stride))])) as Record<SearchName, SearchTrial[]>;
    const result = { bug: bug.id, scenario: bug.scenario, invariant: bug.invariant, trials };
    results.push(result);
    options.onBug?.(result);
  }
  return results;
}

/** Median runs over the trials, counting a miss as more than maxRuns (so a majority of misses gives null). */
export function medianRuns(trials: readonly SearchTrial[]): number | null {
  const sorted = trials.map((t) => t.runs ?? Infinity).sort((a, b) => a - b);
  const mid = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return Number.isFinite(mid) ? mid : null;
}

export const totalSeconds = (trials: readonly SearchTrial[]) => trials.reduce((s, t) => s + t.seconds, 0);
