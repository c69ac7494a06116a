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
 * The plan's batches, lazily, in merge order: memory stays flat however many
 * seeds. A round takes the next seeds and yields one batch of them per
 * scenario. The first rounds ramp up (1, 2, 4, ... seeds) so the first
 * results, and a first violation under --stop-on-first, arrive without
 * waiting for a full batch.
 */
export function* batches(plan: SweepPlan, batchSize: number): Generator<Batch> {
  let index = 0;
  let round = 0;
  let size = 1;
  let seeds: number[] = [];
  function* roundOf(seeds: number[]): Generator<Batch> {
    for (let scenario = 0; scenario < plan.scenarios.length; scenario++) yield { index: index++, scenario, round, seeds };
    round++;
  }
  for (let seed = plan.from; seed < plan.from + plan.seeds; seed++) {
    if (!inShard(seed, plan.shard)) continue;
    seeds.push(seed);
    if (seeds.length >= Math.min(size, batchSize)) {
      size *= 2;
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
