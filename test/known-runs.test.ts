// Known runs (scenarios/known.ts): a failing run whose seed, fingerprint and
// invariant match a triaged entry is reported apart and does not fail the sweep;
// anything else still fails; --fail-on-known counts them again.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReport } from '../reports/report.ts';
import { runSweep } from '../sweep/engine.ts';
import { lnsim } from './fixtures/cli-capture.ts';
import { KNOWN_SEED, STALE_SEED } from './fixtures/toy-known-scenario.ts';

const TOY_KNOWN = './test/fixtures/toy-known-scenario.ts';
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-known-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('known runs in a sweep', () => {
  const range = { from: 1, seeds: STALE_SEED };

  it('a run matching its entry is known, not a violation; an entry with another fingerprint hides nothing', async () => {
    const outcome = await runSweep({ scenarios: [TOY_KNOWN], bugs: [], ...range, workers: 1 });
    expect(outcome.known.map((k) => [k.seed, k.known.bug])).toEqual([[KNOWN_SEED, 'toy <#1>']]);
    expect(outcome.failures.map((f) => f.seed)).toContain(STALE_SEED);
    expect(outcome.failures.map((f) => f.seed)).not.toContain(KNOWN_SEED);
    expect(outcome.scenarios[0].known).toBe(1);
    const counted = await runSweep({ scenarios: [TOY_KNOWN], bugs: [], ...range, workers: 1, failOnKnown: true });
    expect(counted.known).toEqual([]);
    expect(counted.violations).toBe(outcome.violations + 1);
    expect(counted.failures.map((f) => f.seed)).toContain(KNOWN_SEED);
    // Same runs either way: the classification changes no trace.
    expect(counted.digest).toBe(outcome.digest);
  });

  it('the same with 2 workers', async () => {
    const one = await runSweep({ scenarios: [TOY_KNOWN], bugs: [], from: 1, seeds: 40, workers: 1 });
    const two = await runSweep({ scenarios: [TOY_KNOWN], bugs: [], from: 1, seeds: 40, workers: 2, batchSize: 5 });
    expect(two.known.map((k) => k.seed)).toEqual(one.known.map((k) => k.seed));
    expect(two.violations).toBe(one.violations);
  });

  it('lnsim run passes on a known run, lists it in every report file, and --fail-on-known fails on it', async () => {
    const dir = join(tmp, 'known');
    const r = await lnsim('run', '--scenario', TOY_KNOWN, '--seed', String(KNOWN_SEED), '--report', dir, '--ci');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('every invariant held in 1 run');
    expect(r.stdout).toContain(`toy-token-known seed ${KNOWN_SEED} / toy-monotonic: toy <#1>`);
    const report = readReport(dir);
    expect(report.violationCount).toBe(0);
    expect(report.known).toEqual([expect.objectContaining({ scenario: 'toy-token-known', seed: KNOWN_SEED, invariant: 'toy-monotonic', bug: 'toy <#1>' })]);
    expect(report.scenarios[0].known).toBe(1);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain(`| toy-token-known | ${KNOWN_SEED} | toy-monotonic | toy &lt;#1&gt; |`);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain(`1 known run not counted: seed ${KNOWN_SEED} (toy &lt;#1&gt;)`);

    const json = await lnsim('run', '--scenario', TOY_KNOWN, '--seed', String(KNOWN_SEED), '--report', join(tmp, 'known-json'), '--json');
    expect(JSON.parse(json.stdout).known).toEqual([expect.objectContaining({ seed: KNOWN_SEED, bug: 'toy <#1>' })]);

    const strict = await lnsim('run', '--scenario', TOY_KNOWN, '--seed', String(KNOWN_SEED), '--report', join(tmp, 'strict'), '--ci', '--no-shrink', '--fail-on-known');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('1 violating run in 1 run');
    expect(readReport(join(tmp, 'strict')).known).toEqual([]);
  });
});
