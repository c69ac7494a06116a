// Defect 12 of issue 14: the project stands alone. Nothing in the repository points outside it (the design
// lived in ../shared, and catalog references named files under shared/seeds); the design is in docs/ and
// cites every planted bug; and tests that make temporary folders remove them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUGS } from '../api.ts';
import { listing, renderListing } from '../cli/list.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'lnsim-report']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith('.')) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const TEXT = /\.(?:ts|tsx|mjs|js|md|json|yml|yaml)$/;
/** References to material that is not in a clone: the shared design folder and its seed notes. */
const OUTSIDE = /\.\.\/shared|shared\/(?:DESIGN|seeds)|(?<![\w-])seeds\/[\w-]+\.txt/;

describe('defect 12: the project stands alone', () => {
  it('no file of the repository points at ../shared or its seed notes', () => {
    const self = fileURLToPath(import.meta.url);
    const offenders = files(ROOT)
      .filter((f) => TEXT.test(f) && f !== self)
      .filter((f) => OUTSIDE.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it("'lnsim list' cites upstream references only", () => {
    const text = renderListing(listing(), 100);
    expect(text).not.toMatch(OUTSIDE);
    for (const bug of BUGS) expect(bug.reference, bug.id).not.toMatch(OUTSIDE);
  });

  it('docs/ holds the design, naming every planted bug, and the README points there', () => {
    const design = readFileSync(join(ROOT, 'docs/DESIGN.md'), 'utf8');
    for (const heading of ['## 1. Layers', '## 2. The kernel', '## 3. The model', '## 4. Invariants', '## 5. Planted bugs', '## 6. The command line', '## 7. Scenarios']) expect(design).toContain(heading);
    for (const bug of BUGS) expect(design, bug.id).toContain(`\`${bug.id}\``);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('docs/');
  });

  it('every test that makes a temporary folder removes it', () => {
    const leaking = files(join(ROOT, 'test'))
      .filter((f) => /\.test\.tsx?$/.test(f))
      .filter((f) => {
        const text = readFileSync(f, 'utf8');
        return /mkdtempSync\(/.test(text) && !/rmSync\([^)]*(?:recursive: true)/.test(text);
      })
      .map((f) => relative(ROOT, f));
    expect(leaking).toEqual([]);
  });
});
