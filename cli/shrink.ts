// lnsim shrink: the smallest tape found that still breaks the same invariant,
// written as a new repro file.
import { UsageError } from '../api.ts';
import { DEFAULT_SHRINK_RUNS, shrinkRepro } from '../reports/shrink-repro.ts';
import { sourceFromRepro } from '../ui/replay-source.ts';
import { intFlag, parseFlags, writeOutFile, checkOutFile, type Command } from './args.ts';

const HELP = `usage: lnsim shrink FILE [-o OUT] [--max-runs N]

Shrinks a failing repro to a smaller tape (fewer faults, calmer draws, a shorter
trace) that still violates the same invariant, and writes it as a new repro.

  -o, --out OUT     where to write the shrunk repro (default: FILE with .shrunk before .json)
  --max-runs N      most simulation runs to spend (default ${DEFAULT_SHRINK_RUNS}); the best
                    tape found so far is kept when they run out

Exit codes: 0 shrunk and written, 2 bad usage or bad input (a repro that does not fail included).
`;

const command: Command = async (args, io) => {
  const { values, positionals } = parseFlags(
    'shrink',
    args,
    { out: { type: 'string', short: 'o' }, 'max-runs': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`shrink: give exactly one repro file, got ${positionals.length} (see 'npx lnsim shrink --help')`);
  const file = positionals[0];
  const maxRuns = intFlag('shrink', 'max-runs', values['max-runs'], DEFAULT_SHRINK_RUNS, 1);
  const out = values.out ?? defaultOut(file);
  if (out !== '-') checkOutFile('shrink', out, 'small.repro.json');
  // Resolves (and loads, for a module path) the scenario and checks the bugs.
  const source = await sourceFromRepro(file);
  const result = shrinkRepro(source.repro!, { maxRuns });
  const repro = { ...result.repro, command: `npx lnsim replay ${out}` };
  const text = JSON.stringify(repro, null, 2) + '\n';
  if (out === '-') io.stdout.write(text);
  else writeOutFile('shrink', out, text, 'small.repro.json');
  const report = out === '-' ? io.stderr : io.stdout;
  report.write(
    `shrunk ${file} (${repro.violation?.invariant ?? 'no violation'}) in ${result.runs} runs:\n` +
      `  tape  ${result.before.tape} -> ${result.after.tape} draws\n` +
      `  trace ${result.before.events} -> ${result.after.events} events\n` +
      (out === '-' ? '' : `wrote ${out}; replay it with: npx lnsim replay ${out}\n`),
  );
  return 0;
};

function defaultOut(file: string): string {
  return file.endsWith('.repro.json') ? file.replace(/\.repro\.json$/, '.shrunk.repro.json') : file.endsWith('.json') ? file.replace(/\.json$/, '.shrunk.json') : `${file}.shrunk.json`;
}

export default command;
