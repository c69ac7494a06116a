// A Rust panic inside LDK's WebAssembly is a finding: violation 'ldk-panic', with the run's repro. Its own test file
// (its own module instance): the WebAssembly that panicked is suspect afterwards.
import { expect, it } from 'vitest';
import { runSimAsync } from '../sim/runner.ts';
import { buildLdkSpec } from '../scenarios/ldk/spec.ts';
import { loadLdk } from '../model/ldk/wasm.ts';

it('a panic inside rust-lightning becomes violation ldk-panic', async () => {
  await loadLdk();
  const spec = buildLdkSpec({
    nodes: ['A', 'B'],
    channels: [{ id: 'ab', a: 'A', b: 'B', capacity: 1_000_000, aBalance: 500_000 }],
    payments: { count: [0, 0], amount: [1_000, 1_000], pairs: [['A', 'B']] },
    faults: {},
    timing: { faultPhase: 500, calmPhase: 500 },
    // Handing Listen.block_connected a bare header where it wants a whole serialized block makes LDK panic (an unwrap).
    shims: { outOfOrderBlockAt: 2 },
  });
  const result = await runSimAsync(spec, { seed: 1 });
  expect(result.violation?.invariant).toBe('ldk-panic');
  expect(result.violation?.message).toMatch(/^A: rust-lightning panicked during block 2: /);
  expect(result.tape.length).toBeGreaterThan(0);
}, 120_000);
