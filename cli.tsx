// lnsim's command line: a thin dispatcher over the library API. Each command
// lives in cli/<name>; exit codes are 0 all held, 1 a violation (or a
// fingerprint mismatch), 2 bad usage or bad input.
import { UsageError } from './api.ts';
import type { CliIO, Command } from './cli/args.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: Command }> }> = {
  run: { summary: 'sweep seeds of scenarios and check every invariant', load: () => import('./cli/run.tsx') },
  list: { summary: 'list scenarios, invariants and planted bugs', load: () => import('./cli/list.ts') },
  replay: { summary: 'replay one run: interactive, --check or --print', load: () => import('./cli/replay.tsx') },
  shrink: { summary: 'shrink a repro to a minimal tape that fails the same way', load: () => import('./cli/shrink.ts') },
  draw: { summary: 'draw a repro as an SVG message-sequence picture', load: () => import('./cli/draw.ts') },
  merge: { summary: 'merge shard reports into one', load: () => import('./cli/merge.ts') },
  hunt: { summary: 'measure seeds and seconds to catch each planted bug', load: () => import('./cli/hunt.ts') },
  export: { summary: 'write a vitest regression test that replays a repro', load: () => import('./cli/export.ts') },
  fuzz: { summary: 'coverage-guided search: mutate the runs that reached new coverage', load: () => import('./cli/fuzz.ts') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: lnsim <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\n'npx lnsim <command> --help' shows a command's flags.\n`;
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  // 'lnsim help run' is 'lnsim run --help'.
  if (argv[0] === 'help' && argv[1] !== undefined && argv[1] in COMMANDS) return main([argv[1], '--help'], io);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`lnsim: unknown command '${name}': run 'npx lnsim --help' for the commands\n`);
    return 2;
  }
  try {
    const { default: run } = await command.load();
    return await run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`lnsim: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

const isEntry = process.argv[1] !== undefined && /(?:cli\.tsx|lnsim(?:\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
  process.exitCode = code;
}
