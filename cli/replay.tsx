// lnsim replay: replay one run from a repro file (or scenario + seed), and
// either check it against its recorded fingerprint (--check), print its trace
// (--print), or explore it in the interactive TUI.
import React from 'react';
import { render } from 'ink';
import { UsageError, type ScenarioRunResult } from '../api.ts';
import { formatRecord } from '../sim/trace.ts';
import { TerminalReplayApp } from '../ui/app.tsx';
import { describeDivergence, type RunSummary } from '../ui/divergence.ts';
import { replay, sourceFromArgs, type ReplaySource } from '../ui/replay-source.ts';
import { openSession } from '../ui/session.ts';
import { violationFocus } from '../ui/navigation.ts';
import { parseFlags, type CliIO, type Command } from './args.ts';

const HELP = `usage: lnsim replay FILE [--scenario PATH] [--check | --print] [--at N|violation]
       lnsim replay --scenario NAME --seed S [--bug ID]... [--check | --print]

Replays one run exactly: the tape of a repro file, or a scenario's seed.

  --scenario PATH   with FILE: where the file's scenario module is, when the path it
                    recorded does not resolve from here
  --check           replay without a UI; exit 0 iff the fingerprint matches the file's
                    (for --scenario/--seed: iff replaying the seed's tape matches the seeded run).
                    A mismatch names the first draw whose label differs. Exit 1 on mismatch.
  --print           write the trace as text, one event per line
  --at N|violation  open the interactive view at event N, or at the violation
  (no flag)         the interactive view on a terminal; '?' inside shows the keys.
                    Without a terminal it prints the trace instead (as --print).

Exit codes: 0 all held (or --check matched), 1 an invariant was violated (or --check
did not match), 2 bad usage or bad input.
`;

const command: Command = async (args, io) => {
  const { values, positionals } = parseFlags(
    'replay',
    args,
    {
      check: { type: 'boolean' },
      print: { type: 'boolean' },
      at: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      bug: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.check && values.print) throw new UsageError("replay: --check and --print do not go together: pick one (see 'npx lnsim replay --help')");
  const source = await sourceFromArgs('replay', positionals, values);
  if (values.check) return check(source, io);
  if (values.print) return print(source, io);
  if (!io.stdout.isTTY || !io.stdin.isTTY) {
    io.stderr.write('npx lnsim replay: not a terminal, so printing the trace instead of the interactive view (--print does this on purpose)\n');
    return print(source, io);
  }
  return interactive(source, io, values.at);
};

/** Replay and compare with the recording; a seed is compared with the replay of its own tape (a determinism check). */
function check(source: ReplaySource, io: CliIO): number {
  const run = replay(source, { recordLabels: true });
  let expected: RunSummary;
  let actual: RunSummary;
  if (source.repro) {
    const r = source.repro;
    expected = { fingerprint: r.fingerprint, events: r.events, violation: r.violation, labels: r.labels, tapeLength: r.tape.length };
    actual = summarize(run);
  } else {
    expected = summarize(run);
    actual = summarize(replay({ ...source, tape: run.tape }, { recordLabels: true }));
  }
  return verdict(io, source, describeDivergence(expected, actual), actual);
}

function summarize(run: ScenarioRunResult): RunSummary {
  return { fingerprint: run.fingerprint, events: run.events, violation: run.violation, labels: run.labels, tapeLength: run.tape.length };
}

function verdict(io: CliIO, source: ReplaySource, divergence: string | undefined, run: RunSummary): number {
  const outcome = run.violation ? `violation of ${run.violation.invariant}` : 'all invariants held';
  if (divergence === undefined) {
    io.stdout.write(`replay --check ${source.title}: ok, fingerprint ${run.fingerprint.slice(0, 16)}… matches (${run.events} events, ${outcome})\n`);
    return 0;
  }
  io.stdout.write(`replay --check ${source.title}: MISMATCH: ${divergence}\n`);
  return 1;
}

function print(source: ReplaySource, io: CliIO): number {
  const run = replay(source, { keepRecords: true });
  let text = '';
  for (const record of run.records ?? []) {
    text += formatRecord(record) + '\n';
    if (text.length > 1 << 16) {
      io.stdout.write(text);
      text = '';
    }
  }
  text += run.violation ? `violation of ${run.violation.invariant} at #${run.violation.event}: ${run.violation.message}\n` : `all invariants held (${run.events} events)\n`;
  io.stdout.write(text);
  return run.violation ? 1 : 0;
}

async function interactive(source: ReplaySource, io: CliIO, at: string | undefined): Promise<number> {
  if (at !== undefined && at !== 'violation' && !/^\d+$/.test(at)) throw new UsageError(`replay: --at needs an event number or 'violation', got '${at}'`);
  const session = openSession(source);
  const { records, nodes, violation } = session.model;
  const last = Math.max(0, records.length - 1);
  // --at violation lands where 'v' does: the node the message names, and for an end-of-run violation the event it is about.
  const focus = at === 'violation' && violation ? violationFocus(records, nodes, violation.event) : undefined;
  const cursor = focus ? focus.cursor : at === undefined ? 0 : at === 'violation' ? last : Math.min(Number(at), last);
  const atNode = records[cursor]?.n;
  const node = focus && focus.node >= 0 ? focus.node : atNode === undefined ? 0 : Math.max(0, nodes.indexOf(atNode));
  const stdout = io.stdout as NodeJS.WriteStream;
  // The alternate screen keeps the user's scrollback intact; leave it however the process ends.
  const leave = () => stdout.write('\x1b[?1049l');
  process.once('exit', leave);
  stdout.write('\x1b[?1049h\x1b[H');
  try {
    const app = render(<TerminalReplayApp model={session.model} states={session.states} initial={{ cursor, node }} />, {
      stdout,
      stdin: io.stdin as NodeJS.ReadStream,
      stderr: io.stderr as NodeJS.WriteStream,
      exitOnCtrlC: true,
      patchConsole: false,
    });
    await app.waitUntilExit();
  } finally {
    process.off('exit', leave);
    leave();
  }
  return session.result.violation ? 1 : 0;
}

export default command;
