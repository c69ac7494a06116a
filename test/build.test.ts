// The compiled build (scripts/build.mjs) that lnsim, the bench and the sweep
// workers run: named by a hash that follows every source edit, and running
// exactly the simulation the TypeScript sources run.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
// @ts-expect-error: a plain JavaScript module without types
import { build, sourceFiles, sourceHash } from '../scripts/build.mjs';

describe('compiled build', () => {
  it('covers the runtime sources, not the tests', () => {
    const files: string[] = sourceFiles();
    expect(files).toContain('cli.tsx');
    expect(files).toContain('sweep/worker.ts');
    expect(files.some((f) => f.startsWith('test/'))).toBe(false);
  });

  it('is renamed by any edit of a source file, so stale output is never run', () => {
    const root = mkdtempSync(join(tmpdir(), 'lnsim-build-'));
    try {
      mkdirSync(join(root, 'sim'));
      writeFileSync(join(root, 'sim', 'a.ts'), 'export const a = 1;\n');
      const files: string[] = sourceFiles(root);
      expect(files).toEqual(['sim/a.ts']);
      const before = sourceHash(files, root);
      expect(sourceHash(files, root)).toBe(before);
      writeFileSync(join(root, 'sim', 'a.ts'), 'export const a = 2;\n');
      expect(sourceHash(files, root)).not.toBe(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs the same simulations as the sources: same fingerprints', async () => {
    const dir: string = await build({ quiet: true });
    const compiled = (await import(pathToFileURL(join(dir, 'api.js')).href)) as typeof import('../api.ts');
    for (const scenario of ['two-node-payments', 'forward-async-persist', 'lsps2-jit-mpp']) {
      for (const seed of [1, 7]) expect(compiled.runScenario(scenario, { seed }).fingerprint).toBe(runScenario(scenario, { seed }).fingerprint);
    }
  });
});
