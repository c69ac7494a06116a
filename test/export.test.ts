// lnsim export: a repro becomes a vitest file that replays it; the file fails,
// naming the invariant, while the planted bug is on, and passes with it off.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRepro } from '../reports/repro.ts';
import { exportFileName } from '../reports/export.ts';
import { lnsim } from './fixtures/cli-capture.ts';

const ROOT = new URL('..', import.meta.url).pathname;
// Inside the repository (so 'vitest' resolves), in a dot folder the suite's glob skips.
const dir = join(ROOT, 'test', '.export-tmp');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'vitest.config.mts'), "export default { test: { include: ['*.test.ts'], pool: 'forks', maxWorkers: 1 } };\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function vitest(file: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--config', join(dir, 'vitest.config.mts'), file], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('lnsim export', () => {
  it('writes a regression test that fails while the bug is planted and passes without it', async () => {
    // The corpus's ldk-2169 entry (its seed moves when the corpus is re-recorded).
    const entry = readdirSync(join(ROOT, 'scenarios/corpus')).find((f) => /^forward-async-persist-no-lost-htlc-\d+\.repro\.json$/.test(f))!;
    const repro = `scenarios/corpus/${entry}`;
    const out = join(dir, 'forward.test.ts');
    const { code, stdout } = await lnsim('export', repro, '-o', out);
    expect(code).toBe(0);
    expect(stdout).toContain("until 'no-lost-htlc'");
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`regression: forward-async-persist no-lost-htlc seed ${/-(\d+)\.repro\.json$/.exec(entry)![1]}`);
    expect(text).toContain(`// replay: npx lnsim replay ${repro}`);
    expect(text).toContain('const BUGS: string[] = ["ldk-2169"];');

    const planted = vitest('forward.test.ts');
    expect(planted.status).toBe(1);
    expect(planted.output).toContain("scenario 'forward-async-persist' broke invariant 'no-lost-htlc'");
    expect(planted.output).toContain(`replay: npx lnsim replay ${repro}`);

    writeFileSync(join(dir, 'fixed.test.ts'), text.replace('const BUGS: string[] = ["ldk-2169"];', 'const BUGS: string[] = [];'));
    const fixed = vitest('fixed.test.ts');
    expect(fixed.output).toContain('1 passed');
    expect(fixed.status).toBe(0);
  });

  it('names the file after scenario, invariant and seed, and refuses a repro that no longer fails', async () => {
    const { code } = await lnsim('export', 'scenarios/corpus/two-node-payments-monitor-safety-1.repro.json', '-o', join(dir, 'named.test.ts'));
    expect(code).toBe(0);
    expect(exportFileName(readRepro(join(ROOT, 'scenarios/corpus/two-node-payments-monitor-safety-1.repro.json')))).toBe('two-node-payments-monitor-safety-1.test.ts');
    const data = JSON.parse(readFileSync(join(ROOT, 'scenarios/corpus/two-node-payments-monitor-safety-1.repro.json'), 'utf8'));
    writeFileSync(join(dir, 'nobug.repro.json'), JSON.stringify({ ...data, bugs: [] }));
    const refused = await lnsim('export', join(dir, 'nobug.repro.json'), '-o', join(dir, 'never.test.ts'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no longer breaks an invariant');
    const bad = await lnsim('export');
    expect(bad.code).toBe(2);
  });
});

describe('lnsim export of a scripted failure', () => {
  it('also writes the run as steps, and both forms fail with the bug and pass without it', async () => {
    const report = join(dir, 'report');
    expect((await lnsim('run', '--scenario', 'inverted-mon-completion', '--seeds', '2', '--bug', 'ldk-2169', '--report', report, '--ci', '--workers', '1')).code).toBe(1);
    const out = join(dir, 'steps.test.ts');
    expect((await lnsim('export', join(report, 'repros', 'inverted-mon-completion-no-lost-htlc-1.repro.json'), '-o', out)).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain("{ holdWrites: { node: 'B', monitor: 'ab', manager: true } },");
    expect(text).toContain("{ crash: { node: 'B', keep: 'none' } },");
    const planted = vitest('steps.test.ts');
    expect(planted.status).toBe(1);
    expect(planted.output).toContain('2 failed');
    writeFileSync(join(dir, 'steps-fixed.test.ts'), text.replace('const BUGS: string[] = ["ldk-2169"];', 'const BUGS: string[] = [];'));
    const fixed = vitest('steps-fixed.test.ts');
    expect(fixed.output).toContain('2 passed');
    expect(fixed.status).toBe(0);
  });
});
