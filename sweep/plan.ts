// What a sweep runs: scenarios × a seed range, optionally one shard of it,
// cut into batches in a fixed order: rounds of consecutive seeds, each round
// one batch per scenario. Seeds come first, so a sweep cut short (Ctrl-C, a
// time box, --stop-on-first) has covered every scenario evenly; the engine
// merges a round's runs seed by seed (scenarios in plan order), which is the
// order a single-threaded sweep runs in, whatever order the workers finish.
import { inShard, seedsInShard, type Shard } from './shard.ts';

export interface SweepPlan {
  /** Scenario specs as the user gave them: built-in names or module paths (loaded in every worker). */
  readonly scenarios: readonly string[];
  /** Planted bugs switched on (sorted). */
  readonly bugs: readonly string[];
  /** First seed of the range. */
  readonly from: number;
  /** Seeds per scenario in the whole (unsharded) range. */
  readonly seeds: number;
  /** Run only this shard's seeds of the range. */
  readonly shard?: Shard;
}

export interface Batch {
  /** Position in the merge order (0, 1, 2, ...). */
  readonly index: number;
  /** Index into plan.scenarios. */
  readonly scenario: number;
  /** The round: batches of one round share their seeds, one per scenario, indices round*n .. round*n+n-1. */
  readonly round: number;
  /** Seeds, ascending. */
  readonly seeds: readonly number[];
}

/** Runs the plan makes in total (all scenarios, this shard). */
export function plannedRuns(plan: SweepPlan): number {
  return plan.scenarios.length * seedsInShard(plan.from, plan.seeds, plan.shard);
}

/**
 * While a sweep's threads warm up, V8 optimises the model's code for the object shapes it has seen so far, and
 * throws the code away (a deopt, then a re-compile) when a scenario brings new ones. Short batches interleave the
 * scenarios sooner, so the first optimised code already covers most of them: over a thread's first ~2,600 runs of
 * the default mix, batches of 8 seeds measured ~4% less CPU and ~28% fewer deopts than batches of 50.
 * Merging is seed by seed whatever the batches, so they change no report.
 */
export const WARM_UP_BATCH = 8;
/** Seeds of a sweep (per scenario) batched at most WARM_UP_BATCH at a time: about a thread's warm-up in `npm start`. */
export const WARM_UP_SEEDS = 200;

/**
 * The plan's batches, lazily, in merge order: memory stays flat however many
 * seeds. A round takes the next seeds and yields one batch of them per
 * scenario. The first rounds ramp up (1, 2, 4, ... seeds) so the first
 * results, and a first violation under --stop-on-first, arrive without
 * waiting for a full batch; over the first WARM_UP_SEEDS seeds batches stay
 * at most WARM_UP_BATCH seeds (see there).
 */
export function* batches(plan: SweepPlan, batchSize: number): Generator<Batch> {
  let index = 0;
  let round = 0;
  let size = 1;
  let batched = 0;
  let seeds: number[] = [];
  function* roundOf(seeds: number[]): Generator<Batch> {
    for (let scenario = 0; scenario < plan.scenarios.length; scenario++) yield { index: index++, scenario, round, seeds };
    round++;
  }
  for (let seed = plan.from; seed < plan.from + plan.seeds; seed++) {
    if (!inShard(seed, plan.shard)) continue;
    seeds.push(seed);
    if (seeds.length >= Math.min(size, batchSize)) {
      batched += seeds.length;
      size = batched < WARM_UP_SEEDS ? Math.min(size * 2, WARM_UP_BATCH) : size * 2;
      yield* roundOf(seeds);
      seeds = [];
    }
  }
  if (seeds.length > 0) yield* roundOf(seeds);
}

/**
 * Seeds per batch: small enough that every worker gets many batches (balance,
 * prompt Ctrl-C), large enough that messaging is noise next to the runs.
 */
export function defaultBatchSize(totalRuns: number, workers: number): number {
  return Math.max(1, Math.min(50, Math.ceil(totalRuns / (Math.max(1, workers) * 16))));
}
