import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Simulation sweeps are CPU-bound; one fork per core, long tests allowed.
    pool: 'forks',
    // Every core: the default leaves one idle on a 2-core CI machine, and the suite is sweep-bound.
    maxWorkers: Math.max(1, availableParallelism()),
    testTimeout: 300_000,
    // The JSON report lets .ci/run print its own "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'node_modules/.cache/lnsim/vitest-results.json' }]],
    hookTimeout: 60_000,
  },
});
