// A scenario file can live anywhere, as a plain .ts file outside any package: lnsim loads it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../api.ts';

const repoIndex = fileURLToPath(new URL('../index.ts', import.meta.url));

describe('scenario files outside the repository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lnsim-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a plain .ts file with no package.json beside it loads and runs', async () => {
    const file = join(dir, 'outside.ts');
    writeFileSync(
      file,
      `import { defineScenario } from ${JSON.stringify(repoIndex)};
export default defineScenario({
  name: 'outside-two',
  description: 'A scenario written outside the repository.',
  topology: { nodes: ['a', 'b'], channels: [{ id: 'ab', between: ['a', 'b'], capacity: 1_000_000, push: 500_000 }] },
  workload: { payments: { count: [2, 4], amount: [1_000, 5_000], pairs: [['a', 'b']] } },
  faults: { crash: [0.001, 0.01] },
});
`,
    );
    const scenario = await loadScenario(file);
    expect(scenario.name).toBe('outside-two');
    const run = runScenario(scenario, { seed: 1 });
    expect(run.violation).toBeUndefined();
    expect(run.events).toBeGreaterThan(0);
  });
});
