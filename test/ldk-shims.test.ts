// Real LDK (WebAssembly): each LDK invariant fails under a deliberately broken harness shim, and a run is
// deterministic. Small, fault-light specs keep these runs short.
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimAsync } from '../sim/runner.ts';
import type { LdkScenarioOptions } from '../scenarios/ldk/build.ts';
import { buildLdkSpec } from '../scenarios/ldk/spec.ts';
import { loadLdk } from '../model/ldk/wasm.ts';

const base: LdkScenarioOptions = {
  nodes: ['A', 'B'],
  channels: [{ id: 'ab', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 500_000 }],
  payments: { count: [3, 4], amount: [1_000, 30_000], pairs: [['A', 'B'], ['B', 'A']] },
  faults: { persistDelay: [0.5, 0.9] },
  swarm: false,
  timing: { faultPhase: 1_500, calmPhase: 3_000 },
  app: { refuseOneIn: 1_000 },
};

/** `only`: judge with just this invariant (another may otherwise fail first on the same broken run). */
async function firstViolation(options: LdkScenarioOptions, seeds: number[], only?: string): Promise<string | undefined> {
  const built = buildLdkSpec(options);
  const spec = only ? { ...built, checkers: () => built.checkers().filter((c) => c.name === only) } : built;
  for (const seed of seeds) {
    const result = await runSimAsync(spec, { seed });
    if (result.violation) return `${result.violation.invariant}: ${result.violation.message}`;
  }
  return undefined;
}

beforeAll(async () => {
  await loadLdk();
}, 60_000);

describe('LDK invariants fail under broken shims', () => {
  it('the honest harness is green on these seeds', async () => {
    expect(await firstViolation(base, [1, 2])).toBeUndefined();
  }, 120_000);

  it('monitor-safety: a Persist that answers Completed for a pending write', async () => {
    expect(await firstViolation({ ...base, shims: { completedWhilePending: true } }, [1, 2])).toMatch(/^monitor-safety: .* sent (revoke_and_ack|commitment_signed) on ab while monitor update/);
  }, 120_000);

  it('payment-claimed-delivered: an application that drops PaymentClaimed', async () => {
    expect(await firstViolation({ ...base, shims: { dropPaymentClaimed: true } }, [1, 2])).toMatch(/^payment-claimed-delivered: /);
  }, 120_000);

  it('payment-outcome-consistent: an application that records a sent payment as failed', async () => {
    expect(await firstViolation({ ...base, shims: { reportSentAsFailed: true } }, [1, 2])).toMatch(/^payment-outcome-consistent: .* never got PaymentSent/);
  }, 120_000);

  it('no-lost-htlc: a forwarder whose application never handles PendingHTLCsForwardable', async () => {
    const line: LdkScenarioOptions = {
      ...base,
      nodes: ['A', 'B', 'C'],
      channels: [
        { id: 'ab', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 600_000 },
        { id: 'bc', a: 'B', b: 'C', capacity: 1_000_000, aBalance: 600_000 },
      ],
      payments: { count: [1, 1], amount: [10_000, 10_000], pairs: [['A', 'C']] },
      faults: {},
      timing: { faultPhase: 500, calmPhase: 9_000 },
      shims: { dropForwardable: true },
    };
    expect(await firstViolation(line, [1])).toMatch(/^no-lost-htlc: A force-closed ab because HTLCs it offered timed out/);
  }, 120_000);

  it('liveness: a persister that never reports its InProgress writes complete', async () => {
    expect(await firstViolation({ ...base, shims: { neverComplete: true } }, [1], 'liveness')).toMatch(/^liveness: /);
  }, 120_000);

  it('balance-conservation: an application that fails a payment back but books it as claimed', async () => {
    const refusing: LdkScenarioOptions = { ...base, app: { refuseOneIn: 2 }, shims: { bookRefusalAsClaimed: true } };
    expect(await firstViolation(refusing, [1, 2], 'balance-conservation')).toMatch(/^balance-conservation: [AB] ends with \d+ msat, expected \d+ msat/);
  }, 120_000);

  it('same seed, same fingerprint', async () => {
    const spec = buildLdkSpec(base);
    const a = await runSimAsync(spec, { seed: 3 });
    const b = await runSimAsync(spec, { seed: 3 });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.events).toBeGreaterThan(50);
  }, 120_000);
});
