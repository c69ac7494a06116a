// `lnsim list [--json]`: the scenarios, invariants and planted bugs, as
// aligned plain text or as the JSON object of DESIGN 6.
import { BUGS, INVARIANTS, SCENARIOS } from '../api.ts';
import { parseFlags, type Command } from './args.ts';

export interface Listing {
  readonly scenarios: readonly { name: string; backend: string; description: string }[];
  readonly invariants: readonly { name: string; description: string }[];
  readonly bugs: readonly { id: string; title: string; reference: string; invariant: string; scenario: string }[];
}

export function listing(): Listing {
  return {
    scenarios: SCENARIOS.map((s) => ({ name: s.name, backend: s.backend ?? 'model', description: s.description })),
    invariants: INVARIANTS.map((i) => ({ name: i.name, description: i.description })),
    bugs: BUGS.map((b) => ({ id: b.id, title: b.title, reference: b.reference, invariant: b.invariant, scenario: b.scenario })),
  };
}

/**
 * Rows as columns padded to the widest cell; the last column is word-wrapped
 * to `width` (continuation lines start under it).
 */
export function columns(rows: readonly (readonly string[])[], width = 100, indent = '  '): string {
  if (rows.length === 0) return `${indent}(none)\n`;
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const lead = indent.length + widths.slice(0, -1).reduce((a, w) => a + w + 2, 0);
  const room = Math.max(30, width - lead);
  return rows
    .map((r) => {
      const head = indent + r.slice(0, -1).map((cell, c) => cell.padEnd(widths[c]) + '  ').join('');
      const [first, ...rest] = wrap(r[r.length - 1] ?? '', room);
      return [head + first, ...rest.map((line) => ' '.repeat(lead) + line)].map((l) => l.trimEnd() + '\n').join('');
    })
    .join('');
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

export function renderListing(l: Listing, width = 100): string {
  const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
  return [
    `scenarios (${l.scenarios.length}):\n`,
    columns(l.scenarios.map((s) => [s.name, `[${s.backend}] ${oneLine(s.description)}`]), width),
    `\ninvariants (${l.invariants.length}):\n`,
    columns(l.invariants.map((i) => [i.name, oneLine(i.description)]), width),
    `\nplanted bugs (${l.bugs.length}):  id, scenario that exposes it, invariant that catches it; title and reference below\n`,
    bugRows(l, width),
  ].join('');
}

/** One aligned line per bug (id, scenario, invariant), its title and reference wrapped beneath. */
function bugRows(l: Listing, width: number): string {
  if (l.bugs.length === 0) return '  (none)\n';
  const idWidth = Math.max(...l.bugs.map((b) => b.id.length));
  const scenarioWidth = Math.max(...l.bugs.map((b) => b.scenario.length));
  return l.bugs
    .map((b) => {
      const head = `  ${b.id.padEnd(idWidth)}  ${b.scenario.padEnd(scenarioWidth)}  ${b.invariant}\n`;
      const body = wrap(`${b.title.replace(/\s+/g, ' ')} [${b.reference}]`, Math.max(30, width - 6)).map((line) => `      ${line}\n`);
      return head + body.join('');
    })
    .join('');
}

const command: Command = async (args, io) => {
  const { values } = parseFlags('list', args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write('usage: lnsim list [--json]\n\nScenarios (name, description), invariants (name, description) and planted bugs\n(id, title, reference, invariant, scenario). --json prints them as one JSON object.\n');
    return 0;
  }
  const l = listing();
  io.stdout.write(values.json ? JSON.stringify(l, null, 2) + '\n' : renderListing(l, Math.max(60, io.stdout.columns ?? 100)));
  return 0;
};

export default command;
