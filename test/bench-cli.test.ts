// `npm run bench` with a bad option: one line naming it and the fix, exit 2, no stack trace (it used to throw
// parseArgs' error with its stack); --help lists every option.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function bench(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'bench/bench.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run bench: bad input', () => {
  it('an unknown option and a non-number each give one line and exit 2; --help lists the options', async () => {
    const [unknown, notNumber, help] = await Promise.all([bench('--bogus'), bench('--seconds', 'x'), bench('--help')]);
    for (const r of [unknown, notNumber]) {
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(unknown.stderr).toContain(`Unknown option '--bogus'; 'npm run bench -- --help' lists the options`);
    expect(notNumber.stderr).toContain('--seconds x is not a number of at least 0.01; give e.g. --seconds 8');
    expect(help.code).toBe(0);
    for (const option of ['--seconds', '--memory-seeds', '--skip-hunt', '--ldk-seeds', '--help']) expect(help.stdout).toContain(option);
  }, 60_000);
});
