// The vitest helper (testing.ts): checkScenario passes quietly when every seed
// holds and otherwise throws an error carrying the scenario, seed, invariant,
// violation and a replay command that works; expectViolation proves an
// invariant can fail.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findScenario, UsageError } from '../api.ts';
import { readRepro } from '../reports/repro.ts';
import triangle from '../scenarios/examples/triangle.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { checkScenario, expectViolation, replayCommand, ScenarioViolation } from '../testing.ts';
import { toyScenario } from './fixtures/toy-scenario.ts';
import { lnsim } from './fixtures/cli-capture.ts';

const TOY_MODULE = './test/fixtures/toy-scenario.ts';
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-testing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The toy without faults: no crash can lose a counter, so every seed holds. */
const calmToy: Scenario = { ...toyScenario, name: 'toy-token-calm', build: (bugs) => ({ ...toyScenario.build(bugs), faults: {} }) };

function violationOf(f: () => unknown): ScenarioViolation {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioViolation);
    return e as ScenarioViolation;
  }
  throw new Error('expected a ScenarioViolation');
}


describe('checkScenario', () => {
  it('passes when every seed holds, and says how much it ran', () => {
    expect(checkScenario(calmToy, { seeds: 30 })).toEqual({ runs: 30, events: expect.any(Number) });
  });

  it('throws at the first failing seed with scenario, seed, invariant, message, context and the replay command', () => {
    const error = violationOf(() => checkScenario(toyScenario, { seeds: 100, source: TOY_MODULE }));
    expect(error.scenario).toBe('toy-token');
    expect(error.violation.invariant).toBe('toy-monotonic');
    expect(error.message).toContain(`scenario 'toy-token' broke invariant 'toy-monotonic' at seed ${error.seed}`);
    expect(error.message).toContain(error.violation.message);
    expect(error.message).toContain('last events before it:');
    expect(error.replay).toBe(`npx lnsim replay --scenario ${TOY_MODULE} --seed ${error.seed}`);
    expect(error.message).toContain(`replay: ${error.replay}`);
    // Every seed before the failing one holds.
    expect(() => checkScenario(toyScenario, { seeds: error.seed - 1 })).not.toThrow();
  });

  it('the replay command it prints replays the same violation', async () => {
    const error = violationOf(() => checkScenario(toyScenario, { seeds: 100, source: TOY_MODULE }));
    const argv = error.replay.replace(/^npx lnsim /, '').split(' ');
    const replayed = await lnsim(...argv, '--print');
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain(error.violation.message);
  });

  it('names a defineScenario scenario by the module it was defined in, with the planted bugs', () => {
    const error = violationOf(() => checkScenario(triangle, { seeds: 50, bugs: ['ln-early-raa'] }));
    expect(error.replay).toBe(`npx lnsim replay --scenario ./scenarios/examples/triangle.ts --seed ${error.seed} --bug ln-early-raa`);
    expect(error.message).toContain('(bugs: ln-early-raa)');
  });

  it('writes a repro file that `lnsim replay FILE --check` accepts, when asked', async () => {
    const dir = join(tmp, 'repros');
    const error = violationOf(() => checkScenario(toyScenario, { seeds: 100, source: TOY_MODULE, reproDir: dir }));
    expect(error.repro).toBeDefined();
    expect(existsSync(error.repro!)).toBe(true);
    expect(error.message).toContain(`repro file: ${error.repro}`);
    const repro = readRepro(error.repro!);
    expect(repro.violation?.invariant).toBe('toy-monotonic');
    expect(repro.labels?.length).toBe(repro.tape.length);
    const checked = await lnsim('replay', error.repro!, '--check');
    expect(checked.code, checked.stderr).toBe(0);
  });

  it('rejects bad options with a usage error', () => {
    expect(() => checkScenario(calmToy, { seeds: 0 })).toThrow(/seeds must be a positive integer/);
    expect(() => checkScenario(calmToy, { seeds: 5, bugs: ['no-such-bug'] })).toThrow(UsageError);
    expect(() => checkScenario(undefined as unknown as Scenario, { seeds: 5 })).toThrow(/must be a Scenario/);
  });
});

describe('expectViolation', () => {
  it('finds the first seed that breaks the invariant', () => {
    const found = expectViolation(toyScenario, { seeds: 100, invariant: 'toy-monotonic' });
    const error = violationOf(() => checkScenario(toyScenario, { seeds: 100 }));
    expect(found.seed).toBe(error.seed);
    expect(found.runs).toBe(found.seed);
  });

  it('fails when no seed breaks it, or when the scenario does not check it', () => {
    expect(() => expectViolation(calmToy, { seeds: 10, invariant: 'toy-monotonic' })).toThrow(/no seed of 1\.\.10 broke 'toy-monotonic'/);
    expect(() => expectViolation(calmToy, { seeds: 10, invariant: 'liveness' })).toThrow(/does not check 'liveness'/);
  });

  it('names built-in scenarios by name, and takes an explicit source over anything else', () => {
    expect(replayCommand(findScenario('two-node-payments')!, 4, ['ln-early-raa'])).toBe('npx lnsim replay --scenario two-node-payments --seed 4 --bug ln-early-raa');
    expect(replayCommand(triangle, 4, [], 'my/triangle.ts')).toBe('npx lnsim replay --scenario my/triangle.ts --seed 4');
  });
});
