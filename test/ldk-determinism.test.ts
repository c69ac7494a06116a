// Real LDK runs are deterministic: the same seed gives the same fingerprint in another process, and a sweep gives
// the same digest on one thread and on two workers (one WebAssembly instance each).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenarioAsync } from '../api.ts';
import { runSweep } from '../sweep/index.ts';

const SCENARIO = 'ldk-two-node-payments';

describe('LDK determinism', () => {
  it('same seed, same fingerprint in two processes', async () => {
    await loadScenario(SCENARIO);
    const result = await runScenarioAsync(SCENARIO, { seed: 5 });
    const here = result.fingerprint;
    // The TUI's picture of an LDK node: its channels, in-flight monitor updates, durable monitor ids, pending events.
    // (Early in the run, while the channel is surely open: the run's faults may close it later.)
    const early = await runScenarioAsync(SCENARIO, { seed: 5, stopAfterEvent: 40 });
    const snapshot = early.world.snapshot('A') as { backend: string; channels: { channel: string }[]; inflightMonitorUpdates: unknown[]; durableMonitorIds: Record<string, string>; pendingEvents: number };
    expect(snapshot.backend).toBe('ldk');
    expect(snapshot.channels.map((c) => c.channel)).toContain('ab');
    expect(Object.keys(snapshot.durableMonitorIds)).toEqual(['ab']);
    expect(Array.isArray(snapshot.inflightMonitorUpdates)).toBe(true);
    const script = `import { loadScenario, runScenarioAsync } from './api.ts'; await loadScenario('${SCENARIO}'); process.stdout.write((await runScenarioAsync('${SCENARIO}', { seed: 5 })).fingerprint);`;
    const there = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' }).trim();
    expect(there).toBe(here);
  }, 180_000);

  it('same digest on one thread and on two workers', async () => {
    const plan = { scenarios: [SCENARIO], bugs: [], from: 1, seeds: 2, batchSize: 1 };
    const one = await runSweep({ ...plan, workers: 1 });
    const two = await runSweep({ ...plan, workers: 2 });
    expect(two.workers).toBe(2);
    expect(two.digest).toBe(one.digest);
    expect(one.runs).toBe(2);
  }, 300_000);
});
