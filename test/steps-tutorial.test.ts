// The scripted-scenario tutorial (scenarios/README.md, section 10): every
// command it shows runs here with the exit code it states, and the errors and
// messages it quotes are the ones lnsim prints.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario, UsageError } from '../api.ts';
import { defineScenario, type ScenarioDefinition } from '../scenarios/define.ts';
import { invertedMonCompletion } from '../scenarios/scripted/inverted-mon-completion.ts';
import { lnsim } from './fixtures/cli-capture.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'scenarios/README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('## 10. Scripted scenarios'), README.indexOf('## Reference'));
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-steps-tutorial-'));
symlinkSync(join(ROOT, 'scenarios'), join(tmp, 'scenarios'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every `npx lnsim ...` line of the section's sh blocks, with the exit code its comment states (default 0). */
function commands(): { argv: string[]; exit: number; line: string }[] {
  const out: { argv: string[]; exit: number; line: string }[] = [];
  for (const block of SECTION.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      if (!line.startsWith('npx lnsim ')) continue;
      const [command, comment = ''] = line.split('#');
      const exit = /exits (\d)/.exec(comment);
      out.push({ argv: command.trim().split(/\s+/).slice(2), exit: exit ? Number(exit[1]) : 0, line });
    }
  }
  return out;
}

describe('the scripted-scenario tutorial', () => {
  it('runs every command it shows, in order, with the exit code it states', async () => {
    const list = commands();
    expect(list.length).toBeGreaterThanOrEqual(7);
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      for (const { argv, exit, line } of list) {
        const { code, stderr } = await lnsim(...argv, ...(argv[0] === 'run' ? ['--ci', '--workers', '1'] : []));
        expect(code, `${line}\n${stderr}`).toBe(exit);
      }
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(tmp, 'inverted-regression.test.ts'))).toBe(true);
    expect(readFileSync(join(tmp, 'inverted-steps.test.ts'), 'utf8')).toContain('defineScenario(');
  });

  it('quotes the definition errors lnsim prints', () => {
    const quoted = SECTION.split('\n').filter((l) => l.startsWith("defineScenario('inverted-mon-completion'): "));
    expect(quoted).toHaveLength(2);
    const definition = invertedMonCompletion.definition;
    const withStep = (index: number, step: unknown): ScenarioDefinition<string> => ({ ...definition, steps: definition.steps!.map((s, i) => (i === index ? step : s)) as never });
    const error = (d: ScenarioDefinition<string>) => {
      try {
        defineScenario(d);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(error(withStep(4, { claim: { node: 'C', payment: 'p2' } }))).toBe(quoted[0]);
    expect(error(withStep(3, { holdWrites: { node: 'A', monitor: 'bc' } }))).toBe(quoted[1]);
  });

  it('quotes the failing expect message', () => {
    const definition = invertedMonCompletion.definition;
    const withExpect = defineScenario({ ...definition, name: 'inverted-expect', steps: [...definition.steps!, { expect: { node: 'A', payment: 'p1', is: 'succeeded' } }] as never });
    const run = runScenario(withExpect, { seed: 1, bugs: ['ldk-2169'] });
    expect(run.violation?.invariant).toBe('expect');
    expect(SECTION).toContain(`\`${run.violation!.message}\``);
  });
});
