// Sharding: one sweep split across machines (a CI matrix). Seed s of every
// scenario belongs to shard (s mod n) + 1, so shards interleave (each sees
// early and late seeds alike, and balances slow seeds) and the split does not
// depend on --from or --seeds: the union of shards 1..n is the unsharded sweep.
import { UsageError } from '../api.ts';

export interface Shard {
  /** 1-based index of this shard. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/** Parse `i/n` (1 ≤ i ≤ n); anything else is a usage error naming the form. */
export function parseShard(spec: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(spec);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new UsageError(`run: --shard needs i/n with 1 ≤ i ≤ n (e.g. --shard 2/4), got '${spec}'`);
  }
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** Whether `seed` belongs to `shard` (every seed belongs to exactly one shard of n). */
export function inShard(seed: number, shard: Shard | undefined): boolean {
  return shard === undefined || seed % shard.count === shard.index - 1;
}

/** How many seeds of `from .. from+seeds-1` the shard runs (per scenario). */
export function seedsInShard(from: number, seeds: number, shard: Shard | undefined): number {
  if (shard === undefined) return seeds;
  // Seeds s < x with s ≡ r (mod n), counted from 0, for x = from+seeds and x = from.
  const below = (x: number) => Math.floor((x - (shard.index - 1) + shard.count - 1) / shard.count);
  return below(from + seeds) - below(from);
}
