// The tutorial's scenario (scenarios/README.md, scenarios/examples/triangle.ts)
// holds over seeds, catches a planted bug, loads by path the way
// `lnsim run --scenario FILE` loads it, and its custom invariant can fail.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../api.ts';
import triangle, { successWasClaimed } from '../scenarios/examples/triangle.ts';
import type { TraceRecord } from '../sim/trace.ts';
import type { World } from '../sim/world.ts';
import { checkScenario, expectViolation } from '../testing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-define-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the tutorial scenario', () => {
  it('holds every invariant over seeds 1..100', () => {
    const summary = checkScenario(triangle, { seeds: 100 });
    expect(summary.runs).toBe(100);
    expect(summary.events).toBeGreaterThan(100 * 100);
  });

  it('catches a planted bug with the invariant the catalog names', () => {
    const found = expectViolation(triangle, { seeds: 50, bugs: ['ln-early-raa'], invariant: 'monitor-safety' });
    expect(found.violation.invariant).toBe('monitor-safety');
  });

  it('checks its custom invariant in every run', () => {
    expect(triangle.invariants).toContain('success-was-claimed');
    expect(triangle.build(new Set()).checkers().map((c) => c.name)).toContain('success-was-claimed');
    // Payments succeed in these runs, so the checker has PaymentSent events to judge.
    const run = runScenario(triangle, { seed: 2, keepRecords: true });
    expect(run.records!.some((r) => r.k === 'event' && r.d?.type === 'PaymentSent')).toBe(true);
  });

  it('loads by path as `lnsim run --scenario scenarios/examples/triangle.ts` does', async () => {
    const loaded = await loadScenario('scenarios/examples/triangle.ts', ROOT);
    expect(loaded).toBe(triangle);
  });

  it('a scenario module outside the repository, importing lnsim by path, loads and runs', async () => {
    const file = join(tmp, 'outside.mts');
    writeFileSync(
      file,
      `import { defineScenario } from ${JSON.stringify(join(ROOT, 'index.ts'))};\n` +
        `export default defineScenario({ name: 'outside', description: 'lives in a temporary directory',\n` +
        `  topology: { nodes: ['A', 'B'], channels: [{ id: 'ab', between: ['A', 'B'], capacity: 100_000, push: 50_000 }] },\n` +
        `  workload: { payments: { count: 3, amount: [100, 5_000], pairs: [['A', 'B'], ['B', 'A']] } },\n` +
        `  faults: { crash: 0.005, persistDelay: [0.1, 0.5] } });\n`,
    );
    const loaded = await loadScenario(file);
    expect(loaded.name).toBe('outside');
    expect(runScenario(loaded, { seed: 1 }).violation).toBeUndefined();
  });
});

describe('the custom invariant success-was-claimed can fail', () => {
  const world = undefined as unknown as World;
  const feed = (records: Omit<TraceRecord, 'i' | 't'>[]) => {
    const checker = successWasClaimed.checker();
    return records.map((r, i) => checker.onRecord!({ i, t: i, ...r }, world)).find((m) => m !== undefined);
  };
  const pay = { k: 'pay', n: 'alice', d: { paymentId: 'p0', to: 'bob', amount: 5_000 } };
  const sent = { k: 'event', n: 'alice', d: { type: 'PaymentSent', paymentId: 'p0' } };

  it('when the payer learns of success for a payment nobody claimed', () => {
    expect(feed([pay, sent])).toBe('alice saw PaymentSent for p0, which its payee never claimed');
  });

  it('when the payee claimed less than was sent', () => {
    expect(feed([pay, { k: 'claim', n: 'bob', d: { paymentId: 'p0', amount: 4_000 } }, sent])).toBe('alice saw PaymentSent for p0 of 5000, but its payee claimed only 4000');
  });

  it('and holds when the payee claimed it in full first', () => {
    expect(feed([pay, { k: 'claim', n: 'bob', d: { paymentId: 'p0', amount: 5_000 } }, sent])).toBeUndefined();
  });
});
