// Atomic file writes: a reader (a CI step, a merge, a human) sees the old file
// or the new one, never half of one. Write a temporary file in the same
// directory, then rename it over the target.
import { accessSync, constants, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { UsageError } from '../api.ts';
import { dirname, join } from 'node:path';
import { renderJUnit } from './junit.ts';
import { REPORT_FILE, type Report } from './report.ts';
import { renderSummary } from './summary.ts';

let counter = 0;

/** Create `dir` if needed and check it is writable, before a long sweep rather than after; `flag` names the option to fix. */
export function prepareDir(dir: string, flag: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot write to '${dir}' (${code}): pick another ${flag}`);
  }
}

export function writeFileAtomic(path: string, contents: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${++counter}.tmp`;
  try {
    writeFileSync(temp, contents);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** JSON with two-space indentation and a final newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Write a report directory: junit.xml and summary.md first, report.json last,
 * so a report.json on disk always comes with the files rendered from it.
 * Repro files are written before, by whoever made them.
 */
export function writeReportFiles(dir: string, report: Report, displayDir: string = dir): void {
  writeFileAtomic(join(dir, JUNIT_FILE), renderJUnit(report, displayDir));
  writeFileAtomic(join(dir, SUMMARY_FILE), renderSummary(report, displayDir));
  writeJsonAtomic(join(dir, REPORT_FILE), report);
}

export const JUNIT_FILE = 'junit.xml';
export const SUMMARY_FILE = 'summary.md';

/**
 * Remove an earlier sweep's report files (report.json, junit.xml, summary.md,
 * repros/*.repro.json) before a new sweep starts: if this one is killed before
 * it writes its own, nothing left behind passes for its result. Other files stay.
 */
export function clearReportFiles(dir: string): void {
  for (const name of [REPORT_FILE, JUNIT_FILE, SUMMARY_FILE]) rmSync(join(dir, name), { force: true });
  let repros: string[];
  try {
    repros = readdirSync(join(dir, 'repros'));
  } catch {
    return;
  }
  for (const name of repros) if (name.endsWith('.repro.json')) rmSync(join(dir, 'repros', name), { force: true });
}
