// lnsim fuzz: coverage-guided tape mutation (sweep/fuzz.ts) over scenarios,
// with failures written as shrunk repro files like `run` writes them. Thin:
// flags in, the library's fuzz, words out. Exit 0 nothing violated, 1 a
// violation, 2 bad usage.
import { join } from 'node:path';
import { checkBugs, defaultMix, runScenario, UsageError } from '../api.ts';
import { replayCommand, joinDisplay } from '../reports/junit.ts';
import { makeRepro } from '../reports/repro.ts';
import { shrinkRepro } from '../reports/shrink-repro.ts';
import { prepareDir, writeJsonAtomic } from '../reports/write.ts';
import { loadPlanScenarios } from '../sweep/engine.ts';
import { fuzz, type FuzzFailure, type FuzzOutcome } from '../sweep/fuzz.ts';
import { DEFAULT_SHRINK_RUNS, REPROS_DIR } from '../sweep/repros.ts';
import { intFlag, parseFlags, type Command } from './args.ts';

export const DEFAULT_FUZZ_BUDGET_SECONDS = 60;
const DEFAULT_REPORT_DIR = 'lnsim-report';

const HELP = `usage: lnsim fuzz [--scenario NAME|PATH]... [--bug ID]... [--budget-seconds T] [--iterations N]
                  [--seed S] [--from S0] [--stop-on-first] [--report DIR] [--no-shrink] [--json]

Coverage-guided search: keeps the runs that reached new coverage (which record kinds
happened at which node, with which kinds of file stalled, after 0, 1 or 2+ restarts)
and mutates their tapes, the runs that reached the rarest points most often; half
the runs are fresh seeds (the ones 'lnsim run' sweeps).
With --iterations the search is deterministic (same seed, same runs, same findings);
the budget only cuts it short.

  --scenario NAME|PATH  a scenario from 'lnsim list' (NAME+aim: with aimed faults), or a module
                        (repeatable; default: the default mix)
  --bug ID              switch a planted bug on (repeatable)
  --budget-seconds T    wall-clock seconds for the whole search, shared by the scenarios
                        (default ${DEFAULT_FUZZ_BUDGET_SECONDS} without --iterations; none with it)
  --iterations N        runs per scenario
  --seed S              the search's own seed: which parents, which mutations (default 1)
  --from S0             first seed of the fresh runs (default 1)
  --stop-on-first       stop a scenario at its first violation
  --report DIR          write a shrunk repro per distinct failure to DIR/${REPROS_DIR}/ (default ${DEFAULT_REPORT_DIR}/)
  --no-shrink           write repros without shrinking them
  --json                one JSON object on stdout

Exit: 0 every invariant held, 1 a violation, 2 bad usage.
`;

const command: Command = async (args, io) => {
  for (const [i, arg] of args.entries()) {
    const name = /^--(iterations|seed|from|budget-seconds)$/.exec(arg)?.[1];
    if (name && /^-\d/.test(args[i + 1] ?? '')) throw new UsageError(`fuzz: --${name} needs a non-negative number, got '${args[i + 1]}'`);
  }
  const { values: v } = parseFlags('fuzz', args, {
    scenario: { type: 'string', multiple: true },
    bug: { type: 'string', multiple: true },
    'budget-seconds': { type: 'string' },
    iterations: { type: 'string' },
    seed: { type: 'string' },
    from: { type: 'string' },
    'stop-on-first': { type: 'boolean' },
    report: { type: 'string' },
    'no-shrink': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const iterations = v.iterations === undefined ? undefined : intFlag('fuzz', 'iterations', v.iterations, 0);
  if (iterations === 0) throw new UsageError('fuzz: --iterations needs a positive integer (runs per scenario)');
  const budgetSeconds = v['budget-seconds'] !== undefined ? secondsFlag(v['budget-seconds']) : iterations === undefined ? DEFAULT_FUZZ_BUDGET_SECONDS : undefined;
  const seed = intFlag('fuzz', 'seed', v.seed, 1);
  const from = intFlag('fuzz', 'from', v.from, 1);
  const bugs = [...new Set(v.bug ?? [])].sort();
  checkBugs(bugs);
  const specs = v.scenario ? [...new Set(v.scenario)] : defaultMix().map((s) => s.name);
  const scenarios = await loadPlanScenarios({ scenarios: specs, bugs, from, seeds: 1 });
  const reportDir = v.report ?? DEFAULT_REPORT_DIR;
  prepareDir(reportDir, '--report DIR');

  if (!v.json) io.stderr.write(`lnsim fuzz: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}, ${iterations !== undefined ? `${iterations} runs each` : 'no run bound'}${budgetSeconds !== undefined ? `, ${budgetSeconds} s budget` : ''}, search seed ${seed}${bugs.length ? `, bugs ${bugs.join(', ')}` : ''}\n`);
  const outcome = fuzz({ scenarios, bugs, seed, from, iterations, budgetSeconds, stopOnFirst: v['stop-on-first'] === true });
  const repros = outcome.scenarios.flatMap((s, i) =>
    s.failures.map((f) => {
      if (!v.json) io.stderr.write(`lnsim fuzz: ${v['no-shrink'] ? 'writing' : 'shrinking'} the repro of ${f.scenario} / ${f.invariant}\n`);
      return writeFailure(f, specs[i], bugs, reportDir, v['no-shrink'] !== true);
    }),
  );
  if (v.json) io.stdout.write(`${JSON.stringify(toJson(outcome, repros), null, 2)}\n`);
  else io.stdout.write(human(outcome, repros));
  return outcome.violations > 0 ? 1 : 0;
};
export default command;

function secondsFlag(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds > 0)) throw new UsageError(`fuzz: --budget-seconds needs a positive number of seconds, got '${value}'`);
  return seconds;
}

interface WrittenFailure {
  readonly failure: FuzzFailure;
  /** Display path of the repro file. */
  readonly file: string;
  readonly events: number;
  readonly tape: number;
}

/** `<scenario>-<invariant>-fuzz<iteration>.repro.json`, shrunk unless asked not to. */
function writeFailure(f: FuzzFailure, scenarioSpec: string, bugs: readonly string[], reportDir: string, shrink: boolean): WrittenFailure {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  const name = `${REPROS_DIR}/${safe(f.scenario)}-${safe(f.invariant)}-fuzz${f.iteration}.repro.json`;
  const command = replayCommand(reportDir, name);
  const rerun = runScenario(scenarioSpec, { tape: f.tape, bugs, recordLabels: true });
  let repro = makeRepro({ scenario: scenarioSpec, seed: f.seed, bugs, tape: rerun.tape, fingerprint: rerun.fingerprint, events: rerun.events, violation: rerun.violation ?? null, labels: rerun.labels, command });
  if (shrink) {
    try {
      repro = { ...shrinkRepro(repro, { maxRuns: DEFAULT_SHRINK_RUNS }).repro, command };
    } catch {
      // Keep the unshrunk repro: it replays all the same.
    }
  }
  writeJsonAtomic(join(reportDir, name), repro);
  return { failure: f, file: joinDisplay(reportDir, name), events: repro.events, tape: repro.tape.length };
}

function human(outcome: FuzzOutcome, repros: readonly WrittenFailure[]): string {
  const lines = [`lnsim fuzz: ${outcome.violations > 0 ? `${outcome.violations} violating run${outcome.violations === 1 ? '' : 's'}` : 'every invariant held'} in ${outcome.runs} runs, ${outcome.seconds.toFixed(1)} s`];
  for (const s of outcome.scenarios) {
    lines.push(`  ${s.scenario}: ${s.runs} runs (${s.fresh} fresh, ${s.mutants} mutants), ${s.coverage} coverage points, corpus ${s.corpus}${s.stoppedBy === 'budget' ? ', budget spent' : ''}`);
    for (const f of s.failures) {
      const written = repros.find((r) => r.failure === f);
      lines.push(`    ✗ ${f.invariant}: first at run ${f.iteration}${f.seed !== null ? ` (seed ${f.seed})` : ' (a mutant)'}, ${f.violations} run${f.violations === 1 ? '' : 's'}: ${f.message}`);
      if (written) lines.push(`      replay: npx lnsim replay ${written.file}`);
    }
  }
  return lines.join('\n') + '\n';
}

function toJson(outcome: FuzzOutcome, repros: readonly WrittenFailure[]) {
  return {
    seed: outcome.seed,
    bugs: outcome.bugs,
    runs: outcome.runs,
    violations: outcome.violations,
    elapsedSeconds: Math.round(outcome.seconds * 1000) / 1000,
    scenarios: outcome.scenarios.map((s) => ({
      scenario: s.scenario,
      runs: s.runs,
      fresh: s.fresh,
      mutants: s.mutants,
      events: s.events,
      coverage: s.coverage,
      corpus: s.corpus,
      violations: s.violations,
      stoppedBy: s.stoppedBy,
      failures: s.failures.map((f) => {
        const written = repros.find((r) => r.failure === f);
        return { invariant: f.invariant, message: f.message, iteration: f.iteration, seed: f.seed, fingerprint: f.fingerprint, events: f.events, violations: f.violations, repro: written?.file ?? null };
      }),
    })),
  };
}
