// Shrinking failing toy runs: the shrunk tape is no longer than the original,
// still breaks the same invariant, and the shrunk repro replays (--check) to
// its own fingerprint.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../api.ts';
import { main } from '../cli.tsx';
import { makeRepro, validateRepro, type ReproFile } from '../reports/repro.ts';
import { shrinkRepro } from '../reports/shrink-repro.ts';
import { runSim } from '../sim/runner.ts';
import { canonicalTape, isSmaller, shrinkTape, simpler } from '../sim/shrink.ts';
import { toyScenario } from './fixtures/toy-scenario.ts';

const TOY = './test/fixtures/toy-scenario.ts';
const spec = toyScenario.build(new Set());
/** Toy seeds whose runs break toy-monotonic (49, 91 and 202 events). */
const FAILING_SEEDS = [9, 11, 19];

let dir: string;

function io() {
  const out = { stdout: '', stderr: '' };
  const cli = {
    stdout: { write: (s: string) => ((out.stdout += s), true), isTTY: false } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((out.stderr += s), true) } as unknown as NodeJS.WritableStream,
    stdin: { isTTY: false } as unknown as NodeJS.ReadableStream,
  };
  return { out, cli };
}

function reproOf(seed: number): ReproFile {
  const run = runScenario(toyScenario, { seed, recordLabels: true });
  return makeRepro({ scenario: TOY, seed, bugs: [], tape: run.tape, fingerprint: run.fingerprint, events: run.events, violation: run.violation ?? null, labels: run.labels, command: 'lnsim replay x' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lnsim-shrink-'));
  // shrinkRepro is synchronous: a scenario module must be loaded once first (as `lnsim run --scenario ./file.ts` does).
  await loadScenario(TOY);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shrinkTape', () => {
  for (const seed of FAILING_SEEDS) {
    it(`shrinks seed ${seed} to a tape no longer than the original that breaks the same invariant`, () => {
      const original = runSim(spec, { seed });
      expect(original.violation?.invariant).toBe('toy-monotonic');
      const result = shrinkTape(spec, original.tape, { maxRuns: 400 });
      expect(result.invariant).toBe('toy-monotonic');
      expect(result.tape.length).toBeLessThanOrEqual(original.tape.length);
      expect(result.runs).toBeLessThanOrEqual(400 + 1); // the budget, and the final canonical replay
      const replayed = runSim(spec, { tape: result.tape });
      expect(replayed.violation?.invariant).toBe('toy-monotonic');
      expect(result.events).toBe(replayed.events);
      // Not just no worse: these failures all have much shorter runs, and the shrinker finds one.
      expect(replayed.events).toBeLessThan(original.events / 2);
    });
  }

  it('keeps the best tape so far when the budget is tiny', () => {
    const original = runSim(spec, { seed: 19 });
    const result = shrinkTape(spec, original.tape, { maxRuns: 3 });
    expect(result.exhausted).toBe(true);
    expect(result.runs).toBeLessThanOrEqual(3);
    expect(runSim(spec, { tape: result.tape }).violation?.invariant).toBe('toy-monotonic');
    expect(result.tape.length).toBeLessThanOrEqual(original.tape.length);
  });

  it('is deterministic for a given budget', () => {
    const original = runSim(spec, { seed: 11 });
    expect(shrinkTape(spec, original.tape, { maxRuns: 150 }).tape).toEqual(shrinkTape(spec, original.tape, { maxRuns: 150 }).tape);
  });

  it('refuses a tape that does not fail', () => {
    const passing = [1, 2, 3, 4, 5, 6].map((seed) => runSim(spec, { seed })).find((r) => !r.violation);
    expect(passing).toBeDefined();
    expect(() => shrinkTape(spec, passing!.tape)).toThrow(/does not fail/);
  });

  it('calls a failure simpler only if neither its trace nor its tape grows', () => {
    expect(simpler({ tape: [1], events: 10 }, { tape: [1, 1], events: 10 })).toBe(true);
    expect(simpler({ tape: [1], events: 11 }, { tape: [1, 1], events: 10 })).toBe(false);
    expect(simpler({ tape: [5, 5], events: 9 }, { tape: [1, 1], events: 10 })).toBe(true);
    expect(simpler({ tape: [5, 5, 5], events: 9 }, { tape: [1, 1], events: 10 })).toBe(false);
  });

  it('orders tapes shorter first, then by values, and drops trailing zeros', () => {
    expect(isSmaller([9], [0, 0])).toBe(true);
    expect(isSmaller([0, 5], [1, 0])).toBe(true);
    expect(isSmaller([1, 2], [1, 2])).toBe(false);
    expect(canonicalTape([3, 0, 4, 0, 0])).toEqual([3, 0, 4]);
  });
});

describe('shrinkRepro and lnsim shrink', () => {
  it('produces a valid repro with a fresh fingerprint, labels and shrunkFrom', () => {
    const repro = reproOf(19);
    const result = shrinkRepro(repro, { maxRuns: 400 });
    const shrunk = validateRepro(JSON.parse(JSON.stringify(result.repro)));
    expect(shrunk.violation?.invariant).toBe('toy-monotonic');
    expect(shrunk.tape.length).toBeLessThanOrEqual(repro.tape.length);
    expect(result.before).toEqual({ tape: repro.tape.length, events: repro.events });
    expect(result.after).toEqual({ tape: shrunk.tape.length, events: shrunk.events });
    expect(shrunk.shrunkFrom).toEqual({ tapeLength: repro.tape.length, events: repro.events });
    const replay = runScenario(toyScenario, { tape: shrunk.tape, recordLabels: true });
    // The tape leaves out trailing zero draws; the labels name every draw the run made.
    expect(shrunk.labels).toEqual(replay.labels);
    expect(shrunk.labels!.length).toBeGreaterThanOrEqual(shrunk.tape.length);
    expect(replay.fingerprint).toBe(shrunk.fingerprint);
    expect(replay.events).toBe(shrunk.events);
  });

  it('writes a shrunk repro that replays --check to its fingerprint', async () => {
    const input = join(dir, 'toy.repro.json');
    const output = join(dir, 'toy.min.repro.json');
    writeFileSync(input, JSON.stringify(reproOf(11)));
    const shrink = io();
    expect(await main(['shrink', input, '-o', output, '--max-runs', '300'], shrink.cli)).toBe(0);
    expect(shrink.out.stdout).toMatch(/tape {2}\d+ -> \d+ draws/);
    expect(shrink.out.stdout).toMatch(/trace \d+ -> \d+ events/);
    const shrunk = validateRepro(JSON.parse(readFileSync(output, 'utf8')));
    expect(shrunk.command).toBe(`npx lnsim replay ${output}`);
    const check = io();
    expect(await main(['replay', output, '--check'], check.cli)).toBe(0);
    expect(check.out.stdout).toContain(shrunk.fingerprint.slice(0, 16));
  });

  it('-o naming an existing directory: one-line error, exit 2, no temp file left (issue 14 defect 4)', async () => {
    const input = join(dir, 'toy-dir-out.repro.json');
    writeFileSync(input, JSON.stringify(reproOf(11)));
    const outDir = join(dir, 'an-existing-dir');
    mkdirSync(outDir);
    const r = io();
    expect(await main(['shrink', input, '-o', outDir, '--max-runs', '50'], r.cli)).toBe(2);
    expect(r.out.stderr).toBe(`lnsim: shrink: -o '${outDir}' is a directory: give a file path, e.g. -o ${join(outDir, 'small.repro.json')}\n`);
    expect(readdirSync(dir).filter((f) => f.includes('tmp'))).toEqual([]);
  });

  it('refuses a repro that does not fail (exit 2, one line)', async () => {
    const passing = [1, 2, 3, 4, 5, 6].map((seed) => runScenario(toyScenario, { seed })).find((r) => !r.violation)!;
    const path = join(dir, 'passing.repro.json');
    writeFileSync(path, JSON.stringify(makeRepro({ scenario: TOY, seed: null, bugs: [], tape: passing.tape, fingerprint: passing.fingerprint, events: passing.events, violation: null, command: 'x' })));
    const r = io();
    expect(await main(['shrink', path], r.cli)).toBe(2);
    expect(r.out.stderr).toMatch(/does not fail when replayed: nothing to shrink/);
  });
});
