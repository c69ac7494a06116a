// `lnsim run`: sweep seeds of scenarios on worker threads, check every
// invariant, write the report directory, exit 0 (all held), 1 (a violation),
// 2 (bad usage) or 130 (interrupted, nothing violated). Thin: flags in, the
// library's sweepAndReport, words out.
import { availableParallelism } from 'node:os';
import { checkBugs, defaultMix, findBug, UsageError } from '../api.ts';
import { joinDisplay } from '../reports/junit.ts';
import type { Report } from '../reports/report.ts';
import { clearReportFiles, prepareDir } from '../reports/write.ts';
import { loadPlanScenarios, sweepSizing } from '../sweep/engine.ts';
import { plannedRuns, type SweepPlan } from '../sweep/plan.ts';
import { formatShard, parseShard } from '../sweep/shard.ts';
import { sweepAndReport } from '../sweep/sweep-report.ts';
import { SweepRunError } from '../sweep/batch-runner.ts';
import { intFlag, parseFlags, type CliIO, type Command } from './args.ts';
import { startingProgress, startProgress } from './progress/index.ts';

/**
 * Seeds per scenario when --seeds is not given. `npm start` sweeps the default
 * mix with it, and must finish well under a minute on 2 cores.
 */
export const DEFAULT_SEEDS_PER_SCENARIO = 1000;
export const DEFAULT_REPORT_DIR = 'lnsim-report';
export const DEFAULT_CORPUS_DIR = 'scenarios/corpus';
/** Exit code of a sweep stopped by Ctrl-C or SIGTERM that found no violation (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;
/** Signals that stop a sweep cleanly, report written. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

const FLAGS = {
  scenario: { type: 'string', multiple: true },
  seeds: { type: 'string' },
  seed: { type: 'string' },
  from: { type: 'string' },
  bug: { type: 'string', multiple: true },
  workers: { type: 'string' },
  shard: { type: 'string' },
  report: { type: 'string' },
  'stop-on-first': { type: 'boolean' },
  json: { type: 'boolean' },
  ci: { type: 'boolean' },
  'no-shrink': { type: 'boolean' },
  'save-failures': { type: 'boolean' },
  'fail-on-known': { type: 'boolean' },
  corpus: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = `usage: lnsim run [--scenario NAME|PATH]... [--seeds N | --seed S] [--from S0] [--bug ID]...
                 [--workers K] [--shard i/n] [--report DIR] [--stop-on-first] [--json] [--ci]
                 [--no-shrink] [--save-failures [--corpus DIR]] [--fail-on-known]

Sweep seeds of scenarios on worker threads and check every invariant.

  --scenario NAME|PATH  a scenario from 'npx lnsim list', or a module exporting one (repeatable;
                        default: the default mix)
  --seeds N             seeds per scenario (default ${DEFAULT_SEEDS_PER_SCENARIO})
  --seed S              run the single seed S
  --from S0             first seed (default 1)
  --bug ID              switch a planted bug on (repeatable; ids in 'npx lnsim list')
  --workers K           worker threads (default: one per core, ${availableParallelism()} here, fewer for small
                        sweeps; 1 runs in this thread)
  --shard i/n           run shard i of n: the seeds s with s mod n = i-1 (join with 'npx lnsim merge')
  --report DIR          report directory (default ${DEFAULT_REPORT_DIR}/)
  --stop-on-first       stop at the first violation (in seed order)
  --json                print one JSON object with the results to stdout
  --ci                  plain progress lines even on a terminal
  --no-shrink           write repros without shrinking them
  --save-failures       also copy each repro into the regression corpus
  --corpus DIR          corpus directory for --save-failures (default ${DEFAULT_CORPUS_DIR})
  --fail-on-known       count a scenario's known runs (failing runs triaged as bugs of the code under
                        test, e.g. LDK 0.1.0's, in scenarios/known.ts) as violations; by default they are
                        listed apart and do not fail the sweep

Exit: 0 every invariant held (known runs aside), 1 a violation, 2 bad usage, 130 interrupted (Ctrl-C or SIGTERM) with no violation.
A report directory used before is cleared of its report and repro files when the sweep starts.
`;

/** The flags, checked: everything a sweep needs, or a UsageError naming the fix. */
export function parseRunFlags(args: readonly string[]) {
  const { values: v } = parseFlags('run', args, FLAGS);
  if (v.seed !== undefined && v.seeds !== undefined) throw new UsageError('run: give --seeds N (a range) or --seed S (one seed), not both');
  if (v.seed !== undefined && v.from !== undefined) throw new UsageError('run: --seed S runs one seed; drop --from, or use --from S0 --seeds N for a range');
  const single = v.seed !== undefined ? intFlag('run', 'seed', v.seed, 0) : undefined;
  const from = single ?? intFlag('run', 'from', v.from, 1);
  const seeds = single !== undefined ? 1 : intFlag('run', 'seeds', v.seeds, DEFAULT_SEEDS_PER_SCENARIO, 1);
  if (!Number.isSafeInteger(from + seeds)) throw new UsageError('run: the seed range runs past 2^53: lower --from or --seeds');
  const workers = v.workers === undefined ? undefined : intFlag('run', 'workers', v.workers, 1, 1);
  if (v.corpus !== undefined && !v['save-failures']) throw new UsageError('run: --corpus only applies with --save-failures: add it or drop --corpus');
  const bugs = [...new Set(v.bug ?? [])].sort();
  checkBugs(bugs);
  return {
    scenarios: v.scenario ? [...new Set(v.scenario)] : undefined,
    from,
    seeds,
    bugs,
    workers,
    shard: v.shard !== undefined ? parseShard(v.shard) : undefined,
    reportDir: v.report ?? DEFAULT_REPORT_DIR,
    stopOnFirst: v['stop-on-first'] ?? false,
    json: v.json ?? false,
    ci: v.ci ?? false,
    shrink: !v['no-shrink'],
    corpusDir: v['save-failures'] ? (v.corpus ?? DEFAULT_CORPUS_DIR) : undefined,
    failOnKnown: v['fail-on-known'] ?? false,
  };
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

const run: Command = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(HELP);
    return 0;
  }
  const flags = parseRunFlags(args);
  const scenarios = flags.scenarios ?? defaultMix().map((s) => s.name);
  if (scenarios.length === 0) throw new UsageError("run: the default mix is empty: pass --scenario NAME (see 'npx lnsim list') or --scenario ./path/to/scenario.ts");
  const plan: SweepPlan = { scenarios, bugs: flags.bugs, from: flags.from, seeds: flags.seeds, shard: flags.shard };
  const loaded = await loadPlanScenarios(plan); // usage errors before any output
  prepareDir(flags.reportDir, '--report DIR');
  clearReportFiles(flags.reportDir); // an older sweep's files must not pass for this one's (sweepAndReport does it too)
  if (flags.corpusDir !== undefined) prepareDir(flags.corpusDir, '--corpus DIR');

  const total = plannedRuns(plan);
  const { workers } = sweepSizing(plan, flags.workers);
  const range = flags.seeds === 1 ? `seed ${flags.from}` : `seeds ${flags.from}..${flags.from + flags.seeds - 1}`;
  const title = `${plural(scenarios.length, 'scenario')}, ${range}${flags.shard ? ` (shard ${formatShard(flags.shard)})` : ''}: ${plural(total, 'run')} on ${workers > 1 ? plural(workers, 'worker thread') : 'this thread'}${flags.bugs.length ? `, bugs ${flags.bugs.join(', ')}` : ''}`;
  const progressStream = io.stderr as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  // A terminal of unknown width (e.g. a pty without a size) gets plain lines too.
  const interactive = progressStream.isTTY === true && (progressStream.columns ?? 0) > 0 && !flags.ci;
  const perScenario = total / scenarios.length;
  const initial = startingProgress(total, loaded.map((s) => ({ name: s.name, total: perScenario })));
  const progress = await startProgress(progressStream, { interactive, title, initial });

  // Ctrl-C or SIGTERM (timeout, container stop, CI cancel): the first stops the sweep and still writes the
  // report; a second one leaves at once.
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
    progress.note(`${signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted'}: stopping the workers and writing the report of the runs completed (${signal === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'} again to leave now)`);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  // A sweep of one run states that run's fingerprint in --json (a sweep of many states its digest).
  let onlyFingerprint: string | null = null;
  let result;
  try {
    result = await sweepAndReport({
      ...plan,
      workers: flags.workers,
      stopOnFirst: flags.stopOnFirst,
      failOnKnown: flags.failOnKnown,
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
      onRun: total === 1 ? (r) => void (onlyFingerprint = r.fingerprint) : undefined,
      reportDir: flags.reportDir,
      shrink: flags.shrink,
      corpusDir: flags.corpusDir,
      onShrink: (scenario, invariant, seed) => progress.note(`shrinking ${scenario} / ${invariant} (seed ${seed})`),
    });
  } catch (e) {
    if (e instanceof SweepRunError) {
      progress.stop();
      io.stderr.write(`lnsim: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    progress.stop();
  }
  const { report } = result;
  const notes = unexposedBugNotes(report);
  if (flags.json) {
    io.stdout.write(JSON.stringify({ ...jsonResult(report, flags.reportDir, onlyFingerprint), notes }) + '\n');
    for (const note of notes) io.stderr.write(`lnsim: note: ${note}\n`);
    io.stderr.write(`lnsim: report written to ${joinDisplay(flags.reportDir, 'report.json')}\n`);
  }
  else io.stdout.write(humanResult(report, flags.reportDir, result.corpus, notes));
  if (report.violationCount > 0) return 1;
  return report.interrupted ? EXIT_INTERRUPTED : 0;
};

/**
 * The `--json` object: runs, seeds, scenarios, bugs, violations, throughput, plus the seed range, shard,
 * events, interrupted flag and report path; `digest` (every sweep, merged ones too: equal digests, equal
 * runs) and `fingerprint` (a one-run sweep's, passing or not).
 */
export function jsonResult(report: Report, reportDir: string, fingerprint: string | null = null) {
  return {
    runs: report.runs,
    seeds: report.seeds.count,
    from: report.seeds.from,
    shard: report.shard ? formatShard(report.shard) : null,
    scenarios: report.scenarios.map((s) => s.name),
    bugs: report.bugs,
    violations: report.violations.map((v) => ({
      scenario: v.scenario,
      seed: v.seed,
      invariant: v.invariant,
      message: v.message,
      fingerprint: v.fingerprint,
      repro: v.repro === null ? null : joinDisplay(reportDir, v.repro),
    })),
    violationCount: report.violationCount,
    known: report.known.map((k) => ({ scenario: k.scenario, seed: k.seed, invariant: k.invariant, bug: k.bug, fingerprint: k.fingerprint })),
    events: report.events,
    runsPerSecond: report.timing.runsPerSecond,
    eventsPerSecond: report.timing.eventsPerSecond,
    elapsedSeconds: report.timing.elapsedSeconds,
    interrupted: report.interrupted,
    digest: report.digest,
    fingerprint: report.runs === 1 ? (fingerprint ?? report.violations[0]?.fingerprint ?? null) : null,
    report: joinDisplay(reportDir, 'report.json'),
  };
}

/**
 * A planted bug switched on that this sweep did not catch, while the scenario the catalog names for it was
 * not swept: say so, and give the command that exposes it.
 */
export function unexposedBugNotes(report: Report): string[] {
  const swept = new Set(report.scenarios.map((s) => s.name));
  return report.bugs.flatMap((id) => {
    const bug = findBug(id);
    if (!bug || swept.has(bug.scenario) || report.violations.some((v) => v.invariant === bug.invariant)) return [];
    return [`planted bug ${id} went uncaught: no scenario swept here is known to expose it; scenario ${bug.scenario} does (npx lnsim run --scenario ${bug.scenario} --bug ${id})`];
  });
}

function humanResult(report: Report, reportDir: string, corpus: readonly string[], notes: readonly string[]): string {
  const lines: string[] = [];
  const verdict = report.violationCount > 0 ? `${plural(report.violationCount, 'violating run')}` : 'every invariant held';
  lines.push(`lnsim run: ${verdict} in ${plural(report.runs, 'run')} (${plural(report.events, 'event')}), ${report.timing.runsPerSecond.toLocaleString('en-US')} runs/s, ${report.timing.elapsedSeconds} s${report.interrupted ? ' (interrupted)' : ''}${report.stoppedOnFirst ? ' (stopped at the first violation)' : ''}`);
  for (const inv of report.invariants.filter((i) => i.violations > 0)) {
    const first = report.violations.find((v) => v.scenario === inv.scenario && v.invariant === inv.invariant && v.seed === inv.firstSeed);
    const repro = report.repros.find((r) => r.scenario === inv.scenario && r.invariant === inv.invariant);
    lines.push(`  ✗ ${inv.scenario} / ${inv.invariant}: ${plural(inv.violations, 'run')}, first seed ${inv.firstSeed}${first ? `: ${first.message}` : ''}`);
    if (inv.repro) {
      const shrunk = repro?.shrunk ? ` (shrunk: tape ${repro.shrunk.before.tape} → ${repro.shrunk.after.tape}, events ${repro.shrunk.before.events} → ${repro.shrunk.after.events})` : '';
      lines.push(`    replay: npx lnsim replay ${joinDisplay(reportDir, inv.repro)}${shrunk}`);
    }
    if (repro?.note) lines.push(`    note: ${repro.note}`);
  }
  if (report.known.length > 0) {
    lines.push(`  ${plural(report.known.length, 'known run')} not counted (bugs of the code under test, triaged in scenarios/known.ts; --fail-on-known counts them):`);
    for (const k of report.known) lines.push(`    · ${k.scenario} seed ${k.seed} / ${k.invariant}: ${k.bug}`);
  }
  for (const path of corpus) lines.push(`  saved to the corpus: ${path}`);
  for (const note of notes) lines.push(`  note: ${note}`);
  lines.push(`report: ${joinDisplay(reportDir, 'report.json')} (also junit.xml, summary.md${report.repros.length ? ', repros/' : ''})`);
  return lines.join('\n') + '\n';
}

export default run;
