// The real bin as a child process: exit codes 0 / 1 / 2 as scripts see them,
// worker threads started from the bin, and Ctrl-C (SIGINT) mid-sweep still
// writing the report of the runs completed, marked interrupted.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReport } from '../reports/report.ts';

const TOY = './test/fixtures/toy-scenario.ts';
const ROOT = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-bin-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Child {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
  waitFor: (pattern: RegExp) => Promise<void>;
}

function lnsim(...args: string[]): Child {
  const child = spawn(process.execPath, ['bin/lnsim.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => {
    err += d;
    for (const w of waiting.filter((w) => w.pattern.test(err))) w.resolve();
  });
  return {
    code: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
    waitFor: (pattern) => (pattern.test(err) ? Promise.resolve() : new Promise((resolve) => waiting.push({ pattern, resolve }))),
  };
}

describe('bin/lnsim.js', () => {
  it('exits 0, 1 and 2 as the contract says', async () => {
    const held = lnsim('run', '--scenario', TOY, '--seeds', '8', '--workers', '2', '--report', join(tmp, 'held'), '--ci');
    const violated = lnsim('run', '--scenario', TOY, '--seed', '9', '--workers', '1', '--report', join(tmp, 'violated'), '--json', '--no-shrink');
    const misused = lnsim('run', '--frobnicate');
    expect(await held.code).toBe(0);
    expect(held.stdout()).toContain('every invariant held in 8 runs');
    expect(await violated.code).toBe(1);
    expect(JSON.parse(violated.stdout()).violations[0].seed).toBe(9);
    expect(await misused.code).toBe(2);
    expect(misused.stderr()).toBe("lnsim: run: Unknown option '--frobnicate' (see 'npx lnsim run --help')\n");
  });

  it('Ctrl-C stops the workers and writes the report of the completed runs, marked interrupted', async () => {
    const dir = join(tmp, 'interrupted');
    const child = lnsim('run', '--scenario', TOY, '--seeds', '1000000', '--workers', '2', '--report', dir, '--ci', '--no-shrink');
    await child.waitFor(/1,000,000 runs on 2 worker threads/);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill('SIGINT');
    const code = await child.code;
    const report = readReport(dir);
    expect(report.interrupted).toBe(true);
    expect(report.runs).toBeLessThan(1_000_000);
    expect(code).toBe(report.violationCount > 0 ? 1 : 130);
    expect(child.stderr()).toContain('interrupted: stopping the workers');
    expect(child.stdout()).toContain('(interrupted)');
  });

  // Defect 2 of issue 14: timeout, container stops and CI cancels send SIGTERM, which used to kill the sweep
  // without a report; and a reused report directory kept the older sweep's report and repros meanwhile.
  it('SIGTERM is treated like Ctrl-C, and a reused report directory never shows the older sweep as current (issue 14 defect 2)', async () => {
    const dir = join(tmp, 'terminated');
    mkdirSync(join(dir, 'repros'), { recursive: true });
    const stale = join(dir, 'repros', 'toy-older-sweep-424242.repro.json');
    writeFileSync(stale, '{}');
    for (const name of ['report.json', 'junit.xml', 'summary.md']) writeFileSync(join(dir, name), 'from an older sweep');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    const child = lnsim('run', '--scenario', TOY, '--seeds', '1000000', '--workers', '2', '--report', dir, '--ci', '--no-shrink');
    await child.waitFor(/1,000,000 runs on 2 worker threads/);
    // While the sweep runs, nothing of the older sweep is left to read as its result.
    for (const name of ['report.json', 'junit.xml', 'summary.md']) expect(existsSync(join(dir, name))).toBe(false);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill('SIGTERM');
    const code = await child.code;
    const report = readReport(dir);
    expect(report.interrupted).toBe(true);
    expect(report.runs).toBeLessThan(1_000_000); // on a loaded machine the workers may not have finished a batch yet
    expect(code).toBe(report.violationCount > 0 ? 1 : 130);
    expect(child.stderr()).toContain('terminated (SIGTERM): stopping the workers');
    expect(existsSync(stale)).toBe(false);
  });
});
