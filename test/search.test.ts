// The searches that aim: aimed faults (sim/aim.ts, the NAME+aim variants) and
// coverage-guided tape mutation (sweep/fuzz.ts, lnsim fuzz). Both must be
// deterministic and replayable, must find planted bugs, and the fuzz command
// must reject bad input with one line and exit 2. Kept small: long searches
// belong to `npm run bench`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUGS, UsageError } from '../api.ts';
import { hunt } from '../scenarios/hunt.ts';
import { defineScenario } from '../scenarios/define.ts';
import { findScenario } from '../scenarios/index.ts';
import { runSim } from '../sim/runner.ts';
import { CHANCE_SCALE } from '../sim/choices.ts';
import { mutateTape } from '../sim/mutate.ts';
import { fuzz, type FuzzRun } from '../sweep/fuzz.ts';
import { lnsim } from './fixtures/cli-capture.ts';
import seedrandom from 'seedrandom';

const scenario = (name: string) => {
  const s = findScenario(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
};

describe('aimed faults', () => {
  const aimed = scenario('forward-async-persist+aim').build(new Set());
  const plain = scenario('forward-async-persist+plain').build(new Set());

  it('aims in some runs, changes them, and leaves the others exactly as the plain sweep runs them', () => {
    let aimedRuns = 0;
    let changed = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const a = runSim(aimed, { seed });
      const p = runSim(plain, { seed });
      if (a.faults.aim) {
        aimedRuns++;
        // An aimed run may pick no target that matters; most do.
        if (a.fingerprint !== p.fingerprint) changed++;
      } else expect(a.fingerprint, `seed ${seed} does not aim`).toBe(p.fingerprint);
    }
    expect(aimedRuns).toBeLessThan(12);
    expect(changed).toBeGreaterThan(aimedRuns / 2);
  });

  it('a seed and its tape replay an aimed run exactly; a zeroed tape aims nowhere', () => {
    const seed = [1, 2, 3, 4, 5, 6, 7, 8].find((s) => runSim(aimed, { seed: s }).faults.aim)!;
    const first = runSim(aimed, { seed, recordLabels: true });
    expect(first.labels!.some((l) => l.startsWith('aim '))).toBe(true);
    expect(runSim(aimed, { seed }).fingerprint).toBe(first.fingerprint);
    expect(runSim(aimed, { tape: first.tape }).fingerprint).toBe(first.fingerprint);
    expect(runSim(aimed, { tape: [] }).faults.aim).toBeUndefined();
  });
});

describe('faults.aim in defineScenario', () => {
  const define = (aim: unknown) =>
    defineScenario({
      name: 'aimed-pair',
      description: 'Two nodes, aimed faults.',
      topology: { nodes: ['A', 'B'], channels: [{ id: 'ab', between: ['A', 'B'], capacity: 1_000_000, push: 500_000 }] },
      workload: { payments: { count: [2, 4], amount: [1_000, 20_000], pairs: [['A', 'B']] } },
      faults: { crash: [0.001, 0.01], persistStall: [0.01, 0.05], aim: aim as object },
    });

  it('accepts an aim profile and aims some runs', () => {
    const scenario = define({ runs: 1 });
    expect(runSim(scenario.build(new Set()), { seed: 1 }).faults.aim).toBeDefined();
  });

  it.each([
    [{ runs: 2 }, /faults\.aim\.runs is a probability per opportunity and must lie in \[0, 1\], got 2/],
    [{ delay: 0 }, /faults\.aim\.delay must be a positive integer, got 0/],
    [{ crashes: 0.1 }, /faults\.aim\.crashes is not a field here/],
    [[0.5], /faults\.aim must be an aim profile/],
  ])('rejects %j with one line', (aim, message) => {
    expect(() => define(aim)).toThrow(UsageError);
    expect(() => define(aim)).toThrow(message);
  });
});

describe('tape mutation', () => {
  it('is a pure function of the parent and the generator', () => {
    const parent = Array.from({ length: 40 }, (_, i) => i * 7);
    const a = Array.from({ length: 20 }, (_, k) => mutateTape(parent, [1, 2, 3], seedrandom.alea(`m${k}`)));
    const b = Array.from({ length: 20 }, (_, k) => mutateTape(parent, [1, 2, 3], seedrandom.alea(`m${k}`)));
    expect(a).toEqual(b);
    expect(new Set(a.map((m) => m.kind)).size).toBeGreaterThan(1);
    for (const m of a) expect(m.tape.slice(0, m.at)).toEqual(parent.slice(0, m.at));
    expect(a.some((m) => m.kind === 'fire' && m.tape.includes(CHANCE_SCALE - 1))).toBe(true);
  });
});

describe('coverage-guided fuzz', () => {
  const runsOf = (seed: number) => {
    const runs: FuzzRun[] = [];
    const outcome = fuzz({ scenarios: [scenario('two-node-payments')], seed, iterations: 16, onRun: (r) => runs.push(r) });
    return { runs, outcome };
  };

  it('same seed and iterations: the same runs, fingerprints and corpus; another seed: other mutants', () => {
    const a = runsOf(5);
    const b = runsOf(5);
    expect(b.runs).toEqual(a.runs);
    const { seconds: _a, ...sa } = a.outcome.scenarios[0];
    const { seconds: _b, ...sb } = b.outcome.scenarios[0];
    expect(sb).toEqual(sa);
    expect(sa.mutants).toBeGreaterThan(0);
    expect(sa.corpus).toBeGreaterThan(0);
    expect(sa.violations).toBe(0);
    const c = runsOf(6);
    expect(c.runs.map((r) => r.fingerprint)).not.toEqual(a.runs.map((r) => r.fingerprint));
    // Fresh runs are the plain sweep's seeds, whatever the search seed.
    expect(c.runs.filter((r) => r.seed !== null).slice(0, 8)).toEqual(a.runs.filter((r) => r.seed !== null).slice(0, 8));
  });

  it('finds quick planted bugs within a small budget', () => {
    const fuzzFor = (bug: string, name: string, invariant: string, iterations: number) =>
      fuzz({ scenarios: [scenario(name)], bugs: [bug], iterations, stopOnFirst: true, invariant }).scenarios[0];
    const early = fuzzFor('ln-early-raa', 'two-node-payments', 'monitor-safety', 20);
    expect(early.stoppedBy).toBe('first-violation');
    const wipe = fuzzFor('lnd-scb-wipe', 'backup-churn', 'backup-covers-open-channels', 20);
    expect(wipe.stoppedBy).toBe('first-violation');
  });
});

describe('the searches hunt uses find hard planted bugs within a fixed run budget (by run count, not time)', () => {
  // Bounds from npm run bench's searches section (trial 0: seeds from 1, search seed 1). The plain sweep needs
  // 132 seeds for ldk-3021, 543 for ldk-2169, 41 for cln-scid-mismatch and 18 for lnd-scb-inplace.
  it('fuzz: a mutant catches ldk-3021 within 20 runs and ldk-2169 within 170, and the catch replays from its tape', () => {
    for (const [bug, bound] of [
      ['ldk-3021', 20],
      ['ldk-2169', 170],
    ] as const) {
      const entry = BUGS.find((b) => b.id === bug)!;
      const outcome = fuzz({ scenarios: [scenario(entry.scenario)], bugs: [bug], seed: 1, iterations: bound, stopOnFirst: true, invariant: entry.invariant }).scenarios[0];
      expect(outcome.stoppedBy, bug).toBe('first-violation');
      const f = outcome.failures.find((x) => x.invariant === entry.invariant)!;
      expect(f.seed, `${bug}: found by a mutant, not a fresh seed`).toBeNull();
      const rerun = runSim(scenario(entry.scenario).build(new Set([bug])), { tape: f.tape });
      expect(rerun.fingerprint).toBe(f.fingerprint);
      expect(rerun.violation?.invariant).toBe(entry.invariant);
    }
  });

  it('the default sweep (aimed faults in half the runs of lsps2-jit-mpp and backup-churn) beats the plain sweep there', () => {
    for (const [bug, bound, plainFirst] of [
      ['cln-scid-mismatch', 13, 41],
      ['lnd-scb-inplace', 11, 18],
    ] as const) {
      const r = hunt({ bugs: [bug], search: 'sweep', maxSeeds: bound, budgetSeconds: 600, shrinkRuns: 0 }).results[0];
      expect(r.caught, bug).toBe(true);
      const plain = hunt({ bugs: [bug], search: 'plain', maxSeeds: bound, budgetSeconds: 600, shrinkRuns: 0 }).results[0];
      expect(plain.caught, `${bug}: the plain sweep needs ${plainFirst} seeds`).toBe(false);
    }
  });

  it('is deterministic: the same search seed gives the same sequence of runs', () => {
    const runs = () => {
      const out: FuzzRun[] = [];
      fuzz({ scenarios: [scenario('lsps2-jit-mpp')], bugs: ['cln-scid-mismatch'], seed: 3, iterations: 24, onRun: (r) => out.push(r) });
      return out.map((r) => [r.seed, r.mutation, r.fingerprint, r.newPoints, r.violation?.invariant ?? null]);
    };
    const a = runs();
    expect(runs()).toEqual(a);
    expect(a.some(([seed]) => seed === null)).toBe(true);
  });
});

describe('lnsim fuzz', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lnsim-fuzz-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('--json: exit 1 on a planted bug, with a repro that replays', async () => {
    const dir = tmp();
    const r = await lnsim('fuzz', '--scenario', 'two-node-payments', '--bug', 'ln-early-raa', '--iterations', '4', '--report', dir, '--no-shrink', '--json');
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ seed: 1, bugs: ['ln-early-raa'], runs: 4 });
    expect(out.scenarios[0]).toMatchObject({ scenario: 'two-node-payments', runs: 4, stoppedBy: 'iterations' });
    const failure = out.scenarios[0].failures[0];
    expect(failure.invariant).toBe('monitor-safety');
    expect(readdirSync(join(dir, 'repros'))).toEqual([`two-node-payments-monitor-safety-fuzz${failure.iteration}.repro.json`]);
    const check = await lnsim('replay', failure.repro, '--check');
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it('exit 0 and a summary when every invariant holds', async () => {
    const r = await lnsim('fuzz', '--scenario', 'backup-churn', '--iterations', '3', '--report', tmp());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^lnsim fuzz: every invariant held in 3 runs/);
    expect(r.stdout).toMatch(/backup-churn: 3 runs \(\d+ fresh, \d+ mutants\), \d+ coverage points/);
  });

  it.each([
    [['--iterations', '0'], /^lnsim: fuzz: --iterations needs a positive integer/],
    [['--iterations', '-3'], /^lnsim: fuzz: --iterations needs a non-negative number, got '-3'/],
    [['--iterations', 'many'], /^lnsim: fuzz: --iterations needs a non-negative integer, got 'many'/],
    [['--budget-seconds', 'soon'], /^lnsim: fuzz: --budget-seconds needs a positive number of seconds, got 'soon'/],
    [['--budget-seconds', '0'], /^lnsim: fuzz: --budget-seconds needs a positive number of seconds/],
    [['--seed', '1.5'], /^lnsim: fuzz: --seed needs a non-negative integer/],
    [['--bug', 'no-such-bug'], /^lnsim: unknown planted bug 'no-such-bug': run 'npx lnsim list'/],
    [['--scenario', 'no-such-scenario'], /^lnsim: unknown scenario 'no-such-scenario'/],
    [['--frobnicate'], /^lnsim: fuzz: Unknown option '--frobnicate'/],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const r = await lnsim('fuzz', ...args, '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
