// A sweep from plan to report directory: run it (in parallel), make the repro
// of each distinct failure, write report.json / junit.xml / summary.md, and
// optionally copy the repros into the regression corpus. What `lnsim run`
// does, as a library call.
import { checkBugs } from '../api.ts';
import { buildReport, type Report } from '../reports/report.ts';
import { clearReportFiles, writeReportFiles } from '../reports/write.ts';
import { loadPlanScenarios, runSweep, type SweepEngineOptions, type SweepOutcome } from './engine.ts';
import { saveToCorpus, writeRepros, type WrittenRepro } from './repros.ts';

export interface SweepReportOptions extends SweepEngineOptions {
  /** Where report.json, junit.xml, summary.md and repros/ go. */
  readonly reportDir: string;
  /** The report directory as the user named it (replay commands). Default: reportDir. */
  readonly displayDir?: string;
  /** Shrink repros (default true). */
  readonly shrink?: boolean;
  /** Shrinking budget per failure, in runs. */
  readonly shrinkRuns?: number;
  /** Also copy each repro into this regression corpus directory (--save-failures). */
  readonly corpusDir?: string;
  /** Called before each shrink. */
  readonly onShrink?: (scenario: string, invariant: string, seed: number) => void;
}

export interface SweepReport {
  readonly outcome: SweepOutcome;
  readonly report: Report;
  readonly repros: readonly WrittenRepro[];
  /** Corpus files written (--save-failures). */
  readonly corpus: readonly string[];
}

export async function sweepAndReport(options: SweepReportOptions): Promise<SweepReport> {
  // Checked first, so a usage error leaves the directory alone.
  checkBugs(options.bugs);
  await loadPlanScenarios(options, options.cwd);
  clearReportFiles(options.reportDir);
  const outcome = await runSweep(options);
  const scenarios = await loadPlanScenarios(outcome.plan, options.cwd);
  const repros = writeRepros(outcome, scenarios, {
    reportDir: options.reportDir,
    displayDir: options.displayDir,
    shrink: options.shrink,
    shrinkRuns: options.shrinkRuns,
    cwd: options.cwd,
    onShrink: options.onShrink,
  });
  const report = buildReport({ outcome, stopOnFirst: options.stopOnFirst ?? false, repros: repros.map((r) => r.entry) });
  writeReportFiles(options.reportDir, report, options.displayDir);
  const corpus = options.corpusDir !== undefined ? saveToCorpus(repros, options.corpusDir) : [];
  return { outcome, report, repros, corpus };
}
