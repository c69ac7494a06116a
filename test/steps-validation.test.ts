// Every step with a bad argument is one definition error line naming the step,
// the field and the fix (exit 2 from the CLI), never a stack trace: unknown
// nodes and channels, payments never sent, nothing held to complete.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../api.ts';
import { defineScenario, type ScenarioDefinition } from '../scenarios/define.ts';
import { lnsim } from './fixtures/cli-capture.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-steps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function scripted(steps: unknown[], extra: Record<string, unknown> = {}): ScenarioDefinition<string> {
  return {
    name: 'scripted',
    description: 'A pays C through B.',
    topology: {
      nodes: ['A', 'B', 'C'],
      channels: [
        { id: 'ab', between: ['A', 'B'], capacity: 1_000_000 },
        { id: 'bc', between: ['B', 'C'], capacity: 1_000_000 },
      ],
    },
    faults: {},
    steps: steps as never,
    ...extra,
  };
}

function definitionError(steps: unknown[], extra?: Record<string, unknown>): string {
  try {
    defineScenario(scripted(steps, extra));
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message, 'one line').not.toContain('\n');
    return message;
  }
  throw new Error('expected a definition error');
}

const pay = { pay: { from: 'A', to: 'C', amount: 10_000, id: 'p1' } };

describe('step definition errors', () => {
  it('names an unknown node, channel or step kind, with the fix', () => {
    expect(definitionError([{ crash: { node: 'D' } }])).toBe(
      "defineScenario('scripted'): steps[0].crash.node names node \"D\", which is not in topology.nodes ['A', 'B', 'C']: fix the name",
    );
    expect(definitionError([{ holdWrites: { node: 'B', monitor: 'ac' } }])).toMatch(/^defineScenario\('scripted'\): steps\[0\]\.holdWrites\.monitor names channel "ac", which is neither in topology.channels nor opened by an earlier step: known channels are 'ab', 'bc'$/);
    expect(definitionError([{ holdWrites: { node: 'A', monitor: 'bc' } }])).toContain("steps[0].holdWrites.monitor names channel 'bc', which is between B and C, not A's");
    expect(definitionError([{ hodlWrites: { node: 'B', monitor: 'ab' } }])).toContain("steps[0] 'hodlWrites' is not a step (did you mean 'holdWrites'?)");
    expect(definitionError([{ deliver: { from: 'A', to: 'C' } }])).toContain('steps[0].deliver A and C share no channel, so no link');
  });

  it('names a payment never sent, and a claim by someone other than the payee', () => {
    expect(definitionError([{ claim: { node: 'C', payment: 'p1' } }])).toContain("steps[0].claim.payment names payment \"p1\", which no earlier pay step sends: add a pay step with that id first");
    expect(definitionError([pay, { claim: { node: 'B', payment: 'p1' } }])).toContain("steps[1].claim.node is B, but payment 'p1' is paid to C: only its payee can claim it");
    expect(definitionError([pay, { expect: { node: 'A', payment: 'p2', is: 'succeeded' } }])).toContain('steps[1].expect.payment names payment "p2"');
    expect(definitionError([pay, { expect: { node: 'A', payment: 'p1', is: 'claimed' } }])).toContain('"claimed" is not a state A can see as the payer: choose from pending, succeeded, failed');
  });

  it('refuses to complete, deliver or restart what no earlier step set up', () => {
    expect(definitionError([{ completeWrites: { node: 'B', monitor: 'ab' } }])).toContain("no earlier holdWrites step holds them, so nothing can be held: add { holdWrites: { node: 'B', monitor: 'ab' } } before it");
    expect(definitionError([{ deliver: { from: 'A', to: 'B' } }])).toContain("no earlier holdMessages step holds them");
    expect(definitionError([{ restart: 'B' }])).toContain("steps[0].restart restarts B, which is running: crash it first");
    expect(definitionError([{ crash: { node: 'A' } }, pay])).toBe("defineScenario('scripted'): steps[1].pay.from names A, which an earlier step crashed: add { restart: 'A' } before it");
  });

  it('a step that cannot act when the script runs is a definition error too (the dry run)', () => {
    // Held, but nothing was written there yet: nothing to complete.
    expect(definitionError([{ holdWrites: { node: 'B', monitor: 'ab' } }, { completeWrites: { node: 'B', monitor: 'ab', which: 'oldest' } }])).toBe(
      "defineScenario('scripted'): steps[1] (B completes the oldest held write of its monitor writes of ab) cannot act when the script runs: nothing of B's monitor of ab is held (every write so far already completed, or a crash lost it); fix the step or the steps before it",
    );
    expect(definitionError([{ holdMessages: { from: 'A', to: 'B' } }, { deliver: { from: 'A', to: 'B', count: 2 } }])).toContain('steps[1] (deliver 2 message(s) A→B) cannot act when the script runs: no message A→B is held');
  });

  it('checks then, mine and keep', () => {
    expect(definitionError([{ mine: 0 }])).toContain('steps[0].mine must be an integer from 1 to 1000, got 0');
    expect(definitionError([{ crash: { node: 'B', keep: 'some' } }])).toContain("steps[0].crash.keep must be 'all', 'none' or how many");
    expect(definitionError([{ mine: 1 }], { then: 'wander' })).toContain("then must be 'settle'");
  });
});

describe('the CLI', () => {
  it('exits 2 with the one-line error for a scenario file with a bad step', async () => {
    const file = join(tmp, 'bad-step.ts');
    writeFileSync(
      file,
      `import { defineScenario } from '${ROOT}index.ts';
export default defineScenario({
  name: 'bad-step', description: 'a step names a node that does not exist',
  topology: { nodes: ['A', 'B'], channels: [{ id: 'ab', between: ['A', 'B'], capacity: 100_000 }] },
  faults: {},
  steps: [{ crash: { node: 'Z' as 'A' } }],
});
`,
    );
    const { code, stderr } = await lnsim('run', '--scenario', file, '--seeds', '1', '--ci');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain("steps[0].crash.node names node \"Z\", which is not in topology.nodes ['A', 'B']");
  });
});

describe('the compiler knows node and channel ids', () => {
  it('rejects an unknown channel or node in a step, and accepts a channel an open step declares', () => {
    const topology = { nodes: ['A', 'B'], channels: [{ id: 'ab', between: ['A', 'B'], capacity: 100_000 }] } as const;
    expect(() =>
      defineScenario({
        name: 'typed', description: 'typed', topology, faults: {},
        // @ts-expect-error 'zz' is not a channel of the topology
        steps: [{ holdWrites: { node: 'B', monitor: 'zz' } }],
      }),
    ).toThrow(UsageError);
    expect(() =>
      defineScenario({
        name: 'typed', description: 'typed', topology, faults: {},
        // @ts-expect-error 'Q' is not a node
        steps: [{ restart: 'Q' }],
      }),
    ).toThrow(UsageError);
    const opened = defineScenario({
      name: 'typed-open', description: 'typed', topology: { ...topology, nodes: ['A', 'B'] }, faults: {},
      steps: [{ open: { channel: 'ab2', funder: 'A', fundee: 'B', capacity: 50_000 } }, { mine: 4 }, { expect: { node: 'A', channel: 'ab2', is: 'open' } }],
    });
    expect(opened.invariants).toContain('expect');
  });
});
