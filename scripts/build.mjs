// Compiles the TypeScript sources to plain JavaScript once, so the CLI, the
// bench and the sweep workers run without a TypeScript loader on the hot path
// (a runtime transform costs start-up per worker and wraps every closure).
// `npm ci` runs this through the `prepare` script; `npm run build` re-runs it.
//
// Output: dist/<hash>/, the same tree as the sources with .ts/.tsx compiled to
// .js, where <hash> covers every source file, this script and the compiler's
// version. A launcher hashes the sources again before it runs anything, so
// output built from other sources is never used: it is rebuilt (well under a
// second) or, if that fails, the sources run through tsx with a notice.
// Builds land in a temporary directory renamed into place, so concurrent
// launchers never see a half-written build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** Written last into a finished build. */
const DONE = 'BUILD';
/** Directories that hold no runtime sources (vitest keeps running test/ from TypeScript). */
const SKIP = new Set(['node_modules', 'dist', 'test', 'lnsim-report', 'reports-out', 'vitest.config.ts']);
/** Finished builds kept besides the current one (a process started on an older build may still load from it). */
const KEEP_OLD = 2;

/** Every runtime source file, relative to the root, sorted. */
export function sourceFiles(root = ROOT) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIP.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

function compilerVersion() {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
}

/** The build's name: a hash of the sources, this script and the compiler version. */
export function sourceHash(files = sourceFiles(), root = ROOT) {
  const hash = createHash('sha256');
  hash.update(`esbuild ${compilerVersion()}\n`);
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const file of files) {
    hash.update(`\n${file}\n`);
    hash.update(readFileSync(join(root, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Relative imports name the .ts source; the compiled tree has .js files in the same places. */
const rewriteRelativeImports = {
  name: 'rewrite-relative-imports',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.tsx?$/, '.js'), external: true }));
  },
};

/** Compile every source file into dist/<hash>/ (if not there already); returns that directory. */
export async function build({ quiet = false } = {}) {
  const files = sourceFiles();
  const hash = sourceHash(files);
  const out = join(DIST, hash);
  if (existsSync(join(out, DONE))) return out;
  const { build: esbuild } = await import('esbuild');
  const temp = join(DIST, `.tmp-${hash}-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  const started = performance.now();
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: files,
    outdir: temp,
    outbase: '.',
    bundle: true,
    packages: 'external',
    plugins: [rewriteRelativeImports],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'error',
  });
  writeFileSync(join(temp, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(temp, DONE), `${hash}\n`);
  try {
    renameSync(temp, out);
  } catch (e) {
    // Another process finished the same build first.
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(join(out, DONE))) throw e;
  }
  prune(hash);
  if (!quiet) process.stderr.write(`lnsim: compiled ${files.length} files to ${relative(ROOT, out)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return out;
}

/** Drop all but the newest few finished builds, and temporaries left by killed builds. */
function prune(current) {
  if (!existsSync(DIST)) return;
  const builds = [];
  for (const name of readdirSync(DIST)) {
    const path = join(DIST, name);
    if (name.startsWith('.tmp-')) {
      if (Date.now() - statSync(path).mtimeMs > 600_000) rmSync(path, { recursive: true, force: true });
    } else if (name !== current && existsSync(join(path, DONE))) {
      builds.push({ path, at: statSync(join(path, DONE)).mtimeMs });
    }
  }
  builds.sort((a, b) => b.at - a.at);
  for (const old of builds.slice(KEEP_OLD)) rmSync(old.path, { recursive: true, force: true });
}

/**
 * The compiled module of a source file (e.g. 'cli.tsx'), built now if the sources changed since the last build.
 * Undefined (with a one-line notice on stderr) when it cannot be built: the caller then runs the sources via tsx.
 * LNSIM_FROM_SOURCE=1 skips the compiled output on purpose.
 */
export async function compiledModule(source) {
  if (process.env.LNSIM_FROM_SOURCE === '1') return undefined;
  const dir = await (compiledOutput ??= compiledDir());
  return dir === undefined ? undefined : pathToFileURL(join(dir, source.replace(/\.tsx?$/, '.js'))).href;
}

/** This process's compiled output (checked and built once, however many modules it loads from it). */
let compiledOutput;

async function compiledDir() {
  try {
    // Quiet: a command's output must not depend on whether the sources changed since the last build.
    return await build({ quiet: true });
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    process.stderr.write(`lnsim: the compiled output is missing or out of date and could not be rebuilt (${reason}); running the TypeScript sources through tsx, which is slower: fix the build with 'npm run build'\n`);
    return undefined;
  }
}

/** Run a source file compiled, or through tsx when it cannot be compiled. */
export async function runCompiled(source) {
  const compiled = await compiledModule(source);
  if (compiled) return import(compiled);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(ROOT, source)).href);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await build();
