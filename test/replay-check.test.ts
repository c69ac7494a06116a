// lnsim replay --check / --print on repro files of the toy scenario, and the
// one-line errors (exit 2) for every kind of bad repro file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_VERSION, runScenario } from '../api.ts';
import { main } from '../cli.tsx';
import { makeRepro, type ReproFile } from '../reports/repro.ts';
import { toyScenario } from './fixtures/toy-scenario.ts';

/** The toy scenario as a repro names it: a module path (relative to the working directory, the repository root under vitest). */
const TOY = './test/fixtures/toy-scenario.ts';
/** A toy seed whose run breaks toy-monotonic after 49 events. */
const FAILING_SEED = 9;

let dir: string;
let reproPath: string;
let repro: ReproFile;

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (s: string) => ((out.stdout += s), true), isTTY: false } as unknown as NodeJS.WritableStream,
      stderr: { write: (s: string) => ((out.stderr += s), true) } as unknown as NodeJS.WritableStream,
      stdin: { isTTY: false } as unknown as NodeJS.ReadableStream,
    },
  };
}

async function lnsim(...argv: string[]) {
  const { out, io: cli } = io();
  const code = await main(argv, cli);
  return { code, ...out };
}

function writeRepro(name: string, data: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lnsim-replay-'));
  const run = runScenario(toyScenario, { seed: FAILING_SEED, recordLabels: true });
  expect(run.violation?.invariant).toBe('toy-monotonic');
  repro = makeRepro({ scenario: TOY, seed: FAILING_SEED, bugs: [], tape: run.tape, fingerprint: run.fingerprint, events: run.events, violation: run.violation ?? null, labels: run.labels, command: 'lnsim replay toy.repro.json' });
  reproPath = writeRepro('toy.repro.json', repro);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replay --check', () => {
  it('exits 0 when the replay matches the recorded fingerprint', async () => {
    const r = await lnsim('replay', reproPath, '--check');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ok, fingerprint ${repro.fingerprint.slice(0, 16)}`);
    expect(r.stdout).toContain('violation of toy-monotonic');
  });

  it('checks a seed against the replay of its own tape', async () => {
    const r = await lnsim('replay', '--scenario', TOY, '--seed', String(FAILING_SEED), '--check');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(repro.fingerprint.slice(0, 16));
  });

  it('exits 1 on a tampered fingerprint and says the draws all match', async () => {
    const path = writeRepro('fingerprint.repro.json', { ...repro, fingerprint: 'f'.repeat(64) });
    const r = await lnsim('replay', path, '--check');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH: every draw matches \(\d+ draws\) but the trace differs/);
  });

  it('says so when a mismatching recording has no draw labels to compare', async () => {
    const { labels: _labels, ...unlabelled } = repro;
    const path = writeRepro('unlabelled.repro.json', { ...unlabelled, fingerprint: '0'.repeat(64) });
    const r = await lnsim('replay', path, '--check');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the recording has no draw labels to point at the first divergent draw');
    expect(r.stdout).toContain(`expected ${repro.events} events, violation of toy-monotonic`);
  });

  it('names the first divergent draw of a tampered tape', async () => {
    // Switch the first fault kind off (its swarm switch is the first draw): the run takes another path.
    const tape = [0, ...repro.tape.slice(1)];
    const path = writeRepro('tape.repro.json', { ...repro, tape });
    const r = await lnsim('replay', path, '--check');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH: first divergence at draw \d+: expected '[^']+', got ('[^']+'|no more draws)/);
    expect(r.stdout).not.toMatch(/^[0-9a-f]{64}$/m);
  });
});

describe('replay --print', () => {
  it('prints one line per event and the verdict, exit 1 for a violation', async () => {
    const r = await lnsim('replay', reproPath, '--print');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(repro.events + 1);
    expect(lines[0]).toMatch(/^#0 t=0 A start/);
    expect(lines.at(-1)).toMatch(/^violation of toy-monotonic at #48: /);
  });

  it('falls back to printing without a terminal, and says so on stderr in one line', async () => {
    const r = await lnsim('replay', reproPath);
    expect(r.stdout.split('\n')[0]).toMatch(/^#0 t=0 /);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not a terminal');
  });
});

describe('bad input exits 2 with one line naming the problem', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(dir, 'nope.repro.json'), /cannot read repro file .*nope\.repro\.json/],
    ['truncated JSON', () => writeRepro('truncated.json', JSON.stringify(repro).slice(0, 200)), /is not valid JSON \(truncated or edited\?\)/],
    ['another format version', () => writeRepro('version.json', { ...repro, version: 99 }), /has format version 99, this harness reads version 1/],
    ['another harness version', () => writeRepro('harness.json', { ...repro, harness: '0.0.1' }), new RegExp(`recorded by lnsim 0\\.0\\.1, this is ${HARNESS_VERSION.replace(/\./g, '\\.')}`)],
    ['a bad tape', () => writeRepro('badtape.json', { ...repro, tape: [1, -2, 'x'] }), /has a malformed tape/],
    ['an unknown scenario', () => writeRepro('scenario.json', { ...repro, scenario: 'no-such-scenario' }), /names a scenario this harness cannot load: unknown scenario 'no-such-scenario'/],
    ['a missing scenario module', () => writeRepro('module.json', { ...repro, scenario: './test/fixtures/missing.ts' }), /names scenario module '\.\/test\/fixtures\/missing\.ts', which is not found from here: pass --scenario PATH/],
    ['an unknown bug id', () => writeRepro('bug.json', { ...repro, bugs: ['no-such-bug'] }), /switches on a bug this harness does not have: unknown planted bug 'no-such-bug'/],
  ];
  for (const [what, make, message] of cases) {
    it(what, async () => {
      const path = make();
      for (const argv of [['replay', path, '--check'], ['shrink', path], ['draw', path, '-o', join(dir, 'x.svg')]]) {
        const r = await lnsim(...argv);
        expect(r.code, argv.join(' ')).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
        expect(r.stdout).toBe('');
      }
    });
  }

  it('usage mistakes', async () => {
    for (const argv of [
      ['replay'],
      ['replay', reproPath, '--check', '--print'],
      ['replay', '--scenario', TOY],
      ['replay', '--seed', '3'],
      ['replay', reproPath, '--seed', '3'],
      ['replay', '--scenario', TOY, '--seed', 'x'],
      ['shrink'],
      ['shrink', reproPath, '--max-runs', 'many'],
      ['draw', reproPath],
      ['draw', reproPath, '-o', join(dir, 'a.svg'), '--around-violation', '5', '--max-events', '9'],
    ]) {
      const r = await lnsim(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });

  it('keeps the repro untouched', () => {
    expect(JSON.parse(readFileSync(reproPath, 'utf8'))).toEqual(repro);
  });
});
