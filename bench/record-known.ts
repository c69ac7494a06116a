// Re-records the known runs of the real-LDK scenarios (scenarios/ldk/known-runs.ts):
// runs each entry's seed again and writes the fingerprint it has now. An entry
// whose seed no longer breaks its invariant is dropped and named. Run it after a
// change to the harness glue that moves LDK traces, and read the changed runs
// again before you trust the new fingerprints (the message of each is printed):
// a known run is a triage, and the script only keeps its fingerprint current.
//
//   node --import tsx bench/record-known.ts          check and rewrite the file
//   node --import tsx bench/record-known.ts --check  check only (exit 1 if an entry is stale)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KnownRun } from '../scenarios/known.ts';
import { LDK_KNOWN_RUNS } from '../scenarios/ldk/known-runs.ts';
import { runSweep } from '../sweep/engine.ts';

const FILE = fileURLToPath(new URL('../scenarios/ldk/known-runs.ts', import.meta.url));
const checkOnly = process.argv.includes('--check');

const kept: Record<string, KnownRun[]> = {};
let stale = 0;
for (const [scenario, entries] of Object.entries(LDK_KNOWN_RUNS)) {
  for (const entry of entries) {
    const outcome = await runSweep({ scenarios: [scenario], bugs: [], from: entry.seed, seeds: 1, workers: 1, failOnKnown: true });
    const run = outcome.failures[0];
    const where = `${scenario} seed ${entry.seed} (${entry.bug})`;
    if (!run || run.violation?.invariant !== entry.invariant) {
      console.log(`${where}: DROPPED, it now ${run ? `breaks ${run.violation?.invariant}` : 'passes'}: triage it again`);
      stale++;
      continue;
    }
    const same = run.fingerprint === entry.fingerprint;
    if (!same) stale++;
    console.log(`${where}: ${same ? 'unchanged' : 'NEW FINGERPRINT'}: ${run.violation.message}`);
    (kept[scenario] ??= []).push({ ...entry, fingerprint: run.fingerprint });
  }
}

if (checkOnly) process.exit(stale > 0 ? 1 : 0);
const body = Object.entries(kept)
  .map(([scenario, entries]) => `  '${scenario}': [\n${entries.map((e) => `    ${JSON.stringify(e)},`).join('\n')}\n  ],`)
  .join('\n');
writeFileSync(
  FILE,
  `// Known runs of the real-LDK scenarios: failing runs triaged as bugs of LDK 0.1.0
// (upstream rust-lightning issues fixed after that release), by exact trace. A
// sweep lists them apart and passes (scenarios/known.ts). Fingerprints are
// written by \`node --import tsx bench/record-known.ts\`; the triage (bug, why)
// is a person's, from the trace and LDK's log (scenarios/corpus/README.md).
import type { KnownRun } from '../known.ts';

export const LDK_KNOWN_RUNS: Readonly<Record<string, readonly KnownRun[]>> = {
${body}
};
`,
);
console.log(`wrote ${FILE}`);
