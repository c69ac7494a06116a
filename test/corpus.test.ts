// The regression corpus: every repro in scenarios/corpus/ replays to the
// fingerprint it recorded and, if it recorded a violation, still breaks the
// same invariant. Entries recorded with a planted bug on are detector
// regression tests: if an invariant stops catching its bug, this fails.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bugs as lightningBugs } from '../model/ln/catalog.ts';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../api.ts';
import { findBug } from '../model/index.ts';
import { readRepro } from '../reports/repro.ts';
import { describeDivergence } from '../ui/divergence.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORPUS_DIR = join(ROOT, 'scenarios', 'corpus');
const RERECORD = 'if the model changed on purpose, re-record the corpus: node --import tsx bench/record-corpus.ts (see scenarios/corpus/README.md)';

/** Every Lightning planted bug has a corpus entry: a detector that stops catching it fails here. */
const SEEDED_BUGS = lightningBugs.map((b) => b.id);
const MIN_ENTRIES = SEEDED_BUGS.length;

const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.repro.json')).sort();

describe('regression corpus (scenarios/corpus)', () => {
  it(`holds at least ${MIN_ENTRIES} repros, covering every Lightning planted bug the corpus was seeded with`, () => {
    expect(files.length).toBeGreaterThanOrEqual(MIN_ENTRIES);
    const recordedBugs = new Set(files.flatMap((f) => readRepro(join(CORPUS_DIR, f)).bugs));
    for (const id of SEEDED_BUGS) expect(findBug(id), `corpus seed bug ${id} is not in the catalog`).toBeDefined();
    for (const id of SEEDED_BUGS) expect(recordedBugs.has(id), `no corpus entry for planted bug ${id}: ${RERECORD}`).toBe(true);
  });

  it.each(files)('%s replays to its recorded fingerprint and violation', async (file) => {
    const repro = readRepro(join(CORPUS_DIR, file));
    const scenario = await loadScenario(repro.scenario, ROOT);
    const run = runScenario(scenario, { tape: repro.tape, bugs: repro.bugs, recordLabels: true });
    if (repro.violation) {
      const planted = repro.bugs.length > 0 ? ` with planted bug ${repro.bugs.join(', ')} on` : '';
      expect(run.violation?.invariant, `${file}${planted} no longer breaks '${repro.violation.invariant}' (got ${run.violation ? `'${run.violation.invariant}': ${run.violation.message}` : 'no violation'}): a detector regression? ${RERECORD}`).toBe(repro.violation.invariant);
    }
    const divergence = describeDivergence(
      { fingerprint: repro.fingerprint, events: repro.events, violation: repro.violation, labels: repro.labels, tapeLength: repro.tape.length },
      { fingerprint: run.fingerprint, events: run.events, violation: run.violation, labels: run.labels, tapeLength: run.tape.length },
    );
    expect(divergence, `${file}: ${divergence}; ${RERECORD}`).toBeUndefined();
  });
});
