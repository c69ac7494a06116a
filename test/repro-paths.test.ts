// Defect 8 of issue 14: a repro from `--scenario ../relative.ts` replayed only from the directory the sweep
// ran in. The repro now records the module's absolute path too, and `replay FILE --scenario PATH` says
// where the module is when it has moved. Through the real bin, each command from its own directory.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-repro-paths-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function lnsim(cwd: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/lnsim.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe('defect 8: a repro of a scenario given by a relative path', () => {
  it('replays from any directory, and --scenario points replay at a module that moved', async () => {
    const work = join(tmp, 'work');
    const elsewhere = join(tmp, 'elsewhere', 'deeper');
    mkdirSync(work);
    mkdirSync(elsewhere, { recursive: true });
    // The toy fixture, outside the repository, importing the harness by absolute path.
    const toy = readFileSync(join(ROOT, 'test/fixtures/toy-scenario.ts'), 'utf8').replace(/'\.\.\/\.\.\//g, `'${ROOT}`);
    writeFileSync(join(tmp, 'toy.ts'), toy);
    const run = await lnsim(work, 'run', '--scenario', '../toy.ts', '--seeds', '12', '--workers', '1', '--no-shrink', '--ci', '--report', 'rep');
    expect(run.code, run.out).toBe(1);
    const repro = join(work, 'rep/repros/toy-token-toy-monotonic-9.repro.json');
    expect(JSON.parse(readFileSync(repro, 'utf8'))).toMatchObject({ scenario: '../toy.ts', scenarioFile: join(tmp, 'toy.ts') });

    const fromElsewhere = await lnsim(elsewhere, 'replay', repro, '--check');
    expect(fromElsewhere.code, fromElsewhere.out).toBe(0);
    expect(fromElsewhere.out).toContain('ok, fingerprint');

    renameSync(join(tmp, 'toy.ts'), join(tmp, 'moved.ts'));
    const lost = await lnsim(elsewhere, 'replay', repro, '--check');
    expect(lost.code).toBe(2);
    expect(lost.out).toBe(`lnsim: repro file '${repro}' names scenario module '../toy.ts' (recorded at ${join(tmp, 'toy.ts')}), which is not found from here: pass --scenario PATH to say where it is\n`);
    const pointed = await lnsim(elsewhere, 'replay', repro, '--scenario', '../../moved.ts', '--check');
    expect(pointed.code, pointed.out).toBe(0);
  });
});
