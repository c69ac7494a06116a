// lnsim export: turn a repro into a vitest regression test (reports/export.ts).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isScenarioPath, UsageError } from '../api.ts';
import { exportFileName, renderRegressionTest } from '../reports/export.ts';
import type { DefinedScenario } from '../scenarios/define.ts';
import { replay, sourceFromRepro } from '../ui/replay-source.ts';
import { parseFlags, type Command } from './args.ts';

const HELP = `usage: lnsim export REPRO [-o FILE]

Writes a vitest file that replays the repro's run exactly and fails, naming the
invariant, while the run still breaks it (it passes once the bug is fixed). The
file is named after the scenario, the invariant and the seed, and says how to
replay the repro. For a scripted scenario whose failure the steps decide, the
file also writes the run as steps.

  -o, --out FILE   where to write it (default: <scenario>-<invariant>-<seed>.test.ts here)

Exit codes: 0 written, 2 bad usage or bad input (including a repro that no longer fails).
`;

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

const command: Command = async (args, io) => {
  const { values, positionals } = parseFlags('export', args, { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`export: give one repro file, e.g. 'lnsim export lnsim-report/repros/NAME.repro.json' (see 'lnsim export --help')`);
  const reproPath = positionals[0];
  const source = await sourceFromRepro(reproPath);
  const repro = source.repro!;
  const run = replay(source, { keepRecords: true });
  if (!run.violation) throw new UsageError(`export: the repro '${reproPath}' no longer breaks an invariant with this harness (fixed, or recorded by another version): nothing to export`);
  const out = resolve(values.out ?? exportFileName(repro));
  const definition = (source.scenario as Partial<DefinedScenario>).definition;
  const text = renderRegressionTest({
    repro,
    reproPath,
    outFile: out,
    testingModule: resolve(ROOT, 'testing.ts'),
    indexModule: resolve(ROOT, 'index.ts'),
    scenarioModule: isScenarioPath(repro.scenario) ? resolve(repro.scenario) : undefined,
    run,
    definition,
  });
  if (!existsSync(dirname(out))) mkdirSync(dirname(out), { recursive: true });
  const temp = `${out}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, out);
  io.stdout.write(`wrote ${values.out ?? exportFileName(repro)} (replays ${run.scenario} until '${run.violation.invariant}' at event ${run.violation.event}; run it with: npx vitest run ${values.out ?? exportFileName(repro)})\n`);
  return 0;
};

export default command;
