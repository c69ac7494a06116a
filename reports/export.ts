// `lnsim export`: a failure becomes a regression test. The vitest file replays
// the repro's tape exactly with checkReplay (testing.ts) and fails, naming the
// invariant, for as long as the run still breaks it; it passes once the bug is
// gone. Its header names the scenario, invariant and seed and says how to
// replay the repro. When the failure is a scripted scenario's script (it broke
// inside the steps, or the script settles), the file also states the run as
// steps: a defineScenario whose steps read as the interleaving.
import { dirname, relative } from 'node:path';
import type { ScenarioRunResult } from '../api.ts';
import type { ScenarioDefinition } from '../scenarios/define.ts';
import type { ReproFile } from './repro.ts';

export interface ExportInput {
  readonly repro: ReproFile;
  /** The repro file as the user named it. */
  readonly reproPath: string;
  /** Where the test file goes (absolute). */
  readonly outFile: string;
  /** lnsim's testing.ts and index.ts (absolute paths): the test imports them relative to itself. */
  readonly testingModule: string;
  readonly indexModule: string;
  /** The scenario module (absolute), when the repro names one rather than a built-in scenario. */
  readonly scenarioModule: string | undefined;
  /** The replayed run (records kept): where it failed. */
  readonly run: ScenarioRunResult;
  /** The scenario's definition, when defineScenario made it. */
  readonly definition: ScenarioDefinition<string> | undefined;
}

/** The default file name: after the scenario, the invariant and the seed. */
export function exportFileName(repro: ReproFile): string {
  const invariant = repro.violation?.invariant ?? 'held';
  return `${repro.scenario.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]sx?$/, '')}-${invariant}-${repro.seed ?? 'tape'}.test.ts`;
}

export function renderRegressionTest(input: ExportInput): string {
  const { repro, run } = input;
  const violation = run.violation!;
  const dir = dirname(input.outFile);
  const importPath = (file: string) => {
    const rel = relative(dir, file).split('\\').join('/');
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const scenarioName = run.scenario;
  const title = `${scenarioName} ${violation.invariant} seed ${repro.seed ?? '(tape)'}`;
  const bugs = JSON.stringify(repro.bugs);
  const lines: string[] = [
    `// Regression test for ${title}, exported by \`lnsim export ${input.reproPath}\`.`,
    `// The run broke '${violation.invariant}': ${oneLine(violation.message)}`,
    `// replay: npx lnsim replay ${input.reproPath}`,
    ...(repro.seed !== null ? [`//     or: npx lnsim replay --scenario ${repro.scenario} --seed ${repro.seed}${repro.bugs.map((b) => ` --bug ${b}`).join('')}`] : []),
    `// It fails while the run still breaks an invariant, and passes once the bug is fixed${repro.bugs.length > 0 ? ` (here: planted bugs ${repro.bugs.join(', ')}; take them out of BUGS to see it pass)` : ''}.`,
    `import { describe, it } from 'vitest';`,
    `import { checkReplay } from '${importPath(input.testingModule)}';`,
  ];
  const steps = input.definition ? stepsForm(input.definition, run) : undefined;
  if (steps) lines.push(`import { defineScenario } from '${importPath(input.indexModule)}';`);
  if (input.scenarioModule) lines.push(`import scenario from '${importPath(input.scenarioModule)}';`);
  lines.push('', `const BUGS: string[] = ${bugs};`, `const TAPE: number[] = ${wrapNumbers(repro.tape)};`, '');
  const scenarioRef = input.scenarioModule ? 'scenario' : JSON.stringify(scenarioName);
  lines.push(
    `describe(${JSON.stringify(`regression: ${title}`)}, () => {`,
    `  it(${JSON.stringify(`replays the recorded run without breaking ${violation.invariant}`)}, () => {`,
    `    checkReplay({ scenario: ${scenarioRef}, tape: TAPE, bugs: BUGS }, { replay: ${JSON.stringify(`npx lnsim replay ${input.reproPath}`)} });`,
    `  });`,
  );
  if (steps) {
    lines.push(
      '',
      `  // The same failure written as steps: the interleaving, step by step (${steps.note}).`,
      `  const interleaving = defineScenario(${indent(steps.source, 2)});`,
      `  it(${JSON.stringify(`runs the interleaving as steps without breaking ${violation.invariant}`)}, () => {`,
      `    checkReplay({ scenario: interleaving, seed: ${repro.seed ?? 1}, bugs: BUGS });`,
      `  });`,
    );
  }
  lines.push('});', '');
  return lines.join('\n');
}

/**
 * The scenario's definition cut to the failing script, when the steps alone decide the run: it broke inside them
 * (up to the failing step, then settle), or the script settles (every step; the seed only draws the calm phase's latencies).
 */
function stepsForm(definition: ScenarioDefinition<string>, run: ScenarioRunResult): { source: string; note: string } | undefined {
  if (!definition.steps || hasFunction(definition.steps) || (definition.customInvariants?.length ?? 0) > 0) return undefined;
  const records = run.records ?? [];
  const violation = run.violation!;
  const scriptEnd = records.findIndex((r) => r.k === 'script-end');
  const inside = scriptEnd < 0 || violation.event < scriptEnd;
  if (!inside && (definition.then ?? 'settle') !== 'settle') return undefined;
  let steps = definition.steps;
  if (inside) {
    const marks = records.filter((r) => r.k === 'step' && r.i < violation.event);
    const last = marks.length > 0 ? (marks[marks.length - 1].d?.n as number) : 0;
    steps = steps.slice(0, last);
  }
  const { workload: _workload, inDefaultMix: _mix, ...rest } = definition;
  const cut: Record<string, unknown> = { ...rest, name: `${definition.name}-as-steps`, steps, then: 'settle' };
  return { source: toSource(cut, 0), note: inside ? `it broke at step ${steps.length}` : 'the script settles, so its steps decide the run' };
}

/** A value as TypeScript source: one line where it fits, else one entry per line (a step per line). */
function toSource(value: unknown, depth: number): string {
  const inline = inlineSource(value);
  if (inline.length + depth * 2 <= 110 || typeof value !== 'object' || value === null) return inline;
  const pad = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (Array.isArray(value)) return `[\n${value.map((v) => `${pad}${toSource(v, depth + 1)},`).join('\n')}\n${close}]`;
  return `{\n${Object.entries(value).map(([k, v]) => `${pad}${key(k)}: ${toSource(v, depth + 1)},`).join('\n')}\n${close}}`;
}

function inlineSource(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineSource).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${key(k)}: ${inlineSource(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return String(value);
}

function key(k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : `'${k}'`;
}

function hasFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(hasFunction);
}

function wrapNumbers(values: readonly number[]): string {
  if (values.length === 0) return '[]';
  const rows: string[] = [];
  for (let i = 0; i < values.length; i += 24) rows.push('  ' + values.slice(i, i + 24).join(', ') + ',');
  return `[\n${rows.join('\n')}\n]`;
}

function indent(text: string, spaces: number): string {
  return text.split('\n').map((line, i) => (i === 0 ? line : ' '.repeat(spaces) + line)).join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 300);
}
