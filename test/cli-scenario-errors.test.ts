// Defect 1 of issue 14: a scenario file written as the tutorial says, in the user's own folder (no
// package.json "type": "module"), must fail with its real error in one line: the fallback loader's error
// used to be dropped for node's unrelated "Cannot require() ES Module ... in a cycle", and syntax errors
// lost their file:line:col. Run through the real bin, as a new user would.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INDEX = join(ROOT, 'index.ts');
const outside = mkdtempSync(join(tmpdir(), 'lnsim-mine-'));
const inside = mkdtempSync(join(ROOT, 'test', '.tmp-scenario-'));
afterAll(() => {
  rmSync(outside, { recursive: true, force: true });
  rmSync(inside, { recursive: true, force: true });
});

function lnsim(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/lnsim.js'), ...args], { cwd: outside, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const good = (extra: string) => `import { defineScenario } from ${JSON.stringify(INDEX)};
export default defineScenario({
  name: 'mine', description: 'A user scenario.',
  topology: { nodes: ['a', 'b'], channels: [${extra}] },
  workload: { payments: { count: 2, amount: 1_000, pairs: [['a', 'b']] } },
});
`;

function write(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('defect 1: scenario module load errors, outside an ES-module package', () => {
  it('a channel naming an unknown node, a missing import and a syntax error each give the real one-line error, exit 2', async () => {
    const unknownNode = write(outside, 'bad.ts', good(`{ id: 'ab', between: ['a', 'zed'], capacity: 1_000_000 }`));
    const missing = write(outside, 'missing.ts', `import { nope } from './does-not-exist.ts';\nexport default nope;\n`);
    const syntax = write(outside, 'syntax.ts', `import { defineScenario } from ${JSON.stringify(INDEX)};\nexport default defineScenario({\n  name: 'x',,\n});\n`);
    const [a, b, c] = await Promise.all([unknownNode, missing, syntax].map((f) => lnsim('run', '--scenario', f, '--seeds', '2', '--report', join(outside, 'r'))));
    for (const r of [a, b, c]) {
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/cycle|require\(\)|\n\s+at /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(a.stderr).toContain(`node "zed", which is not in topology.nodes`);
    expect(b.stderr).toContain(`Cannot find module './does-not-exist.ts' imported from ${missing}`);
    expect(c.stderr).toContain(`syntax error at ${syntax}:3:12: Expected identifier`);
  });

  it('a syntax error in a scenario inside the repository keeps its file, line and column', async () => {
    const file = write(inside, 'syntax.ts', `import { defineScenario } from '../../index.ts';\nexport default defineScenario({\n  name: 'x',,\n});\n`);
    const r = await lnsim('run', '--scenario', file, '--seeds', '2', '--report', join(outside, 'r2'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`syntax error at ${file}:3:12: Expected identifier`);
  });
});
