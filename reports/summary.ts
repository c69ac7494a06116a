// summary.md: a Markdown digest of a report for a CI job summary
// (`cat DIR/summary.md >> "$GITHUB_STEP_SUMMARY"`): verdict, totals per
// scenario, and each distinct failure with its replay command.
import { joinDisplay, replayCommand, seedReplayCommand } from './junit.ts';
import type { Report } from './report.ts';

const n = (x: number) => x.toLocaleString('en-US');
/** Text from the run (names, messages): no HTML, one line. */
const text = (raw: string) => raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s*\n\s*/g, ' ');
/** Table cells: text without pipes. */
const cell = (raw: string) => text(raw).replace(/\|/g, '\\|');

export function renderSummary(report: Report, reportDir: string): string {
  const out: string[] = [];
  const failed = report.violationCount > 0;
  const range = `seeds ${n(report.seeds.from)}..${n(report.seeds.from + report.seeds.count - 1)}`;
  const scope = [range, report.shard ? `shard ${report.shard.index}/${report.shard.count}` : undefined, report.mergedShards ? `merged from ${report.mergedShards} shards` : undefined, report.bugs.length ? `bugs: ${report.bugs.join(', ')}` : undefined]
    .filter(Boolean)
    .join(' · ');
  out.push(`## lnsim: ${failed ? `❌ ${n(report.violationCount)} violating run${report.violationCount === 1 ? '' : 's'}` : '✅ every invariant held'} in ${n(report.runs)} runs`);
  out.push('');
  out.push(`${scope} · ${n(report.timing.runsPerSecond)} runs/s · ${n(report.timing.eventsPerSecond)} events/s · ${report.timing.elapsedSeconds} s · lnsim ${report.harness}`);
  if (report.interrupted) out.push('', '> **Interrupted**: the sweep was stopped before it finished; the totals cover the runs that completed.');
  if (report.stoppedOnFirst) out.push('', '> Stopped at the first violation (`--stop-on-first`).');
  out.push('', '| scenario | runs | events | violating runs |', '| --- | ---: | ---: | ---: |');
  for (const s of report.scenarios) out.push(`| ${cell(s.name)} | ${n(s.runs)} | ${n(s.events)} | ${n(s.violations)} |`);
  out.push(`| **total** | **${n(report.runs)}** | **${n(report.events)}** | **${n(report.violationCount)}** |`);
  if (report.known.length > 0) {
    out.push('', '### Known bugs hit', '', 'Runs triaged as bugs of the code under test (`scenarios/known.ts`): reported, not failed on (`--fail-on-known` fails on them).', '', '| scenario | seed | invariant | bug | mechanism |', '| --- | ---: | --- | --- | --- |');
    for (const k of report.known) out.push(`| ${cell(k.scenario)} | ${k.seed} | ${cell(k.invariant)} | ${cell(k.bug)} | ${cell(k.why)} |`);
  }

  const failing = report.invariants.filter((i) => i.violations > 0);
  if (failing.length > 0) {
    out.push('', '### Failures', '', '| scenario | invariant | violating runs | first seed | repro | tape (before → after shrinking) | events (before → after) |', '| --- | --- | ---: | ---: | --- | --- | --- |');
    for (const f of failing) {
      const repro = report.repros.find((r) => r.scenario === f.scenario && r.invariant === f.invariant);
      const tape = repro?.shrunk ? `${n(repro.shrunk.before.tape)} → ${n(repro.shrunk.after.tape)}` : repro ? `${n(repro.tape)} (not shrunk)` : '';
      const events = repro?.shrunk ? `${n(repro.shrunk.before.events)} → ${n(repro.shrunk.after.events)}` : repro ? `${n(repro.events)}` : '';
      out.push(`| ${cell(f.scenario)} | ${cell(f.invariant)} | ${n(f.violations)} | ${f.firstSeed} | ${f.repro ? `\`${joinDisplay(reportDir, f.repro)}\`` : ''} | ${tape} | ${events} |`);
    }
    out.push('');
    for (const f of failing) {
      const first = report.violations.find((v) => v.scenario === f.scenario && v.invariant === f.invariant && v.seed === f.firstSeed);
      const repro = report.repros.find((r) => r.scenario === f.scenario && r.invariant === f.invariant);
      out.push(`**${text(f.scenario)} / ${text(f.invariant)}** (seed ${f.firstSeed})${first ? `: ${text(first.message)}` : ''}`);
      out.push('', '```sh', f.repro ? replayCommand(reportDir, f.repro) : seedReplayCommand(report, f.scenario, f.firstSeed ?? 0), '```');
      if (repro?.note) out.push('', `_${text(repro.note)}_`);
      out.push('');
    }
    if (report.violationsOmitted > 0) out.push(`${n(report.violationsOmitted)} further violating runs are counted but not listed in report.json.`, '');
  }
  return out.join('\n').replace(/\n*$/, '\n');
}
