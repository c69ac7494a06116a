#!/usr/bin/env node
// The `lnsim` command: runs the compiled CLI (scripts/build.mjs recompiles it
// first if the sources changed since the last build), or the TypeScript CLI
// through tsx when it cannot be compiled.
import { runCompiled } from '../scripts/build.mjs';

await runCompiled('cli.tsx');
