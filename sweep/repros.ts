// Repro files for a sweep's failures: one per distinct failure (scenario +
// invariant), from its smallest seed. The seed is re-run alone with draw labels
// on (sweeps never keep tapes or labels), checked to fail the same way, shrunk
// unless shrinking is off, and written atomically.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isScenarioPath, runScenario } from '../api.ts';
import { makeRepro, type ReproFile } from '../reports/repro.ts';
import { shrinkRepro } from '../reports/shrink-repro.ts';
import type { ReportRepro } from '../reports/report.ts';
import { replayCommand } from '../reports/junit.ts';
import { writeJsonAtomic } from '../reports/write.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { SweepOutcome } from './engine.ts';

/** Default shrinking budget per failure, in runs: a few seconds for the real scenarios. */
export const DEFAULT_SHRINK_RUNS = 500;
export const REPROS_DIR = 'repros';

export interface ReproOptions {
  /** The report directory, as a path to write to. */
  readonly reportDir: string;
  /** The report directory as the user named it (for the replay commands inside the files). */
  readonly displayDir?: string;
  /** Shrink each repro before writing it. Default true. */
  readonly shrink?: boolean;
  /** Shrinking budget per failure, in runs. Default DEFAULT_SHRINK_RUNS. */
  readonly shrinkRuns?: number;
  /** Directory the plan's scenario paths are relative to (recorded absolute in each repro). Default: process.cwd(). */
  readonly cwd?: string;
  /** Called before each (possibly slow) shrink: progress for the CLI. */
  readonly onShrink?: (scenario: string, invariant: string, seed: number) => void;
}

/** `<scenario>-<invariant>-<seed>.repro.json`, with anything outside [A-Za-z0-9._-] made '_'. */
export function reproFileName(scenario: string, invariant: string, seed: number): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${safe(scenario)}-${safe(invariant)}-${seed}.repro.json`;
}

export interface WrittenRepro {
  readonly entry: ReportRepro;
  readonly repro: ReproFile;
  /** Where it was written. */
  readonly path: string;
}

/** Make, shrink and write the repro of every distinct failure of the outcome. */
export function writeRepros(outcome: SweepOutcome, scenarios: readonly Scenario[], options: ReproOptions): WrittenRepro[] {
  const dir = join(options.reportDir, REPROS_DIR);
  const displayDir = options.displayDir ?? options.reportDir;
  const written: WrittenRepro[] = [];
  for (const [i, tally] of outcome.scenarios.entries()) {
    for (const failure of tally.violated) {
      const seed = failure.first.seed;
      const file = `${REPROS_DIR}/${reproFileName(tally.scenario, failure.invariant, seed)}`;
      const command = replayCommand(displayDir, file);
      const rerun = runScenario(scenarios[i], { seed, bugs: outcome.plan.bugs, keepRecords: false, recordLabels: true });
      const notes: string[] = [];
      if (rerun.fingerprint !== failure.first.fingerprint || rerun.violation?.invariant !== failure.invariant) {
        notes.push(`re-running seed ${seed} alone gave fingerprint ${rerun.fingerprint.slice(0, 12)} (${rerun.violation?.invariant ?? 'no violation'}), the sweep saw ${failure.first.fingerprint.slice(0, 12)}: nondeterminism, please report it`);
      }
      const spec = outcome.plan.scenarios[i];
      let repro = makeRepro({
        scenario: spec,
        ...(isScenarioPath(spec) ? { scenarioFile: resolve(options.cwd ?? process.cwd(), spec) } : {}),
        seed,
        bugs: outcome.plan.bugs,
        tape: rerun.tape,
        fingerprint: rerun.fingerprint,
        events: rerun.events,
        violation: rerun.violation ?? null,
        labels: rerun.labels,
        command,
      });
      let shrunk: ReportRepro['shrunk'] = null;
      if (options.shrink === false) notes.push('not shrunk (--no-shrink)');
      else if (repro.violation) {
        options.onShrink?.(tally.scenario, failure.invariant, seed);
        try {
          const result = shrinkRepro(repro, { maxRuns: options.shrinkRuns ?? DEFAULT_SHRINK_RUNS });
          repro = { ...result.repro, command };
          shrunk = { before: result.before, after: result.after, runs: result.runs };
        } catch (e) {
          notes.push(`not shrunk: the shrinker failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
        }
      }
      const path = join(options.reportDir, file);
      writeJsonAtomic(path, repro);
      written.push({
        repro,
        path,
        entry: { scenario: tally.scenario, invariant: failure.invariant, seed, file, tape: repro.tape.length, events: repro.events, shrunk, note: notes.length ? notes.join('; ') : null },
      });
    }
  }
  removeStaleRepros(dir, new Set(written.map((w) => basename(w.path))));
  return written;
}

/** Repro files left in DIR/repros by an earlier sweep would pass for this one's: remove them. */
export function removeStaleRepros(dir: string, keep: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (name.endsWith('.repro.json') && !keep.has(name)) rmSync(join(dir, name), { force: true });
}

/**
 * Copy repros into the regression corpus as `<scenario>-<invariant>-<seed>.repro.json`
 * (their replay command pointing at the copy); returns the paths written.
 */
export function saveToCorpus(repros: readonly WrittenRepro[], corpusDir: string): string[] {
  mkdirSync(corpusDir, { recursive: true });
  return repros.map((r) => {
    const name = reproFileName(r.entry.scenario, r.entry.invariant, r.entry.seed);
    const target = join(corpusDir, name);
    writeJsonAtomic(target, { ...r.repro, command: replayCommand(corpusDir, name) });
    return target;
  });
}
