// report.json: the source of truth of a sweep (junit.xml and summary.md are
// rendered from it; `lnsim merge` reads it back). Versioned: a reader refuses
// a schema it does not know. Field by field in reports/schema.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HARNESS_VERSION, UsageError } from '../api.ts';
import type { SweepOutcome } from '../sweep/engine.ts';

export const REPORT_SCHEMA = 'lnsim-report/1';
export const REPORT_FILE = 'report.json';

export interface ReportScenario {
  readonly name: string;
  /** How it was given: a built-in name, or the module path (relative to where lnsim ran). */
  readonly source: string;
  readonly invariants: readonly string[];
  readonly runs: number;
  readonly events: number;
  readonly violations: number;
  /** Failing runs that are known runs (triaged bugs of the code under test), not counted in `violations`. */
  readonly known: number;
}

export interface ReportInvariant {
  readonly scenario: string;
  readonly invariant: string;
  /** Runs that checked it (every run of the scenario). */
  readonly runs: number;
  readonly violations: number;
  readonly firstSeed: number | null;
  /** Repro file of the first violation, relative to the report directory. */
  readonly repro: string | null;
}

export interface ReportViolation {
  readonly scenario: string;
  readonly seed: number;
  readonly invariant: string;
  readonly message: string;
  readonly fingerprint: string;
  /** Trace index of the violation record. */
  readonly event: number;
  /** Virtual time of the violation. */
  readonly time: number;
  /** Repro file made from this very run (relative to the report directory); null when a smaller seed represents the failure. */
  readonly repro: string | null;
}

/** A failing run that is one of its scenario's known runs (scenarios/known.ts). */
export interface ReportKnown {
  readonly scenario: string;
  readonly seed: number;
  readonly invariant: string;
  readonly message: string;
  readonly fingerprint: string;
  /** The upstream bug it was triaged as, e.g. "rust-lightning #3772". */
  readonly bug: string;
  /** The mechanism, as triaged. */
  readonly why: string;
}

export interface ReportRepro {
  readonly scenario: string;
  readonly invariant: string;
  readonly seed: number;
  /** Relative to the report directory. */
  readonly file: string;
  /** Tape and trace lengths of the file as written (after shrinking, if it was shrunk). */
  readonly tape: number;
  readonly events: number;
  /** Set when the shrinker ran: lengths before and after, and the runs it spent. */
  readonly shrunk: { readonly before: { readonly tape: number; readonly events: number }; readonly after: { readonly tape: number; readonly events: number }; readonly runs: number } | null;
  /** Why the file is not shrunk or not exact (shrinking off or unavailable, shrinker error, re-run diverged); null when all went well. */
  readonly note: string | null;
}

export interface Report {
  readonly schema: typeof REPORT_SCHEMA;
  readonly harness: string;
  /** 'run' for a sweep, 'merge' for joined shard reports. */
  readonly kind: 'run' | 'merge';
  readonly scenarios: readonly ReportScenario[];
  readonly bugs: readonly string[];
  /** The seed range per scenario, before sharding. */
  readonly seeds: { readonly from: number; readonly count: number };
  /** The shard this report covers; null for a whole range (unsharded or merged). */
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** For a merged report: how many shards it joins. */
  readonly mergedShards: number | null;
  readonly stopOnFirst: boolean;
  readonly runs: number;
  readonly events: number;
  /** Number of violating runs (all of them, also those omitted from `violations`). */
  readonly violationCount: number;
  readonly invariants: readonly ReportInvariant[];
  /** Violating runs in seed order (scenario by scenario), the first `violationCount - violationsOmitted`. */
  readonly violations: readonly ReportViolation[];
  readonly violationsOmitted: number;
  /** Failing runs that are known runs, in seed order (scenario by scenario): not violations, the sweep passes with them. */
  readonly known: readonly ReportKnown[];
  readonly repros: readonly ReportRepro[];
  readonly timing: { readonly elapsedSeconds: number; readonly runsPerSecond: number; readonly eventsPerSecond: number; readonly workers: number };
  readonly interrupted: boolean;
  readonly stoppedOnFirst: boolean;
  /** sha256 over every run's (scenario, seed, fingerprint) in seed order; null for merged reports. */
  readonly digest: string | null;
}

export interface BuildReportInput {
  readonly outcome: SweepOutcome;
  readonly stopOnFirst: boolean;
  readonly repros: readonly ReportRepro[];
}

export function rate(count: number, seconds: number): number {
  return seconds > 0 ? Math.round(count / seconds) : 0;
}

export function buildReport({ outcome, stopOnFirst, repros }: BuildReportInput): Report {
  const reproOf = (scenario: string, invariant: string, seed: number) => repros.find((r) => r.scenario === scenario && r.invariant === invariant && r.seed === seed)?.file ?? null;
  const scenarios: ReportScenario[] = outcome.scenarios.map((s, i) => ({
    name: s.scenario,
    source: outcome.plan.scenarios[i],
    invariants: s.invariants,
    runs: s.runs,
    events: s.events,
    violations: s.violations,
    known: s.known,
  }));
  const invariants: ReportInvariant[] = [];
  for (const s of outcome.scenarios) {
    const names = [...s.invariants, ...s.violated.map((v) => v.invariant).filter((name) => !s.invariants.includes(name))];
    for (const invariant of names) {
      const tally = s.violated.find((v) => v.invariant === invariant);
      invariants.push({
        scenario: s.scenario,
        invariant,
        runs: s.runs,
        violations: tally?.violations ?? 0,
        firstSeed: tally?.first.seed ?? null,
        repro: tally ? reproOf(s.scenario, invariant, tally.first.seed) : null,
      });
    }
  }
  const violations: ReportViolation[] = outcome.failures.map((f) => ({
    scenario: f.scenario,
    seed: f.seed,
    invariant: f.violation!.invariant,
    message: f.violation!.message,
    fingerprint: f.fingerprint,
    event: f.violation!.event,
    time: f.violation!.time,
    repro: reproOf(f.scenario, f.violation!.invariant, f.seed),
  }));
  return {
    schema: REPORT_SCHEMA,
    harness: HARNESS_VERSION,
    kind: 'run',
    scenarios,
    bugs: outcome.plan.bugs,
    seeds: { from: outcome.plan.from, count: outcome.plan.seeds },
    shard: outcome.plan.shard ? { index: outcome.plan.shard.index, count: outcome.plan.shard.count } : null,
    mergedShards: null,
    stopOnFirst,
    runs: outcome.runs,
    events: outcome.events,
    violationCount: outcome.violations,
    invariants,
    violations,
    violationsOmitted: outcome.violations - violations.length,
    known: outcome.known.map((k) => ({ scenario: k.scenario, seed: k.seed, invariant: k.violation!.invariant, message: k.violation!.message, fingerprint: k.fingerprint, bug: k.known.bug, why: k.known.why })),
    repros,
    timing: {
      elapsedSeconds: round3(outcome.elapsedSeconds),
      runsPerSecond: rate(outcome.runs, outcome.elapsedSeconds),
      eventsPerSecond: rate(outcome.events, outcome.elapsedSeconds),
      workers: outcome.workers,
    },
    interrupted: outcome.interrupted,
    stoppedOnFirst: outcome.stoppedOnFirst,
    digest: outcome.digest,
  };
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Read DIR/report.json (or a report.json path) and check its schema; problems are one-line usage errors. */
export function readReport(dirOrFile: string): Report {
  const path = dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, REPORT_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`no report at '${path}': pass a directory written by 'npx lnsim run --report DIR'`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`'${path}' is not valid JSON (truncated?): re-run the sweep that wrote it`);
  }
  return validateReport(data, path);
}

export function validateReport(data: unknown, path = 'report'): Report {
  const bad = (what: string) => new UsageError(`'${path}' ${what}: re-run the sweep with this lnsim version`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('is not a JSON object');
  const r = data as Record<string, unknown>;
  if (r.schema !== REPORT_SCHEMA) throw bad(`has schema ${JSON.stringify(r.schema)}, this lnsim reads ${REPORT_SCHEMA}`);
  if (typeof r.harness !== 'string') throw bad('names no harness version');
  const isInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!Array.isArray(r.scenarios) || !r.scenarios.every((s) => typeof s?.name === 'string' && typeof s?.source === 'string' && Array.isArray(s?.invariants) && isInt(s?.runs) && isInt(s?.events) && isInt(s?.violations))) throw bad('has malformed scenarios');
  if (!Array.isArray(r.bugs) || !r.bugs.every((b) => typeof b === 'string')) throw bad('has a malformed bugs list');
  const seeds = r.seeds as Record<string, unknown> | undefined;
  if (!seeds || !isInt(seeds.from) || !isInt(seeds.count)) throw bad('has a malformed seed range');
  const shard = r.shard as Record<string, unknown> | null | undefined;
  if (shard !== null && (!shard || !isInt(shard.index) || !isInt(shard.count))) throw bad('has a malformed shard');
  for (const key of ['runs', 'events', 'violationCount', 'violationsOmitted']) if (!isInt(r[key])) throw bad(`has a malformed ${key}`);
  if (!Array.isArray(r.invariants) || !r.invariants.every((v) => typeof v?.scenario === 'string' && typeof v?.invariant === 'string' && isInt(v?.runs) && isInt(v?.violations))) throw bad('has malformed invariant totals');
  if (!Array.isArray(r.violations) || !r.violations.every((v) => typeof v?.scenario === 'string' && isInt(v?.seed) && typeof v?.invariant === 'string' && typeof v?.message === 'string' && typeof v?.fingerprint === 'string')) throw bad('has malformed violations');
  if (!Array.isArray(r.repros) || !r.repros.every((v) => typeof v?.scenario === 'string' && typeof v?.invariant === 'string' && isInt(v?.seed) && typeof v?.file === 'string')) throw bad('has malformed repros');
  const timing = r.timing as Record<string, unknown> | undefined;
  if (!timing || typeof timing.elapsedSeconds !== 'number') throw bad('has malformed timing');
  if (typeof r.interrupted !== 'boolean' || typeof r.stopOnFirst !== 'boolean') throw bad('has malformed flags');
  // Reports written before known runs existed have none.
  if (r.known !== undefined && !(Array.isArray(r.known) && r.known.every((k) => typeof k?.scenario === 'string' && isInt(k?.seed) && typeof k?.invariant === 'string' && typeof k?.bug === 'string'))) throw bad('has malformed known runs');
  return { ...r, known: r.known ?? [], scenarios: (r.scenarios as Record<string, unknown>[]).map((s) => ({ ...s, known: s.known ?? 0 })) } as unknown as Report;
}
