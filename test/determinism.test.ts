// Determinism is the product: the same scenario and seed give the same trace in
// this process, in another process and in a worker thread; the recorded tape
// replays to the same fingerprint as its seed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runScenario, SCENARIOS } from '../api.ts';
import { fingerprints } from './fixtures/fingerprints.ts';

const script = fileURLToPath(new URL('./fixtures/fingerprints.ts', import.meta.url));
const tsWorker = fileURLToPath(new URL('./fixtures/ts-worker.mjs', import.meta.url));
const seeds = [1, 2, 3, 17, 99, 1234];

describe('determinism', () => {
  it('covers every built-in scenario', () => {
    expect(SCENARIOS.length).toBeGreaterThan(0);
  });

  // Real-LDK scenarios (an async prepare: WebAssembly) are slow; test/ldk-determinism.test.ts covers them.
  for (const scenario of SCENARIOS.filter((s) => !s.prepare).map((s) => s.name)) {
    it(`${scenario}: same seed, same fingerprint, twice in one process`, () => {
      expect(fingerprints(scenario, seeds)).toEqual(fingerprints(scenario, seeds));
      expect(new Set(fingerprints(scenario, seeds)).size).toBe(seeds.length);
    });

    it(`${scenario}: the same fingerprints in a separate process`, () => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', script, '--print', scenario, ...seeds.map(String)], { encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual(fingerprints(scenario, seeds));
    });

    it(`${scenario}: the same fingerprints in a worker thread`, async () => {
      const fromWorker = await new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(tsWorker, { workerData: { entry: new URL('./fixtures/fingerprints.ts', import.meta.url).href, scenario, seeds } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(fromWorker).toEqual(fingerprints(scenario, seeds));
    });

    it(`${scenario}: replaying the recorded tape reproduces the seed's run`, () => {
      for (const seed of seeds) {
        const original = runScenario(scenario, { seed, recordLabels: true });
        const replay = runScenario(scenario, { tape: original.tape, recordLabels: true });
        expect(replay.fingerprint).toBe(original.fingerprint);
        expect(replay.labels).toEqual(original.labels);
      }
    });
  }
});
