// Records the regression corpus (scenarios/corpus/): one shrunk repro per
// planted bug, found the way `lnsim hunt` finds it, so `npm test` proves that
// every detector still catches its bug. Re-run it when the model changes on
// purpose (the corpus test says so when fingerprints drift).
//
//   node --import tsx bench/record-corpus.ts            the Lightning planted bugs
//   node --import tsx bench/record-corpus.ts ID...      these planted bugs
//   node --import tsx bench/record-corpus.ts --refresh  re-record entries made without a planted bug
//                                                       (saved by `lnsim run --save-failures`) from their tapes
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario, runScenario } from '../api.ts';
import { bugs as lightningBugs } from '../model/ln/catalog.ts';
import { readRepro, type ReproFile } from '../reports/repro.ts';
import { writeJsonAtomic } from '../reports/write.ts';
import { hunt } from '../scenarios/hunt.ts';
import { reproFileName } from '../sweep/repros.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORPUS_DIR = join(ROOT, 'scenarios', 'corpus');

/** Shrinking budget per entry: smaller tapes make smaller, more readable repros. */
const SHRINK_RUNS = 1_000;
const BUDGET_SECONDS = 120;

function entries(): { file: string; repro: ReproFile }[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.repro.json'))
    .sort()
    .map((file) => ({ file, repro: readRepro(join(CORPUS_DIR, file)) }));
}

const command = (file: string) => `npx lnsim replay ${relative(ROOT, join(CORPUS_DIR, file))}`;

async function recordBugs(ids: readonly string[]): Promise<number> {
  let missed = 0;
  const report = hunt({ bugs: ids, budgetSeconds: BUDGET_SECONDS, shrinkRuns: SHRINK_RUNS });
  for (const result of report.results) {
    if (!result.caught || !result.repro || result.repro.violation?.invariant !== result.invariant) {
      console.log(`${result.bug}: NOT RECORDED (${result.caught ? result.note : `not caught within ${BUDGET_SECONDS} s`})`);
      missed++;
      continue;
    }
    for (const old of entries()) if (old.repro.bugs.length === 1 && old.repro.bugs[0] === result.bug) rmSync(join(CORPUS_DIR, old.file));
    const file = reproFileName(result.scenario, result.invariant, result.seed!);
    writeJsonAtomic(join(CORPUS_DIR, file), { ...result.repro, command: command(file) });
    console.log(`${result.bug}: ${file} (seed ${result.seed}, tape ${result.repro.tape.length}, ${result.repro.events} events)`);
  }
  return missed;
}

/** Entries without a planted bug: replay the tape with today's model and record what it does now. */
async function refresh(): Promise<number> {
  for (const { file, repro } of entries()) {
    if (repro.bugs.length > 0) continue;
    const scenario = await loadScenario(repro.scenario, ROOT);
    const run = runScenario(scenario, { tape: repro.tape, bugs: [], recordLabels: true });
    writeJsonAtomic(join(CORPUS_DIR, file), { ...repro, fingerprint: run.fingerprint, events: run.events, violation: run.violation ?? null, labels: run.labels, command: command(file) });
    console.log(`${file}: ${run.violation ? `still breaks ${run.violation.invariant}` : 'no violation now (kept as a regression run)'}`);
  }
  return 0;
}

const args = process.argv.slice(2);
const missed = args.includes('--refresh') ? await refresh() : await recordBugs(args.length > 0 ? args : lightningBugs.map((b) => b.id));
process.exitCode = missed === 0 ? 0 : 1;
