// Coverage-guided tape mutation: a search that aims, not just samples. Per
// scenario it keeps a corpus of tapes whose runs reached coverage points
// (sim/coverage.ts) no earlier run reached, and spends half its runs on
// mutants of them (sim/mutate.ts); the other half are fresh seeds, in order
// from `from`, exactly the runs a sweep of the scenario makes (so the search
// never falls far behind the sweep on what seeds find quickly). Parents are
// drawn by rarity: an entry weighs the sum over its points of 1 / (runs that
// reached the point), so the runs that reached what few others reached get
// the mutants, and as their mutants reach it too their weight falls (AFL's
// favoured entries and FairFuzz's rare branches, in one formula). Given its seed and
// an iteration count the search is deterministic: the same runs, the same
// fingerprints, the same findings. A wall-clock budget only cuts it short.
// Wall-clock time is read here, between simulations, never inside one.
import seedrandom from 'seedrandom';
import type { Violation } from '../sim/world.ts';
import { CoverageTracker, countHits } from '../sim/coverage.ts';
import { faultPositions, mutateTape, type MutationKind } from '../sim/mutate.ts';
import { runSim, type SimSpec } from '../sim/runner.ts';
import { canonicalTape } from '../sim/shrink.ts';
import type { Scenario } from '../scenarios/scenario.ts';

export interface FuzzOptions {
  readonly scenarios: readonly Scenario[];
  /** Planted bugs switched on. */
  readonly bugs?: readonly string[];
  /** Seeds the search's own generator (which parent, which mutation). Default 1. */
  readonly seed?: number;
  /** First seed of the fresh runs. Default 1. */
  readonly from?: number;
  /** Runs per scenario (the deterministic bound). Default: no bound but the budget. */
  readonly iterations?: number;
  /** Wall-clock seconds for the whole search, shared evenly by the scenarios. Default: none (then iterations is required). */
  readonly budgetSeconds?: number;
  /** Stop a scenario at its first violation (of `invariant`, if given). */
  readonly stopOnFirst?: boolean;
  /** With stopOnFirst: only a violation of this invariant stops the scenario (hunting one planted bug). */
  readonly invariant?: string;
  /** Share of runs that are fresh seeds once the corpus is seeded. Default 0.5. */
  readonly freshShare?: number;
  /** After each run (live progress). */
  readonly onRun?: (run: FuzzRun) => void;
}

export interface FuzzRun {
  readonly scenario: string;
  /** 1-based run number within the scenario. */
  readonly iteration: number;
  /** The seed, for a fresh run; null for a mutant. */
  readonly seed: number | null;
  readonly mutation: MutationKind | null;
  readonly fingerprint: string;
  readonly events: number;
  readonly violation: Violation | undefined;
  /** Coverage points this run reached first. */
  readonly newPoints: number;
}

export interface FuzzFailure {
  readonly scenario: string;
  readonly invariant: string;
  readonly message: string;
  /** The run that found it first. */
  readonly iteration: number;
  readonly seed: number | null;
  /** Its canonical tape: replaying it reproduces the run. */
  readonly tape: readonly number[];
  readonly fingerprint: string;
  readonly events: number;
  /** Violations of this invariant in the scenario. */
  violations: number;
}

export interface FuzzScenarioOutcome {
  readonly scenario: string;
  runs: number;
  fresh: number;
  mutants: number;
  events: number;
  /** Corpus entries (runs that reached new coverage). */
  corpus: number;
  /** Distinct coverage points reached. */
  coverage: number;
  violations: number;
  /** One per invariant broken, in order of discovery. */
  readonly failures: FuzzFailure[];
  stoppedBy: 'iterations' | 'budget' | 'first-violation';
  seconds: number;
}

export interface FuzzOutcome {
  readonly seed: number;
  readonly bugs: readonly string[];
  readonly scenarios: readonly FuzzScenarioOutcome[];
  readonly runs: number;
  readonly violations: number;
  readonly seconds: number;
}

/** Fresh runs before mutation starts: the corpus needs some material. */
const WARM_UP_RUNS = 8;
/** Default share of fresh seeds among the runs. */
export const DEFAULT_FRESH_SHARE = 0.5;

/** Run the search over every scenario, one after another, in this thread. */
export function fuzz(options: FuzzOptions): FuzzOutcome {
  if (options.iterations === undefined && options.budgetSeconds === undefined) throw new Error('fuzz: give iterations, a budget in seconds, or both');
  const started = performance.now();
  const bugs = [...(options.bugs ?? [])].sort();
  const perScenarioSeconds = options.budgetSeconds === undefined ? undefined : options.budgetSeconds / Math.max(1, options.scenarios.length);
  const scenarios = options.scenarios.map((scenario) => fuzzScenario(scenario, bugs, options, perScenarioSeconds));
  return {
    seed: options.seed ?? 1,
    bugs,
    scenarios,
    runs: scenarios.reduce((n, s) => n + s.runs, 0),
    violations: scenarios.reduce((n, s) => n + s.violations, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

interface Entry {
  readonly tape: readonly number[];
  /** Positions of its fault decisions: where mutations aim. */
  readonly faults: readonly number[];
  /** The coverage points its run reached. */
  readonly points: readonly string[];
}

/** A corpus entry drawn with weight Σ 1/hits over its points: rare points weigh most. */
function pickByRarity(corpus: readonly Entry[], hits: ReadonlyMap<string, number>, rng: () => number): Entry {
  const weights = corpus.map((e) => e.points.reduce((w, p) => w + 1 / hits.get(p)!, 0));
  let x = rng() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < corpus.length; i++) {
    x -= weights[i];
    if (x < 0) return corpus[i];
  }
  return corpus[corpus.length - 1];
}

function fuzzScenario(scenario: Scenario, bugs: readonly string[], options: FuzzOptions, seconds: number | undefined): FuzzScenarioOutcome {
  const started = performance.now();
  const deadline = seconds === undefined ? Infinity : started + seconds * 1000;
  const spec: SimSpec = scenario.build(new Set(bugs));
  const rng = seedrandom.alea(`lnsim-fuzz/${options.seed ?? 1}/${scenario.name}`);
  const from = options.from ?? 1;
  const freshShare = options.freshShare ?? DEFAULT_FRESH_SHARE;
  const limit = options.iterations ?? Infinity;
  /** Per coverage point: how many runs reached it. */
  const hits = new Map<string, number>();
  const corpus: Entry[] = [];
  const outcome: FuzzScenarioOutcome = { scenario: scenario.name, runs: 0, fresh: 0, mutants: 0, events: 0, corpus: 0, coverage: 0, violations: 0, failures: [], stoppedBy: 'iterations', seconds: 0 };

  while (outcome.runs < limit) {
    if (performance.now() >= deadline) {
      outcome.stoppedBy = 'budget';
      break;
    }
    // Every decision of the search is drawn here, before the run, so the run never shifts them.
    const fresh = corpus.length === 0 || outcome.runs < WARM_UP_RUNS || rng() < freshShare;
    const tracker = new CoverageTracker();
    const onRecord = tracker.observe.bind(tracker);
    let seed: number | null = null;
    let mutation: MutationKind | null = null;
    let result;
    if (fresh) {
      seed = from + outcome.fresh;
      outcome.fresh++;
      result = runSim(spec, { seed, onRecord, recordLabels: true });
    } else {
      const parent = pickByRarity(corpus, hits, rng);
      const partner = corpus[Math.floor(rng() * corpus.length)];
      const mutant = mutateTape(parent.tape, partner.tape, rng, parent.faults);
      mutation = mutant.kind;
      outcome.mutants++;
      result = runSim(spec, { tape: mutant.tape, onRecord, recordLabels: true });
    }
    outcome.runs++;
    outcome.events += result.events;
    const newPoints = countHits(hits, tracker.points);
    if (newPoints > 0) {
      const tape = canonicalTape(result.tape);
      corpus.push({ tape, faults: faultPositions(result.labels!.slice(0, tape.length)), points: [...tracker.points] });
    }
    const run: FuzzRun = { scenario: scenario.name, iteration: outcome.runs, seed, mutation, fingerprint: result.fingerprint, events: result.events, violation: result.violation, newPoints };
    options.onRun?.(run);
    const violation = result.violation;
    if (violation) {
      outcome.violations++;
      const known = outcome.failures.find((f) => f.invariant === violation.invariant);
      if (known) known.violations++;
      else {
        outcome.failures.push({
          scenario: scenario.name,
          invariant: violation.invariant,
          message: violation.message,
          iteration: outcome.runs,
          seed,
          tape: canonicalTape(result.tape),
          fingerprint: result.fingerprint,
          events: result.events,
          violations: 1,
        });
      }
      if (options.stopOnFirst && (options.invariant === undefined || violation.invariant === options.invariant)) {
        outcome.stoppedBy = 'first-violation';
        break;
      }
    }
  }
  outcome.corpus = corpus.length;
  outcome.coverage = hits.size;
  outcome.seconds = (performance.now() - started) / 1000;
  return outcome;
}
