import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Simulation sweeps are CPU-bound; one fork per core, long tests allowed.
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
