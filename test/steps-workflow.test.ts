// The workflow sees the steps: a failing `expect` is a violation like any other
// (repro file, report, JUnit), `replay --print` names each step, `draw` and the
// TUI mark where each step starts.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { keyToAction } from '../ui/keys.ts';
import { initialNav, navigate } from '../ui/navigation.ts';
import { lnsim } from './fixtures/cli-capture.ts';
import scripted from './fixtures/scripted-expect.ts';

const FILE = './test/fixtures/scripted-expect.ts';
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-steps-flow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a failing expect step', () => {
  it('is a violation naming the step and what was seen', () => {
    const run = runScenario(scripted, { seed: 3, keepRecords: true });
    expect(run.violation?.invariant).toBe('expect');
    expect(run.violation?.message).toMatch(/^step 4 \(expect B's durable monitor of ab at update 99\): the durable monitor is at update \d+$/);
    expect(scripted.invariants).toContain('expect');
  });

  it('goes through run (exit 1, repro, JUnit), replay --print, draw and the TUI', async () => {
    const report = join(tmp, 'report');
    const run = await lnsim('run', '--scenario', FILE, '--seeds', '2', '--workers', '1', '--report', report, '--ci', '--no-shrink');
    expect(run.code).toBe(1);
    const junit = readFileSync(join(report, 'junit.xml'), 'utf8');
    expect(junit).toContain('expect');
    expect(junit).toContain('step 4');
    const repros = readdirSync(join(report, 'repros'));
    expect(repros).toEqual(['scripted-expect-expect-1.repro.json']);
    const repro = join(report, 'repros', repros[0]);

    const printed = await lnsim('replay', repro, '--print');
    expect(printed.code).toBe(1);
    expect(printed.stdout).toContain('step n=1 step=B holds its monitor writes of ab');
    expect(printed.stdout).toContain('step n=2 step=A pays B 10000 (p1)');
    expect(printed.stdout).toMatch(/violation of expect at #\d+: step 4/);

    const svg = join(tmp, 'steps.svg');
    expect((await lnsim('draw', repro, '-o', svg)).code).toBe(0);
    const picture = readFileSync(svg, 'utf8');
    expect(picture).toContain('▶ step 1: B holds its monitor writes of ab');
    expect(picture).toContain('▶ step 4: expect B');

    // The TUI's 's' jumps from step mark to step mark.
    const records = runScenario(scripted, { seed: 1, keepRecords: true }).records!;
    const ctx = { records, nodes: ['A', 'B'], violation: undefined, pageSize: 10, text: () => '' };
    const action = keyToAction('s', {} as never, 'normal')!;
    expect(action).toEqual({ type: 'jump', target: 'step', direction: 1 });
    const first = navigate(initialNav(), action, ctx);
    expect(records[first.cursor].k).toBe('step');
    expect(records[first.cursor].d?.n).toBe(1);
    const second = navigate(first, action, ctx);
    expect(records[second.cursor].d?.n).toBe(2);
  });
});
