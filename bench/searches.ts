// The searches side by side: for each planted bug, runs and seconds until its
// named invariant fails under the plain swarm sweep (aiming off: NAME+plain),
// the sweep as the default mix runs it (each scenario's own aim setting, chosen
// from this measurement), aimed faults everywhere (NAME+aim) and
// coverage-guided tape mutation (fuzz; its fresh runs are the default sweep's
// seeds), each on the bug's own scenario, over the same trials (disjoint seed
// ranges). Runs are machine-independent; seconds are wall-clock and noisy on a
// shared machine. The searches are hunt's (scenarios/hunt.ts).
import { BUGS, findScenario, sweep } from '../api.ts';
import { fuzz } from '../sweep/fuzz.ts';
import { aimedScenario, plainScenario } from '../scenarios/aimed.ts';
import { HUNT_SEARCHES, type HuntSearch } from '../scenarios/hunt.ts';

export const SEARCHES = HUNT_SEARCHES;
export type SearchName = HuntSearch;
/** What the bench compares by default: the plain sweep, the default sweep (hunt's and npm start's search), fuzz. */
export const BENCH_SEARCHES: readonly SearchName[] = ['plain', 'sweep', 'fuzz'];

export interface SearchTrial {
  /** Runs up to and including the first failure of the named invariant; null when not within maxRuns. */
  readonly runs: number | null;
  readonly seconds: number;
}

export interface SearchComparison {
  readonly bug: string;
  readonly scenario: string;
  readonly invariant: string;
  readonly trials: Readonly<Partial<Record<SearchName, readonly SearchTrial[]>>>;
}

export interface CompareOptions {
  readonly bugs?: readonly string[];
  /** Default BENCH_SEARCHES. */
  readonly searches?: readonly SearchName[];
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
  const base = findScenario(bug.scenario)!;
  const started = performance.now();
  let runs: number | null = null;
  if (search === 'fuzz') {
    const outcome = fuzz({ scenarios: [base], bugs: [bug.id], seed: trial + 1, from, iterations: maxRuns, stopOnFirst: true, invariant: bug.invariant }).scenarios[0];
    if (outcome.stoppedBy === 'first-violation') runs = outcome.runs;
  } else {
    const scenario = search === 'plain' ? plainScenario(base) : search === 'aim' ? aimedScenario(base) : base;
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
  const searches = options.searches ?? BENCH_SEARCHES;
  const results: SearchComparison[] = [];
  for (const bug of BUGS.filter((b) => options.bugs === undefined || options.bugs.includes(b.id))) {
    const trials = Object.fromEntries(searches.map((s) => [s, Array.from({ length: options.trials }, (_, k) => searchTrial(s, bug.id, k, options.maxRuns, options.stride))]));
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

/** Median seconds over the trials that caught the bug (null when none did). */
export function medianSeconds(trials: readonly SearchTrial[]): number | null {
  const caught = trials.filter((t) => t.runs !== null).map((t) => t.seconds).sort((a, b) => a - b);
  if (caught.length === 0) return null;
  const mid = caught.length >> 1;
  return caught.length % 2 === 1 ? caught[mid] : (caught[mid - 1] + caught[mid]) / 2;
}

/** The side-by-side table: per bug, median runs, trials caught and median seconds per search; then "found N/M" per search. */
export function searchesTable(results: readonly SearchComparison[], searches: readonly SearchName[], trials: number, maxRuns: number): { header: string[]; rows: string[][]; totals: string } {
  const header = ['bug', 'scenario', ...searches.flatMap((s) => [`${s} runs`, 'caught', 's'])];
  const rows = results.map((r) => [
    r.bug,
    r.scenario,
    ...searches.flatMap((s) => {
      const t = r.trials[s] ?? [];
      const median = medianRuns(t);
      const seconds = medianSeconds(t);
      return [median === null ? '-' : String(median), `${t.filter((x) => x.runs !== null).length}/${trials}`, seconds === null ? '-' : seconds.toFixed(2)];
    }),
  ]);
  const found = (s: SearchName) => results.filter((r) => medianRuns(r.trials[s] ?? []) !== null).length;
  const totals = `found (median within ${maxRuns} runs): ${searches.map((s) => `${s} ${found(s)}/${results.length}`).join(', ')}`;
  return { header, rows, totals };
}
