// Defect 3 of issue 14: the README's planted-bug example caught nothing. Every command shown in README.md
// and scenarios/README.md is run here, in the order a reader would type it, in a scratch directory laid
// out as the docs assume (./my-scenarios/triangle.ts, ./my-scenario.ts). Seed counts are cut where a
// command would take long; a command written as a synopsis (FILE, NAME, [--flag]...) is checked against
// its command's --help: the command exists and knows every flag shown. A command the docs gain that this
// table does not know fails the test, so nothing shown goes untried.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli.tsx';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${process.execPath} ${join(ROOT, 'bin/lnsim.js')}`;

/** Commands shown in a markdown file: lines of ```sh blocks, `- run:` steps of ```yaml blocks, and inline code spans that start with a command. */
export function shownCommands(markdown: string): string[] {
  const found: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const open = /^```(\w*)/.exec(line);
    if (open) {
      fence = fence === undefined ? open[1] || 'text' : undefined;
      continue;
    }
    if (fence === 'sh' && line.trim() !== '') found.push(...line.replace(/\s+#.*$/, '').split('&&').map((c) => c.trim()));
    else if (fence === 'yaml') {
      const run = /^\s*-?\s*run:\s*(.+)$/.exec(line);
      if (run) found.push(run[1].trim());
    } else if (fence === 'text') {
      const shown = /(?:^|\s)(npx lnsim .+)$/.exec(line);
      if (shown) found.push(shown[1].trim());
    } else if (fence === undefined) {
      for (const span of line.matchAll(/`((?:npx lnsim|npm) [^`]+)`/g)) found.push(span[1].replace(/\\\|/g, '|'));
    }
  }
  return [...new Set(found)];
}

type Step =
  /**
   * Run this shell line (npx lnsim → the bin) in the scratch directory of its chain (a reader following one
   * section, in a directory of their own); expect this exit code.
   */
  | { readonly run: string; readonly exit: number; readonly output?: RegExp; readonly chain: string }
  /** A synopsis: the command and each flag it shows must be in `lnsim <command> --help`. */
  | { readonly synopsis: true }
  /** Not runnable from a test, and why. */
  | { readonly skip: string };

const TRIANGLE = './my-scenarios/triangle.ts';
/** Every command of the two docs, keyed exactly as shown, in the order the docs show them. */
const STEPS: Record<string, Step> = {
  // README.md
  'npm ci': { skip: 'installs the dependencies this test already runs on (and node_modules is shared)' },
  'npm start': { run: `npm --prefix ${ROOT} start -- --seeds 2 --report "$PWD/start-report"`, chain: 'start', exit: 0, output: /every invariant held/ },
  'npm test': { skip: 'is this test suite' },
  'npx lnsim list [--json]': { synopsis: true },
  'npx lnsim run [--scenario NAME|./file.ts]... [--seeds N | --seed S] [--from S0] [--bug ID]... [--workers K] [--shard i/n] [--report DIR] [--stop-on-first] [--save-failures] [--no-shrink] [--fail-on-known] [--json] [--ci]': { synopsis: true },
  'npx lnsim replay FILE': { synopsis: true },
  'npx lnsim replay FILE --check': { synopsis: true },
  'npx lnsim shrink FILE [-o OUT]': { synopsis: true },
  'npx lnsim draw FILE -o OUT.svg': { synopsis: true },
  'npx lnsim merge DIR... [--report OUT]': { synopsis: true },
  'npx lnsim hunt [--bug ID]... [--search NAME] [--budget-seconds T] [--json]': { synopsis: true },
  'npm run bench': { run: `npm --prefix ${ROOT} run bench -- --seconds 0.05 --scenario-seconds 0.05 --memory-seeds 20 --trials 1 --hunt-budget 0.05 --search-runs 2 --ldk-seeds 0 --json`, chain: 'bench', exit: 0, output: /"throughput"|"hunt"|runsPerSecond/ },
  'npx lnsim replay lnsim-report/repros/<scenario>-<invariant>-<seed>.repro.json': { synopsis: true },
  'npx lnsim list': { run: 'npx lnsim list', chain: 'misc', exit: 0, output: /ldk-3120 +mpp-part-prune/ },
  'npx lnsim run --scenario mpp-part-prune --bug ldk-3120 --seeds 150': { run: 'npx lnsim run --scenario mpp-part-prune --bug ldk-3120 --seeds 150 --ci', chain: 'planted', exit: 1, output: /mpp-part-prune \/ payment-claimed-delivered: \d+ runs?, first seed 113/ },
  'npx lnsim replay lnsim-report/repros/mpp-part-prune-payment-claimed-delivered-113.repro.json --check': { run: 'npx lnsim replay lnsim-report/repros/mpp-part-prune-payment-claimed-delivered-113.repro.json --check', chain: 'planted', exit: 0 },
  'npx lnsim hunt': { run: 'npx lnsim hunt --bug ln-early-raa --budget-seconds 20', chain: 'misc', exit: 0, output: /ln-early-raa/ },
  'npx lnsim run --seeds 20000 --shard ${{ matrix.shard }}/4 --report lnsim-report --ci': {
    // The matrix's four jobs, each uploading its report as the artifact lnsim-shard-i, downloaded under shards/.
    run: [1, 2, 3, 4].map((i) => `npx lnsim run --seeds 3 --shard ${i}/4 --report shards/lnsim-shard-${i} --ci`).join(' && '),
    chain: 'ci', exit: 0,
  },
  'npx lnsim merge shards/lnsim-shard-* --report lnsim-report': { run: 'npx lnsim merge shards/lnsim-shard-* --report lnsim-report', chain: 'ci', exit: 0, output: /4 shards/ },
  'cat lnsim-report/summary.md >> "$GITHUB_STEP_SUMMARY"': { run: 'cat lnsim-report/summary.md >> "$GITHUB_STEP_SUMMARY" && grep -q lnsim "$GITHUB_STEP_SUMMARY"', chain: 'ci', exit: 0 },
  'npx lnsim run --scenario ./my-scenario.ts': { run: 'npx lnsim run --scenario ./my-scenario.ts --seeds 20', chain: 'misc', exit: 0 },
  // scenarios/README.md
  'npx lnsim replay --scenario NAME --seed S --print': { synopsis: true },
  [`npx lnsim run --scenario ${TRIANGLE} --seeds 500`]: { run: `npx lnsim run --scenario ${TRIANGLE} --seeds 100`, chain: 'tutorial', exit: 0 },
  [`npx lnsim run --scenario ${TRIANGLE} --seeds 200 --bug ln-early-raa`]: { run: `npx lnsim run --scenario ${TRIANGLE} --seeds 200 --bug ln-early-raa`, chain: 'tutorial', exit: 1, output: /triangle-payments \/ monitor-safety: \d+ runs, first seed 1\b/ },
  'npx lnsim replay --scenario ./scenarios/examples/triangle.ts --seed 1 --bug ln-early-raa': { run: `cd ${ROOT} && npx lnsim replay --scenario ./scenarios/examples/triangle.ts --seed 1 --bug ln-early-raa`, chain: 'misc', exit: 1, output: /monitor-safety/ },
  [`npx lnsim replay --scenario ${TRIANGLE} --seed 1 --bug ln-early-raa`]: { run: `npx lnsim replay --scenario ${TRIANGLE} --seed 1 --bug ln-early-raa`, chain: 'tutorial', exit: 1, output: /monitor-safety/ },
  'npx lnsim replay lnsim-report/repros/triangle-payments-monitor-safety-1.repro.json --print': { run: 'npx lnsim replay lnsim-report/repros/triangle-payments-monitor-safety-1.repro.json --print', chain: 'tutorial', exit: 1, output: /monitor-safety/ },
  'npx lnsim shrink lnsim-report/repros/triangle-payments-monitor-safety-1.repro.json -o small.repro.json': { run: 'npx lnsim shrink lnsim-report/repros/triangle-payments-monitor-safety-1.repro.json -o small.repro.json && test -s small.repro.json', chain: 'tutorial', exit: 0 },
  'npx lnsim draw small.repro.json -o failure.svg': { run: 'npx lnsim draw small.repro.json -o failure.svg && grep -q "<svg" failure.svg', chain: 'tutorial', exit: 0 },
  'npx lnsim run ... --save-failures': { synopsis: true },
  'npx lnsim export FILE [-o OUT]': { synopsis: true },
  'npx lnsim fuzz [--scenario NAME]... [--bug ID]... [--budget-seconds T] [--iterations N] [--seed S] [--json]': { synopsis: true },
  'npx lnsim run --scenario mpp-claim-restart+aim': { run: 'npx lnsim run --scenario mpp-claim-restart+aim --seeds 3 --ci', chain: 'misc', exit: 0, output: /every invariant held/ },
  'npm run build': { run: `npm --prefix ${ROOT} run build`, chain: 'build', exit: 0 },
  // The scripted-scenario tutorial (section 10): test/steps-tutorial.test.ts runs each of these with the exit code the tutorial states.
  'npx lnsim run --scenario inverted-mon-completion --seeds 5': { skip: 'run by test/steps-tutorial.test.ts' },
  'npx lnsim run --scenario inverted-mon-completion --seeds 5 --bug ldk-2169': { skip: 'run by test/steps-tutorial.test.ts' },
  'npx lnsim replay --scenario inverted-mon-completion --seed 1 --bug ldk-2169 --print': { skip: 'run by test/steps-tutorial.test.ts' },
  'npx lnsim export lnsim-report/repros/inverted-mon-completion-no-lost-htlc-1.repro.json -o inverted-steps.test.ts': { skip: 'run by test/steps-tutorial.test.ts' },
  'npx lnsim run --scenario ./scenarios/examples/inverted-mon-sweep.ts --seeds 100': { skip: 'run by test/steps-tutorial.test.ts' },
  'npx lnsim run --scenario ./scenarios/examples/inverted-mon-sweep.ts --seeds 100 --bug ldk-2169': { skip: 'run by test/steps-tutorial.test.ts' },
  'npx lnsim export lnsim-report/repros/inverted-mon-sweep-no-lost-htlc-2.repro.json -o inverted-regression.test.ts': { skip: 'run by test/steps-tutorial.test.ts' },
  'npm install /path/to/lnsim': { skip: 'installs lnsim into a project of the reader (a placeholder path); the scratch directory imports index.ts by path instead' },
};

const scratch = mkdtempSync(join(tmpdir(), 'lnsim-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A reader's directory: the tutorial's scenario file where the docs put it. */
function prepareScratch(dir: string): void {
  mkdirSync(join(dir, 'my-scenarios'), { recursive: true });
  // Outside this repository the package name 'lnsim' does not resolve: import it by path, as the tutorial says.
  const triangle = readFileSync(join(ROOT, 'scenarios/examples/triangle.ts'), 'utf8').replace("from 'lnsim'", `from ${JSON.stringify(join(ROOT, 'index.ts'))}`);
  writeFileSync(join(dir, 'my-scenarios/triangle.ts'), triangle);
  writeFileSync(join(dir, 'my-scenario.ts'), triangle);
}

function sh(line: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  const child = spawn('/bin/sh', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

async function help(command: string): Promise<string> {
  let out = '';
  const sink = { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream;
  expect(await main([command, '--help'], { stdout: sink, stderr: sink, stdin: process.stdin }), command).toBe(0);
  return out;
}

describe('defect 3: every command shown in README.md and scenarios/README.md runs', () => {
  const docs = ['README.md', 'scenarios/README.md'].map((f) => readFileSync(join(ROOT, f), 'utf8'));
  const shown = [...new Set(docs.flatMap(shownCommands))];

  it('the docs show exactly the commands this test knows', () => {
    expect(shown.filter((c) => !(c in STEPS))).toEqual([]);
    expect(Object.keys(STEPS).filter((c) => !shown.includes(c))).toEqual([]);
  });

  it('each synopsis names a command and flags that exist', async () => {
    const helps = new Map<string, string>();
    for (const [shownAs, step] of Object.entries(STEPS)) {
      if (!('synopsis' in step)) continue;
      const command = /^(?:npx )?lnsim (\w+)/.exec(shownAs)?.[1];
      expect(command, shownAs).toBeDefined();
      if (!helps.has(command!)) helps.set(command!, await help(command!));
      for (const flag of shownAs.match(/(?<![\w-])--?[a-z][\w-]*/g) ?? []) expect(helps.get(command!), `${shownAs}: ${flag}`).toContain(flag);
    }
  });

  it("each runnable command runs in the reader's order and does what the docs say", async () => {
    const chains = new Map<string, [string, Extract<Step, { run: string }>][]>();
    for (const [shownAs, step] of Object.entries(STEPS)) if ('run' in step) chains.set(step.chain, [...(chains.get(step.chain) ?? []), [shownAs, step]]);
    // One after another: side by side they only fight over the cores.
    const results: { command: string; exit: number | null; output: string }[][] = [];
    for (const [chain, steps] of chains) {
      results.push(
        await (async () => {
        const dir = join(scratch, chain);
        prepareScratch(dir);
        const env = { ...process.env, GITHUB_STEP_SUMMARY: join(dir, 'step-summary.md'), FORCE_COLOR: '0' };
        const seen: { command: string; exit: number | null; output: string }[] = [];
        for (const [shownAs, step] of steps) {
          const t0 = performance.now();
          const { status, output } = await sh(step.run.replace(/npx lnsim/g, BIN), dir, env);
          if (process.env.LNSIM_DOCS_TIMING) console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s  ${shownAs}`);
          seen.push({ command: shownAs, exit: status, output });
          if (status !== step.exit) break; // later steps of the chain depend on this one
        }
        return seen;
        })(),
      );
    }
    for (const seen of results) {
      for (const { command, exit, output } of seen) {
        const step = STEPS[command] as Extract<Step, { run: string }>;
        expect({ command, exit }, output.slice(-2000)).toEqual({ command, exit: step.exit });
        if (step.output) expect(output, command).toMatch(step.output);
        expect(output, command).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // never a stack trace
      }
    }
    expect(results.flat().length).toBe(Object.values(STEPS).filter((s) => 'run' in s).length);
    expect(existsSync(join(scratch, 'tutorial', 'failure.svg'))).toBe(true);
  });
});
