#!/usr/bin/env node
// The `lnsim` command: runs the compiled CLI (scripts/build.mjs recompiles it
// first if the sources changed since the last build), or the TypeScript CLI
// through tsx when it cannot be compiled.
import { compiledModule, runCompiled } from '../scripts/build.mjs';

// A sweep's worker threads load the model while this thread loads the CLI (sweep/early-workers.ts).
if (process.argv[2] === 'run') {
  const early = await compiledModule('sweep/early-workers.ts');
  if (early !== undefined) {
    const { earlyWorkerCount, startEarlyWorkers } = await import(early);
    startEarlyWorkers(earlyWorkerCount(process.argv.slice(3)));
  }
}
await runCompiled('cli.tsx');
