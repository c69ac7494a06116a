// The report files: report.json (schema, totals), junit.xml (well-formed XML,
// one case per scenario × invariant, failures naming the seed and the replay
// command, hostile text escaped), summary.md, atomic writes, and merging
// shard reports into the totals of the unsharded sweep.
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJUnit } from '../reports/junit.ts';
import { readReport, REPORT_SCHEMA, type Report } from '../reports/report.ts';
import { renderSummary } from '../reports/summary.ts';
import { writeFileAtomic } from '../reports/write.ts';
import { readRepro } from '../reports/repro.ts';
import { mergeReportDirs, mergeReports } from '../sweep/merge.ts';
import { sweepAndReport, type SweepReport } from '../sweep/sweep-report.ts';

const TOY = './test/fixtures/toy-scenario.ts';
const tmp = mkdtempSync(join(tmpdir(), 'lnsim-report-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---- a strict little XML reader (well-formedness, no DTDs), written for this test ----

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME_START = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
const NAME_CHAR = (c: string) => NAME_START(c) || (c >= '0' && c <= '9') || c === '-' || c === '.';
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`XML not well-formed at offset ${i}: ${what}`);
  };
  const peek = (s: string) => source.startsWith(s, i);
  const expectText = (s: string) => (peek(s) ? (i += s.length) : fail(`expected '${s}'`));
  const space = () => {
    while (i < source.length && ' \t\r\n'.includes(source[i])) i++;
  };
  const name = () => {
    const start = i;
    if (!NAME_START(source[i] ?? '')) fail('expected a name');
    while (i < source.length && NAME_CHAR(source[i])) i++;
    return source.slice(start, i);
  };
  const checkChar = (c: string) => {
    const code = c.codePointAt(0)!;
    if (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') fail(`control character U+${code.toString(16)}`);
    if (code === 0xfffe || code === 0xffff) fail('non-character');
  };
  const reference = () => {
    expectText('&');
    const end = source.indexOf(';', i);
    if (end < 0) fail('unterminated reference');
    const ref = source.slice(i, end);
    i = end + 1;
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    if (!(ref in ENTITIES)) fail(`unknown entity &${ref};`);
    return ENTITIES[ref];
  };
  const attrValue = () => {
    const quote = source[i];
    if (quote !== '"' && quote !== "'") fail('attribute value must be quoted');
    i++;
    let value = '';
    while (source[i] !== quote) {
      if (i >= source.length) fail('unterminated attribute value');
      if (source[i] === '<') fail("'<' in an attribute value");
      if (source[i] === '&') value += reference();
      else {
        checkChar(source[i]);
        value += source[i++];
      }
    }
    i++;
    return value;
  };
  const element = (): XmlElement => {
    expectText('<');
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      space();
      if (peek('/>')) {
        i += 2;
        return el;
      }
      if (peek('>')) {
        i++;
        break;
      }
      if (i === before) fail('expected whitespace before an attribute');
      const key = name();
      if (key in el.attrs) fail(`duplicate attribute ${key}`);
      space();
      expectText('=');
      space();
      el.attrs[key] = attrValue();
    }
    for (;;) {
      if (i >= source.length) fail(`unclosed <${el.name}>`);
      if (peek('</')) {
        i += 2;
        if (name() !== el.name) fail(`mismatched end tag for <${el.name}>`);
        space();
        expectText('>');
        return el;
      }
      if (peek('<!--')) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (peek('<![CDATA[')) {
        const end = source.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        el.text += source.slice(i + 9, end);
        i = end + 3;
      } else if (peek('<')) el.children.push(element());
      else if (peek('&')) el.text += reference();
      else {
        if (peek(']]>')) fail("']]>' in text");
        checkChar(source[i]);
        el.text += source[i++];
      }
    }
  };
  if (peek('<?xml')) {
    const end = source.indexOf('?>', i);
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  space();
  const root = element();
  space();
  if (i !== source.length) fail('content after the root element');
  return root;
}

const all = (el: XmlElement, name: string): XmlElement[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];

describe('the XML reader used by these tests', () => {
  it('rejects what is not well-formed', () => {
    for (const bad of ['<a>', '<a></b>', '<a x=1/>', '<a>&bogus;</a>', '<a>x < y</a>', '<a/><b/>', '<a x="1" x="2"/>', '<a>\u0001</a>', '<a title="a<b"/>']) expect(() => parseXml(bad)).toThrow(/not well-formed/);
    expect(parseXml('<?xml version="1.0"?>\n<a x="&lt;&amp;">t&gt;<b/></a>\n')).toEqual({ name: 'a', attrs: { x: '<&' }, children: [{ name: 'b', attrs: {}, children: [], text: '' }], text: 't>' });
  });
});

// ---- reports from real sweeps ----

describe('report directory', () => {
  const dir = join(tmp, 'full');
  let result: SweepReport;
  let report: Report;
  beforeAll(async () => {
    result = await sweepAndReport({ scenarios: [TOY], bugs: [], from: 1, seeds: 40, workers: 1, reportDir: dir, displayDir: 'out/full', shrink: false });
    report = readReport(dir);
  });

  it('report.json is versioned and its totals add up', () => {
    expect(report.schema).toBe(REPORT_SCHEMA);
    expect(report).toEqual(JSON.parse(JSON.stringify(result.report)));
    expect(report.runs).toBe(40);
    expect(report.seeds).toEqual({ from: 1, count: 40 });
    expect(report.scenarios.map((s) => [s.name, s.source, s.runs])).toEqual([['toy-token', TOY, 40]]);
    expect(report.violationCount).toBeGreaterThan(0);
    expect(report.violations).toHaveLength(report.violationCount);
    expect(report.invariants).toEqual([{ scenario: 'toy-token', invariant: 'toy-monotonic', runs: 40, violations: report.violationCount, firstSeed: report.violations[0].seed, repro: report.repros[0].file }]);
    expect(report.interrupted).toBe(false);
    expect(report.timing.elapsedSeconds).toBeGreaterThan(0);
  });

  it('one repro per distinct failure, from the smallest seed, replayable as written', () => {
    expect(report.repros).toHaveLength(1);
    const [entry] = report.repros;
    expect(entry.seed).toBe(report.violations[0].seed);
    expect(readdirSync(join(dir, 'repros'))).toEqual([entry.file.replace('repros/', '')]);
    const repro = readRepro(join(dir, entry.file));
    expect(repro.scenario).toBe(TOY);
    expect(repro.seed).toBe(entry.seed);
    expect(repro.violation?.invariant).toBe('toy-monotonic');
    expect(repro.fingerprint).toBe(report.violations[0].fingerprint);
    expect(repro.labels).toHaveLength(repro.tape.length);
    expect(repro.command).toBe(`npx lnsim replay out/full/${entry.file}`);
    expect(entry.note).toMatch(/--no-shrink/);
  });

  it('junit.xml parses, has one case per scenario × invariant, and the failure names the seed and the replay command', () => {
    const xml = parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    expect(xml.name).toBe('testsuites');
    const cases = all(xml, 'testcase');
    expect(cases.map((c) => [c.attrs.classname, c.attrs.name])).toEqual([['lnsim.toy-token', 'toy-monotonic']]);
    const [failure] = all(cases[0], 'failure');
    const seed = report.violations[0].seed;
    expect(failure.attrs.message).toContain(`first seed ${seed}`);
    expect(failure.text).toContain(`first failing seed: ${seed}`);
    expect(failure.text).toContain(`replay: npx lnsim replay out/full/${report.repros[0].file}`);
  });

  it('summary.md has the totals table and the replay command', () => {
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain(`| toy-token | 40 |`);
    expect(summary).toContain(`npx lnsim replay out/full/${report.repros[0].file}`);
    expect(summary).toMatch(/❌ \d+ violating runs? in 40 runs/);
  });

  it('junit.xml marks the cases of a scenario that never ran as skipped, not passed (issue 14 defect 6)', async () => {
    const controller = new AbortController();
    controller.abort();
    const stopped = await sweepAndReport({ scenarios: [TOY], bugs: [], from: 1, seeds: 5, workers: 1, reportDir: join(tmp, 'never-ran'), shrink: false, signal: controller.signal });
    expect(stopped.report.interrupted).toBe(true);
    expect(stopped.report.runs).toBe(0);
    const xml = parseXml(readFileSync(join(tmp, 'never-ran', 'junit.xml'), 'utf8'));
    const [suite] = all(xml, 'testsuite');
    expect(suite.attrs.skipped).toBe('1');
    expect(xml.attrs.skipped).toBe('1');
    const [skipped] = all(all(xml, 'testcase')[0], 'skipped');
    expect(skipped.attrs.message).toBe('never ran: the sweep was interrupted before any run of toy-token');
  });

  it('a second sweep into the same directory leaves no stale repro behind', async () => {
    await sweepAndReport({ scenarios: [TOY], bugs: [], from: 1, seeds: 3, workers: 1, reportDir: dir, shrink: false });
    const again = readReport(dir);
    expect(again.violationCount).toBe(0);
    expect(readdirSync(join(dir, 'repros'))).toEqual([]);
  });
});

describe('hostile text', () => {
  const base = (message: string): Report => ({
    schema: REPORT_SCHEMA,
    harness: '0.1.0',
    kind: 'run',
    scenarios: [{ name: 's<1>&"2"', source: 's', invariants: ["inv'<x>"], runs: 3, events: 9, violations: 1, known: 0 }],
    bugs: ['b&1'],
    seeds: { from: 1, count: 3 },
    shard: null,
    mergedShards: null,
    stopOnFirst: false,
    runs: 3,
    events: 9,
    violationCount: 1,
    invariants: [{ scenario: 's<1>&"2"', invariant: "inv'<x>", runs: 3, violations: 1, firstSeed: 2, repro: 'repros/x.repro.json' }],
    violations: [{ scenario: 's<1>&"2"', seed: 2, invariant: "inv'<x>", message, fingerprint: 'f'.repeat(64), event: 4, time: 5, repro: 'repros/x.repro.json' }],
    violationsOmitted: 0,
    known: [],
    repros: [],
    timing: { elapsedSeconds: 1, runsPerSecond: 3, eventsPerSecond: 9, workers: 0 },
    interrupted: false,
    stoppedOnFirst: false,
    digest: null,
  });

  it('is escaped so the JUnit file still parses and says what was meant', () => {
    const message = 'amount < 0 && "x" > \'y\' ]]> \u0001\u001b[31m | pipe\nnew line';
    const xml = parseXml(renderJUnit(base(message), 'dir'));
    const [testcase] = all(xml, 'testcase');
    expect(testcase.attrs.classname).toBe('lnsim.s<1>&"2"');
    expect(testcase.attrs.name).toBe("inv'<x>");
    const [failure] = all(testcase, 'failure');
    expect(failure.text).toContain('amount < 0 && "x" > \'y\' ]]> \uFFFD\uFFFD[31m | pipe\nnew line');
    const summary = renderSummary(base(message), 'dir');
    expect(summary).toContain('| s&lt;1&gt;&amp;"2" | 3 | 9 | 1 |');
    expect(summary).toContain('amount &lt; 0 &amp;&amp; "x" &gt;');
    expect(summary).not.toContain('<');
  });
});

describe('atomic writes', () => {
  it('replace the file whole and leave no temporary file', () => {
    const path = join(tmp, 'atomic', 'f.txt');
    writeFileAtomic(path, 'one');
    writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(tmp, 'atomic'))).toEqual(['f.txt']);
  });
});

describe('merging shard reports', () => {
  const seeds = 50;
  const shardDirs = [1, 2, 3].map((i) => join(tmp, `shard-${i}`));
  let whole: SweepReport;
  beforeAll(async () => {
    whole = await sweepAndReport({ scenarios: [TOY], bugs: [], from: 3, seeds, workers: 1, reportDir: join(tmp, 'whole'), shrink: false });
    for (const [k, dir] of shardDirs.entries()) {
      await sweepAndReport({ scenarios: [TOY], bugs: [], from: 3, seeds, workers: 1, shard: { index: k + 1, count: 3 }, reportDir: dir, shrink: false });
    }
  });

  it('gives the unsharded totals, violations and first seeds', () => {
    const out = join(tmp, 'merged');
    // Given out of order: the merge sorts them.
    const merged = mergeReportDirs([shardDirs[2], shardDirs[0], shardDirs[1]], out, 'merged');
    const w = whole.report;
    expect(merged.kind).toBe('merge');
    expect(merged.mergedShards).toBe(3);
    expect(merged.shard).toBeNull();
    expect([merged.runs, merged.events, merged.violationCount]).toEqual([w.runs, w.events, w.violationCount]);
    expect(merged.scenarios).toEqual(w.scenarios);
    expect(merged.invariants).toEqual(w.invariants);
    expect(merged.violations).toEqual(w.violations);
    expect(merged.repros.map((r) => [r.file, r.seed])).toEqual(w.repros.map((r) => [r.file, r.seed]));
    const repro = readRepro(join(out, merged.repros[0].file));
    expect(repro.command).toBe(`npx lnsim replay merged/${merged.repros[0].file}`);
    expect(readReport(out)).toEqual(JSON.parse(JSON.stringify(merged)));
    expect(existsSync(join(out, 'junit.xml')) && existsSync(join(out, 'summary.md'))).toBe(true);
  });

  it('the merged digest equals the unsharded sweep\'s digest (issue 14 defect 7)', () => {
    const merged = mergeReportDirs(shardDirs, join(tmp, 'merged-digest'));
    expect(whole.report.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(merged.digest).toBe(whole.report.digest);
    // And it is a real check: leave one shard's runs out and it differs.
    const partial = mergeReports(shardDirs.map((dir) => ({ dir, report: readReport(dir) })).map((s, i) => (i === 0 ? { ...s, report: { ...s.report, digest: '0'.repeat(64) } } : s)));
    expect(partial.digest).not.toBe(whole.report.digest);
  });

  it('refuses a missing shard, a shard given twice, an unsharded report, or another sweep', () => {
    const shards = shardDirs.map((dir) => ({ dir, report: readReport(dir) }));
    expect(() => mergeReports(shards.slice(0, 2))).toThrow(/missing shard 3\/3/);
    expect(() => mergeReports([...shards, shards[1]])).toThrow(/shard 2\/3 is given twice/);
    expect(() => mergeReports([...shards, { dir: 'whole', report: whole.report }])).toThrow(/not a shard report/);
    const other = { ...shards[0], report: { ...shards[0].report, seeds: { from: 1, count: 99 } } };
    expect(() => mergeReports([other, shards[1], shards[2]])).toThrow(/another sweep \(seeds/);
    expect(() => mergeReportDirs([join(tmp, 'nowhere')], join(tmp, 'm2'))).toThrow(/no report at/);
  });
});
