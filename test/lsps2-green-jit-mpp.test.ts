// With every planted bug off, lsps2-jit-mpp stays green over a long sweep (one file
// per scenario so that vitest can spread them over the cores).
import { expect, it } from 'vitest';
import { sweep } from '../api.ts';

it('lsps2-jit-mpp stays green with every bug off', () => {
  // The three LSPS2 green sweeps add up to 20,000 seeds.
  const seeds = 7_000;
  const started = performance.now();
  const result = sweep({ scenarios: ['lsps2-jit-mpp'], seeds });
  const first = result.failures[0];
  expect(first ? `seed ${first.seed}: ${first.violation!.invariant}: ${first.violation!.message}` : 'green').toBe('green');
  expect(result.runs).toBe(seeds);
  const seconds = (performance.now() - started) / 1000;
  console.log(`lsps2-jit-mpp: ${seeds} seeds green in ${seconds.toFixed(1)} s (${(seeds / seconds).toFixed(0)} runs/s, ${(result.events / seeds).toFixed(0)} events/run)`);
});
