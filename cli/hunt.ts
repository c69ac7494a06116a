// lnsim hunt: for each planted bug, seeds and seconds until its invariant
// fails, and how short the shrunk failing trace is. Exit 0 when every hunted
// bug was caught by its invariant within the budget, 1 otherwise, 2 on bad usage.
import { BUGS, checkBugs, UsageError } from '../api.ts';
import { checkSearch, DEFAULT_HUNT_BUDGET_SECONDS, DEFAULT_HUNT_SEARCH, DEFAULT_HUNT_SHRINK_RUNS, hunt, HUNT_SEARCHES, type HuntReport, type HuntResult } from '../scenarios/hunt.ts';
import { intFlag, parseFlags, type Command } from './args.ts';

const HELP = `usage: lnsim hunt [--bug ID]... [--search ${HUNT_SEARCHES.join('|')}] [--budget-seconds T] [--max-seeds N]
                  [--from S] [--shrink-runs R] [--json]

For each planted bug (default: all of them), search its scenario with the bug on,
from seed 1, until the invariant the catalog names fails or the budget runs out.
Reports seeds (runs) and seconds to the first failure, the invariant that fired (a
different invariant firing first is flagged), and the shrunk trace length.

  --bug ID            hunt this bug (repeatable; 'npx lnsim list' shows the ids)
  --search NAME       how to search (default ${DEFAULT_HUNT_SEARCH}):
                        sweep  seeds in order, the scenario as 'npx lnsim run' sweeps it
                               (aimed faults where the scenario turns them on)
                        plain  seeds in order, aimed faults off
                        aim    seeds in order, aimed faults on (NAME+aim)
                        fuzz   coverage-guided tape mutation: half the runs the sweep's
                               seeds, half mutants of runs that reached rare coverage
  --budget-seconds T  seconds per bug before it counts as not caught (default ${DEFAULT_HUNT_BUDGET_SECONDS})
  --max-seeds N       also stop a bug's hunt after N runs (machine-independent bound)
  --from S            first seed (default 1)
  --shrink-runs R     simulation runs to spend shrinking each failure; 0 skips (default ${DEFAULT_HUNT_SHRINK_RUNS})
  --json              one JSON object on stdout instead of the table

Exit codes: 0 every bug caught by its invariant, 1 some bug not caught, 2 bad usage.
`;

const command: Command = async (args, io) => {
  const { values } = parseFlags('hunt', args, {
    bug: { type: 'string', multiple: true },
    search: { type: 'string' },
    'budget-seconds': { type: 'string' },
    'max-seeds': { type: 'string' },
    from: { type: 'string' },
    'shrink-runs': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const search = checkSearch(values.search ?? DEFAULT_HUNT_SEARCH);
  const budgetSeconds = secondsFlag(values['budget-seconds']);
  const maxSeeds = values['max-seeds'] === undefined ? undefined : intFlag('hunt', 'max-seeds', values['max-seeds'], 0, 1);
  const from = intFlag('hunt', 'from', values.from, 1);
  const shrinkRuns = intFlag('hunt', 'shrink-runs', values['shrink-runs'], DEFAULT_HUNT_SHRINK_RUNS);
  const json = values.json === true;
  checkBugs(values.bug ?? []);
  const table = new Table(BUGS.filter((b) => values.bug === undefined || values.bug.includes(b.id)));

  if (!json) io.stdout.write(`${table.header()}\n`);
  const report = hunt({
    bugs: values.bug,
    search,
    budgetSeconds,
    maxSeeds,
    from,
    shrinkRuns,
    onResult: json ? undefined : (r) => io.stdout.write(`${table.row(r)}\n`),
  });
  if (json) io.stdout.write(`${JSON.stringify(toJson(report), null, 2)}\n`);
  else io.stdout.write(`${footer(report)}\n`);
  return report.caught === report.total ? 0 : 1;
};
export default command;

function secondsFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_HUNT_BUDGET_SECONDS;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds > 0)) throw new UsageError(`hunt: --budget-seconds needs a positive number of seconds, got '${value}'`);
  return seconds;
}

/** Fixed-width columns, sized up front from the bugs to hunt, so rows can stream as each hunt ends. */
class Table {
  private readonly widths: readonly number[];
  constructor(bugs: readonly { id: string; scenario: string; invariant: string }[]) {
    const widest = (name: string, values: string[]) => Math.max(name.length, ...values.map((v) => v.length));
    this.widths = [widest('bug', bugs.map((b) => b.id)), widest('scenario', bugs.map((b) => b.scenario)), widest('invariant', bugs.map((b) => b.invariant)), 10, 7, 8];
  }

  header(): string {
    return this.line(['bug', 'scenario', 'invariant', 'caught', 'seeds', 'seconds', 'shrunk trace']);
  }

  row(r: HuntResult): string {
    const caught = r.caught ? (r.seed !== null ? `seed ${r.seed}` : 'a mutant') : r.stoppedBy === 'error' ? 'error' : 'NO';
    const shrunk = r.shrunk ? `${r.shrunk.before.events} → ${r.shrunk.after.events} events (tape ${r.shrunk.before.tape} → ${r.shrunk.after.tape})` : r.repro ? `${r.repro.events} events (not shrunk)` : '-';
    const flags = [
      r.wrongInvariant ? `WRONG INVARIANT FIRST: ${r.wrongInvariant.seed !== null ? `seed ${r.wrongInvariant.seed}` : 'a mutant'} broke ${r.wrongInvariant.invariant}` : undefined,
      !r.caught && r.stoppedBy === 'budget' ? 'budget spent' : undefined,
      !r.caught && r.stoppedBy === 'max-seeds' ? 'max seeds reached' : undefined,
      r.note ?? undefined,
    ].filter((f): f is string => f !== undefined);
    return this.line([r.bug, r.scenario, r.invariant, caught, String(r.seeds), r.seconds.toFixed(2), shrunk]) + (flags.length ? `  [${flags.join('; ')}]` : '');
  }

  /** Text columns left-aligned, numbers right-aligned, the last column as is. */
  private line(cells: readonly string[]): string {
    return cells.map((c, i) => (i >= this.widths.length ? c : i >= 4 ? c.padStart(this.widths[i]) : c.padEnd(this.widths[i]))).join('  ');
  }
}

function footer(report: HuntReport): string {
  const missed = report.results.filter((r) => !r.caught).map((r) => r.bug);
  const summary = `${report.caught} of ${report.total} planted bugs caught by their invariant (search ${report.search}, budget ${report.budgetSeconds} s per bug, ${report.elapsedSeconds.toFixed(1)} s in all)`;
  return missed.length === 0 ? summary : `${summary}\nnot caught: ${missed.join(', ')}`;
}

function toJson(report: HuntReport) {
  return {
    caught: report.caught,
    total: report.total,
    search: report.search,
    budgetSeconds: report.budgetSeconds,
    elapsedSeconds: round(report.elapsedSeconds),
    bugs: report.results.map((r) => ({
      bug: r.bug,
      scenario: r.scenario,
      invariant: r.invariant,
      caught: r.caught,
      seed: r.seed,
      seeds: r.seeds,
      seconds: round(r.seconds),
      events: r.events,
      stoppedBy: r.stoppedBy,
      violation: r.violation,
      wrongInvariant: r.wrongInvariant,
      shrunk: r.shrunk ? { ...r.shrunk, seconds: round(r.shrunk.seconds) } : null,
      replay: r.repro?.command ?? null,
      note: r.note,
    })),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
