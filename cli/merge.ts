// `lnsim merge DIR... [--report OUT]`: join the reports of the shards of one
// sweep (lnsim run --shard i/n) into one report whose totals are the
// unsharded sweep's. Exit 0 all held, 1 a violation, 2 bad usage or input.
import { UsageError } from '../api.ts';
import { joinDisplay } from '../reports/junit.ts';
import { mergeReportDirs } from '../sweep/merge.ts';
import { prepareDir } from '../reports/write.ts';
import { parseFlags, type Command } from './args.ts';
import { DEFAULT_REPORT_DIR, jsonResult } from './run.tsx';

const HELP = `usage: lnsim merge DIR... [--report OUT] [--json]

Join the report directories of every shard of one sweep ('npx lnsim run --shard i/n --report DIR')
into one report in OUT (default ${DEFAULT_REPORT_DIR}/): totals, per-invariant results, violations,
and the repro of each distinct failure (the smallest seed's). --json prints the merged
results like 'npx lnsim run --json'.
`;

const command: Command = async (args, io) => {
  const { values, positionals } = parseFlags('merge', args, { report: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("merge: give the shard report directories: npx lnsim merge DIR... [--report OUT]");
  const out = values.report ?? DEFAULT_REPORT_DIR;
  prepareDir(out, '--report OUT');
  const report = mergeReportDirs(positionals, out);
  if (values.json) io.stdout.write(JSON.stringify(jsonResult(report, out)) + '\n');
  else {
    const verdict = report.violationCount > 0 ? `${report.violationCount.toLocaleString('en-US')} violating runs` : 'every invariant held';
    io.stdout.write(`lnsim merge: ${report.mergedShards} shards, ${report.runs.toLocaleString('en-US')} runs: ${verdict}${report.interrupted ? ' (a shard was interrupted)' : ''}\n`);
    for (const inv of report.invariants.filter((i) => i.violations > 0)) {
      io.stdout.write(`  ✗ ${inv.scenario} / ${inv.invariant}: ${inv.violations} runs, first seed ${inv.firstSeed}${inv.repro ? `; replay: npx lnsim replay ${joinDisplay(out, inv.repro)}` : ''}\n`);
    }
    io.stdout.write(`report: ${joinDisplay(out, 'report.json')} (also junit.xml, summary.md)\n`);
  }
  return report.violationCount > 0 ? 1 : 0;
};

export default command;
