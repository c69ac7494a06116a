#!/usr/bin/env node
// Runs one of the project's TypeScript entry points compiled (rebuilt first if
// the sources changed), e.g. `node bin/run.js bench/bench.ts -- --seconds 2`.
import { runCompiled } from '../scripts/build.mjs';

const [source, ...rest] = process.argv.slice(2);
if (!source) {
  process.stderr.write('usage: node bin/run.js FILE.ts [args]: give the TypeScript entry point to run\n');
  process.exit(2);
}
process.argv.splice(2, 1 + (rest[0] === '--' ? 1 : 0));
await runCompiled(source);
