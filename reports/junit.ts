// junit.xml for CI test tabs: one test suite per scenario, one test case per
// invariant it checks. A failing case names its violations, the first seed,
// and the exact command that replays the repro file.
import type { Report, ReportInvariant } from './report.ts';

/** Escape text for XML content and attribute values; drop characters XML 1.0 cannot carry. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The command that replays a repro file of a report written to `reportDir`. */
export function replayCommand(reportDir: string, reproFile: string): string {
  return `npx lnsim replay ${joinDisplay(reportDir, reproFile)}`;
}

/** A path under the report directory as the user would type it. */
export function joinDisplay(dir: string, file: string): string {
  const base = dir.replace(/[\\/]+$/, '');
  return base === '' || base === '.' ? file : `${base}/${file}`;
}

/** Replay by scenario and seed (when no repro file was written). */
export function seedReplayCommand(report: Report, scenario: string, seed: number): string {
  const source = report.scenarios.find((s) => s.name === scenario)?.source ?? scenario;
  return `npx lnsim replay --scenario ${source} --seed ${seed}${report.bugs.map((b) => ` --bug ${b}`).join('')}`;
}

const attr = (name: string, value: string | number) => ` ${name}="${xmlEscape(String(value))}"`;

/** Render the report as JUnit XML; `reportDir` is the directory as the user named it (for replay commands). */
export function renderJUnit(report: Report, reportDir: string): string {
  const suites = report.scenarios.map((scenario) => {
    const cases = report.invariants.filter((i) => i.scenario === scenario.name);
    const failures = cases.filter((c) => c.violations > 0).length;
    const skipped = cases.filter((c) => c.runs === 0).length;
    const body = cases.map((c) => renderCase(report, c, reportDir)).join('');
    return `  <testsuite${attr('name', scenario.name)}${attr('tests', cases.length)}${attr('failures', failures)}${attr('errors', 0)}${attr('skipped', skipped)}>\n${body}  </testsuite>\n`;
  });
  const failures = report.invariants.filter((c) => c.violations > 0).length;
  const skipped = report.invariants.filter((c) => c.runs === 0).length;
  const properties = [
    ['harness', report.harness],
    ['seeds', `${report.seeds.from}..${report.seeds.from + report.seeds.count - 1}`],
    ['shard', report.shard ? `${report.shard.index}/${report.shard.count}` : 'all'],
    ['bugs', report.bugs.join(',') || 'none'],
    ['runs', String(report.runs)],
    ['interrupted', String(report.interrupted)],
  ]
    .map(([name, value]) => `    <property${attr('name', name)}${attr('value', value)}/>\n`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites${attr('name', 'lnsim')}${attr('tests', report.invariants.length)}${attr('failures', failures)}${attr('errors', 0)}${attr('skipped', skipped)}${attr('time', report.timing.elapsedSeconds)}>\n` +
    `  <properties>\n${properties}  </properties>\n` +
    suites.join('') +
    `</testsuites>\n`
  );
}

function renderCase(report: Report, c: ReportInvariant, reportDir: string): string {
  const open = `    <testcase${attr('classname', `lnsim.${c.scenario}`)}${attr('name', c.invariant)}>`;
  // A case that never ran (the sweep was interrupted or stopped first) proves nothing: skipped, not passed.
  if (c.runs === 0) return `${open}\n      <skipped${attr('message', `never ran: the sweep ${report.interrupted ? 'was interrupted' : report.stoppedOnFirst ? 'stopped at the first violation' : 'ended'} before any run of ${c.scenario}`)}/>\n    </testcase>\n`;
  const known = report.known.filter((k) => k.scenario === c.scenario && k.invariant === c.invariant);
  const knownNote = known.length ? `; ${known.length} known run${known.length === 1 ? '' : 's'} not counted: ${known.map((k) => `seed ${k.seed} (${k.bug})`).join(', ')}` : '';
  if (c.violations === 0) return `${open}\n      <system-out>${xmlEscape(`held over ${c.runs} runs${knownNote}`)}</system-out>\n    </testcase>\n`;
  const first = report.violations.find((v) => v.scenario === c.scenario && v.invariant === c.invariant && v.seed === c.firstSeed);
  const message = `${c.violations} of ${c.runs} runs violated ${c.invariant}; first seed ${c.firstSeed}${first ? `: ${first.message}` : ''}`;
  const lines = [
    `scenario ${c.scenario}, invariant ${c.invariant}`,
    `first failing seed: ${c.firstSeed}`,
    first ? `violation: ${first.message} (event ${first.event}, time ${first.time})` : undefined,
    c.repro ? `replay: ${replayCommand(reportDir, c.repro)}` : `replay: ${seedReplayCommand(report, c.scenario, c.firstSeed ?? 0)}`,
    `other failing seeds: ${otherSeeds(report, c)}`,
  ].filter((l): l is string => l !== undefined);
  return `${open}\n      <failure${attr('message', message)}${attr('type', c.invariant)}>${xmlEscape(lines.join('\n'))}</failure>\n    </testcase>\n`;
}

function otherSeeds(report: Report, c: ReportInvariant): string {
  const seeds = report.violations.filter((v) => v.scenario === c.scenario && v.invariant === c.invariant && v.seed !== c.firstSeed).map((v) => v.seed);
  if (seeds.length === 0) return 'none listed';
  const shown = seeds.slice(0, 20).join(', ');
  return seeds.length > 20 ? `${shown}, ... (${seeds.length} listed in report.json)` : shown;
}
