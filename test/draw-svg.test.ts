// The SVG message-sequence picture: well-formed standalone XML, the violation
// marked, messages matched send-to-delivery in order, text escaped, and long
// traces windowed to a sensible size.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { main } from '../cli.tsx';
import { chooseWindow, drawSequenceSvg, matchMessages } from '../reports/draw.ts';
import { makeRepro } from '../reports/repro.ts';
import type { TraceRecord } from '../sim/trace.ts';
import { toyScenario } from './fixtures/toy-scenario.ts';

const FAILING_SEED = 9;
let dir: string;
let records: readonly TraceRecord[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lnsim-draw-'));
  const run = runScenario(toyScenario, { seed: FAILING_SEED, keepRecords: true });
  expect(run.violation).toBeDefined();
  records = run.records!;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A small XML well-formedness check: one root, balanced tags, quoted
 * attributes without duplicates, and '&' / '<' only as markup or entities.
 */
function assertWellFormed(xml: string): void {
  const badAmp = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (badAmp.test(text)) throw new Error(`unescaped '&' in text near ${JSON.stringify(text.slice(0, 60))}`);
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${JSON.stringify(text.slice(0, 60))}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 80))}`);
    const [, closing, name, attrs, selfClosing] = m;
    const names = [...attrs.matchAll(/([\w:.-]+)="([^"]*)"/g)].map((a) => {
      if (badAmp.test(a[2])) throw new Error(`unescaped '&' in attribute ${a[1]} of <${name}>`);
      return a[1];
    });
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in <${name}>`);
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
    i = tag.lastIndex;
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`expected one root element, found ${roots}`);
}

describe('drawSequenceSvg', () => {
  it('(the well-formedness check itself rejects broken XML)', () => {
    expect(() => assertWellFormed('<svg><g></svg>')).toThrow(/closes/);
    expect(() => assertWellFormed('<svg><text>a & b</text></svg>')).toThrow(/unescaped/);
    expect(() => assertWellFormed('<svg x="1" x="2"></svg>')).toThrow(/duplicate/);
    expect(() => assertWellFormed('<svg></svg><svg></svg>')).toThrow(/one root/);
    expect(() => assertWellFormed('<svg><text>a < b</text></svg>')).toThrow(/malformed/);
  });

  it('draws a well-formed standalone SVG with lifelines, arrows and the violation marked', () => {
    const svg = drawSequenceSvg(records, { title: 'toy seed 9' });
    assertWellFormed(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const violation = records.at(-1)!;
    expect(violation.k).toBe('violation');
    expect(svg).toContain(`✗ VIOLATION ${String(violation.d?.invariant)}`);
    expect(svg).toContain(`violation of toy-monotonic at #${violation.i}: ${String(violation.d?.message)}`);
    // One arrowhead per message delivered, one lifeline head per node.
    const delivered = matchMessages(records).filter((p) => p.end !== undefined && !p.dropped).length;
    expect(svg.match(/marker-end="url\(#arrow\)"/g)).toHaveLength(delivered);
    expect(svg).toMatch(/>A<\/text>/);
    expect(svg).toMatch(/>B<\/text>/);
    expect(svg).toContain('CRASH');
    const [, width, height] = svg.match(/width="(\d+)" height="(\d+)"/)!.map(Number);
    expect(width).toBeLessThan(2000);
    expect(height).toBeLessThan(64 + 18 * records.length + 100);
  });

  it('escapes any text the model puts in the trace', () => {
    const nasty: TraceRecord[] = [
      { i: 0, t: 0, k: 'start', n: 'a<b', d: { incarnation: 1 } },
      { i: 1, t: 1, k: 'model-note', n: 'a<b', d: { text: '<script>alert("x")</script> & \'q\'' } },
      { i: 2, t: 2, k: 'violation', d: { invariant: 'x&y', message: 'a < b & "c"' } },
    ];
    const svg = drawSequenceSvg(nasty);
    assertWellFormed(svg);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('VIOLATION x&amp;y');
  });

  it('matches sends to deliveries and drops first in first out, per direction', () => {
    const trace: TraceRecord[] = [
      { i: 0, t: 0, k: 'send', n: 'A', d: { to: 'B', message: { type: 'm1' } } },
      { i: 1, t: 0, k: 'send', n: 'A', d: { to: 'B', message: { type: 'm2' } } },
      { i: 2, t: 0, k: 'send', n: 'B', d: { to: 'A', message: { type: 'r1' } } },
      { i: 3, t: 1, k: 'deliver', n: 'B', d: { from: 'A', type: 'm1' } },
      { i: 4, t: 1, k: 'drop', n: 'B', d: { from: 'A', type: 'm2', reason: 'disconnected' } },
      { i: 5, t: 1, k: 'drop', n: 'A', d: { to: 'B', type: 'm3', reason: 'not connected' } },
    ];
    expect(matchMessages(trace)).toEqual([
      { send: 0, end: 3, dropped: false },
      { send: 1, end: 4, dropped: true },
      { send: 2, end: undefined, dropped: false },
    ]);
    assertWellFormed(drawSequenceSvg(trace));
  });

  it('windows long traces: the last events up to the violation, or N events around it', () => {
    const long: TraceRecord[] = [];
    for (let i = 0; i < 5000; i++) long.push({ i, t: i, k: i % 2 ? 'deliver' : 'send', n: i % 2 ? 'B' : 'A', d: i % 2 ? { from: 'A', type: 'ping' } : { to: 'B', message: { type: 'ping' } } });
    long.push({ i: 5000, t: 5000, k: 'violation', d: { invariant: 'inv', message: 'broken' } });
    expect(chooseWindow(long, long[5000], {})).toEqual([4601, 5000]);
    expect(chooseWindow(long, long[5000], { aroundViolation: 20 })).toEqual([4980, 5000]);
    expect(chooseWindow(long, long[5000], { from: 10, to: 30 })).toEqual([10, 30]);
    const svg = drawSequenceSvg(long, { aroundViolation: 20 });
    assertWellFormed(svg);
    expect(svg).toContain('events 4980..5000 of 5001');
    expect(svg.match(/>#\d+ t=\d+</g)).toHaveLength(21);
    const capped = drawSequenceSvg(long);
    expect(capped.match(/>#\d+ t=\d+</g)).toHaveLength(400);
  });
});

describe('lnsim draw', () => {
  it('writes the picture of a repro', async () => {
    const run = runScenario(toyScenario, { seed: FAILING_SEED, recordLabels: true });
    const repro = join(dir, 'toy.repro.json');
    writeFileSync(repro, JSON.stringify(makeRepro({ scenario: './test/fixtures/toy-scenario.ts', seed: FAILING_SEED, bugs: [], tape: run.tape, fingerprint: run.fingerprint, events: run.events, violation: run.violation ?? null, labels: run.labels, command: 'x' })));
    const out = join(dir, 'pictures', 'toy.svg');
    let stdout = '';
    const code = await main(['draw', repro, '-o', out, '--around-violation', '10'], {
      stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream,
      stderr: { write: () => true } as unknown as NodeJS.WritableStream,
      stdin: {} as NodeJS.ReadableStream,
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${out}`);
    const svg = readFileSync(out, 'utf8');
    assertWellFormed(svg);
    expect(svg).toContain('VIOLATION toy-monotonic');
    expect(svg.match(/>#\d+ t=\d+</g)).toHaveLength(11);
  });

  it('-o naming an existing directory: one-line error, exit 2, no temp file left (issue 14 defect 4)', async () => {
    const run = runScenario(toyScenario, { seed: FAILING_SEED, recordLabels: true });
    const repro = join(dir, 'toy-dir.repro.json');
    writeFileSync(repro, JSON.stringify(makeRepro({ scenario: './test/fixtures/toy-scenario.ts', seed: FAILING_SEED, bugs: [], tape: run.tape, fingerprint: run.fingerprint, events: run.events, violation: run.violation ?? null, labels: run.labels, command: 'x' })));
    const outDir = join(dir, 'existing');
    mkdirSync(outDir);
    let stderr = '';
    const code = await main(['draw', repro, '-o', outDir], {
      stdout: { write: () => true } as unknown as NodeJS.WritableStream,
      stderr: { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream,
      stdin: {} as NodeJS.ReadableStream,
    });
    expect(code).toBe(2);
    expect(stderr).toBe(`lnsim: draw: -o '${outDir}' is a directory: give a file path, e.g. -o ${join(outDir, 'failure.svg')}\n`);
    expect(readdirSync(dir).filter((f) => f.includes('tmp'))).toEqual([]);
  });
});

// Defect 11 of issue 14: the violation mark on the violating node's lifeline, labels neither colliding nor
// cut, dropped-message arrows never striking through the violation label, and end-of-run violations opening
// on the events that matter.
describe('defect 11: the violation in the picture', () => {
  const GUTTER = 78;
  const LANE = 180;
  const laneX = (k: number) => GUTTER + LANE * k + LANE / 2;
  const long = 'B lost the HTLC ' + Array.from({ length: 40 }, (_, k) => `word${k}`).join(' ') + ' at the very end';
  const synthetic: TraceRecord[] = [
    { i: 0, t: 0, k: 'start', n: 'A' },
    { i: 1, t: 0, k: 'start', n: 'B' },
    { i: 2, t: 0, k: 'start', n: 'C' },
    { i: 3, t: 1, k: 'send', n: 'A', d: { to: 'C', message: { type: 'update_add_htlc' } } },
    { i: 4, t: 2, k: 'send', n: 'C', d: { to: 'A', message: { type: 'commitment_signed' } } },
    { i: 5, t: 3, k: 'write', n: 'B', d: { key: 'monitor/ab', id: 1, op: 'put', status: 'pending' } },
    { i: 6, t: 4, k: 'violation', d: { invariant: 'no-lost-htlc', message: long } },
    { i: 7, t: 5, k: 'drop', n: 'C', d: { from: 'A', type: 'update_add_htlc', reason: 'disconnect' } },
  ];

  it('marks the violation on the lifeline of the node the message names, on a plate drawn over every arrow', () => {
    const svg = drawSequenceSvg(synthetic, { nodes: ['A', 'B', 'C'] });
    assertWellFormed(svg);
    const label = svg.indexOf('✗ VIOLATION no-lost-htlc (B)');
    expect(label).toBeGreaterThan(0);
    // The cross of the violation row is centred on B's lane.
    const x = laneX(1);
    expect(svg).toMatch(new RegExp(`<path d="M${x - 6},[\\d.]+ L${x + 6},`));
    // The plate (and the label) come after every message arrow, so no arrow is drawn across it.
    const plate = svg.lastIndexOf('<rect', label);
    expect(plate).toBeGreaterThan(svg.lastIndexOf('<line x1="' + laneX(0)));
    expect(plate).toBeGreaterThan(svg.lastIndexOf('stroke-dasharray="5,3"'));
  });

  it('wraps a long violation text in the heading instead of cutting it', () => {
    const svg = drawSequenceSvg(synthetic, { nodes: ['A', 'B', 'C'] });
    const heading = [...svg.matchAll(/<text x="8" y="(\d+)" fill="#c0392b" font-weight="bold">([^<]*)<\/text>/g)].map((m) => m[2]);
    expect(heading.length).toBeGreaterThan(1);
    expect(heading.join(' ')).toBe(`violation of no-lost-htlc at #6: ${long}`);
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(width).toBeLessThanOrEqual(1600);
    for (const line of heading) expect(line.length * 6.8).toBeLessThanOrEqual(width);
  });

  it('an end-of-run violation opens on the event it is about, without the calm phase\'s block rows', () => {
    const run = runScenario('mpp-part-prune', { seed: 113, bugs: ['ldk-3120'], keepRecords: true });
    const records = run.records!;
    const v = run.violation!;
    expect(records[v.event - 1].k).toBe('end');
    const svg = drawSequenceSvg(records, { nodes: run.world.nodeIds(), maxEvents: 60 });
    assertWellFormed(svg);
    const rows = [...svg.matchAll(/>#(\d+) t=\d+</g)].map((m) => Number(m[1]));
    // The event about p4 at C is in the picture, and after it only what is not background.
    const focus = rows.find((i) => records[i].n === 'C' && JSON.stringify(records[i].d).includes('"p4"'));
    expect(focus).toBeDefined();
    expect(rows.filter((i) => i > focus! && records[i].k === 'block')).toEqual([]);
    expect(rows.at(-1)).toBe(v.event);
    expect(svg).toContain('✗ VIOLATION payment-claimed-delivered (C)');
  });
});

