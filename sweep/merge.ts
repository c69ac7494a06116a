// Joining shard reports: every shard of one sweep (same scenarios, bugs, seed
// range and harness, shards 1..n each once) becomes one report whose totals
// are those of the unsharded sweep. The repro of each distinct failure is
// taken from the shard that found its smallest seed and copied over.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../api.ts';
import { replayCommand } from '../reports/junit.ts';
import { rate, readReport, round3, REPORT_SCHEMA, type Report, type ReportInvariant, type ReportRepro, type ReportViolation } from '../reports/report.ts';
import { writeJsonAtomic, writeReportFiles } from '../reports/write.ts';
import { removeStaleRepros, REPROS_DIR } from './repros.ts';
import { combineDigests } from './digest.ts';

export interface ShardReport {
  /** The directory it was read from (repro files are relative to it). */
  readonly dir: string;
  readonly report: Report;
}

/** Join shard reports into one report (no files touched). */
export function mergeReports(shards: readonly ShardReport[]): Report {
  if (shards.length === 0) throw new UsageError('merge: give the report directories of every shard (npx lnsim merge DIR... --report OUT)');
  checkSameSweep(shards);
  const first = shards[0].report;
  const count = checkShards(shards);
  const sorted = [...shards].sort((a, b) => a.report.shard!.index - b.report.shard!.index);

  const scenarios = first.scenarios.map((s, i) => {
    const parts = sorted.map((p) => p.report.scenarios[i]);
    return { ...s, runs: sum(parts.map((p) => p.runs)), events: sum(parts.map((p) => p.events)), violations: sum(parts.map((p) => p.violations)), known: sum(parts.map((p) => p.known)) };
  });
  const order = new Map(first.scenarios.map((s, i) => [s.name, i]));

  // Per invariant: totals summed, the first seed and its repro from the shard that holds it.
  const invariantKey = (i: { scenario: string; invariant: string }) => `${i.scenario}\u0000${i.invariant}`;
  const invariants = new Map<string, ReportInvariant>();
  for (const part of sorted) {
    for (const inv of part.report.invariants) {
      const key = invariantKey(inv);
      const seen = invariants.get(key);
      if (!seen) {
        invariants.set(key, { ...inv });
        continue;
      }
      const takeNew = inv.firstSeed !== null && (seen.firstSeed === null || inv.firstSeed < seen.firstSeed);
      invariants.set(key, {
        ...seen,
        runs: seen.runs + inv.runs,
        violations: seen.violations + inv.violations,
        firstSeed: takeNew ? inv.firstSeed : seen.firstSeed,
        repro: takeNew ? inv.repro : seen.repro,
      });
    }
  }
  const byScenario = (a: { scenario: string }, b: { scenario: string }) => (order.get(a.scenario) ?? 0) - (order.get(b.scenario) ?? 0);
  const mergedInvariants = [...invariants.values()].sort(byScenario);

  // One repro per distinct failure: the smallest seed's.
  const repros: ReportRepro[] = [];
  for (const inv of mergedInvariants) {
    if (inv.firstSeed === null) continue;
    const entry = sorted.flatMap((p) => p.report.repros).find((r) => r.scenario === inv.scenario && r.invariant === inv.invariant && r.seed === inv.firstSeed);
    if (entry) repros.push(entry);
  }
  const reproFiles = new Set(repros.map((r) => r.file));

  const violations: ReportViolation[] = sorted
    .flatMap((p) => p.report.violations)
    .map((v) => ({ ...v, repro: v.repro !== null && reproFiles.has(v.repro) ? v.repro : null }))
    .sort((a, b) => byScenario(a, b) || a.seed - b.seed);

  const runs = sum(sorted.map((p) => p.report.runs));
  const events = sum(sorted.map((p) => p.report.events));
  // Shards run side by side: the merged sweep took as long as its slowest shard.
  const elapsedSeconds = Math.max(...sorted.map((p) => p.report.timing.elapsedSeconds));
  return {
    schema: REPORT_SCHEMA,
    harness: first.harness,
    kind: 'merge',
    scenarios,
    bugs: first.bugs,
    seeds: first.seeds,
    shard: null,
    mergedShards: count,
    stopOnFirst: first.stopOnFirst,
    runs,
    events,
    violationCount: sum(sorted.map((p) => p.report.violationCount)),
    invariants: mergedInvariants,
    violations,
    violationsOmitted: sum(sorted.map((p) => p.report.violationsOmitted)),
    known: sorted.flatMap((p) => p.report.known).sort((a, b) => byScenario(a, b) || a.seed - b.seed),
    repros,
    timing: { elapsedSeconds: round3(elapsedSeconds), runsPerSecond: rate(runs, elapsedSeconds), eventsPerSecond: rate(events, elapsedSeconds), workers: sum(sorted.map((p) => p.report.timing.workers)) },
    interrupted: sorted.some((p) => p.report.interrupted),
    stoppedOnFirst: sorted.some((p) => p.report.stoppedOnFirst),
    // Shards partition the runs, so their multiset digests add up to the unsharded sweep's (sweep/digest.ts).
    digest: sorted.every((p) => p.report.digest !== null) ? combineDigests(sorted.map((p) => p.report.digest!)) : null,
  };
}

/** Read shard report directories, merge them, and write the merged report (with its repro files) to `outDir`. */
export function mergeReportDirs(dirs: readonly string[], outDir: string, displayOut: string = outDir): Report {
  const out = resolve(outDir);
  for (const dir of dirs) if (resolve(dir) === out) throw new UsageError(`merge: the output directory '${outDir}' is one of the inputs: pick another with --report OUT`);
  const shards = dirs.map((dir) => ({ dir, report: readReport(dir) }));
  const merged = mergeReports(shards);
  for (const repro of merged.repros) {
    const source = shards.find((s) => s.report.repros.includes(repro));
    if (!source) continue;
    const from = join(source.dir, repro.file);
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(readFileSync(from, 'utf8')) as Record<string, unknown>;
    } catch {
      throw new UsageError(`merge: repro file '${from}' is missing or unreadable: copy the shard's whole report directory`);
    }
    writeJsonAtomic(join(outDir, repro.file), { ...data, command: replayCommand(displayOut, repro.file) });
  }
  removeStaleRepros(join(outDir, REPROS_DIR), new Set(merged.repros.map((r) => r.file.slice(REPROS_DIR.length + 1))));
  writeReportFiles(outDir, merged, displayOut);
  return merged;
}

function checkSameSweep(shards: readonly ShardReport[]): void {
  const first = shards[0];
  const describe = (r: Report) => ({
    harness: r.harness,
    scenarios: r.scenarios.map((s) => `${s.name}=${s.source}`).join(','),
    bugs: r.bugs.join(','),
    seeds: `${r.seeds.from}+${r.seeds.count}`,
    stopOnFirst: String(r.stopOnFirst),
  });
  const expected = describe(first.report);
  for (const shard of shards.slice(1)) {
    const got = describe(shard.report);
    for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
      if (got[key] !== expected[key]) {
        throw new UsageError(`merge: '${shard.dir}' is from another sweep (${key} ${JSON.stringify(got[key])}, '${first.dir}' has ${JSON.stringify(expected[key])}): merge the shards of one sweep`);
      }
    }
  }
}

/** Every report must be a shard of the same n, each of 1..n exactly once; returns n. */
function checkShards(shards: readonly ShardReport[]): number {
  const seen = new Map<number, string>();
  let count: number | undefined;
  for (const { dir, report } of shards) {
    if (report.shard === null) throw new UsageError(`merge: '${dir}' is not a shard report (it was written without --shard): merge only the reports of 'npx lnsim run --shard i/n'`);
    if (count !== undefined && report.shard.count !== count) throw new UsageError(`merge: '${dir}' is shard ${report.shard.index}/${report.shard.count} but others are of ${count}: merge the shards of one sweep`);
    count = report.shard.count;
    const twice = seen.get(report.shard.index);
    if (twice !== undefined) throw new UsageError(`merge: shard ${report.shard.index}/${count} is given twice ('${twice}' and '${dir}'): pass each shard once`);
    seen.set(report.shard.index, dir);
  }
  const missing = Array.from({ length: count! }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new UsageError(`merge: missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}: pass every shard's report directory`);
  return count!;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
