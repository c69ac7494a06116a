// Defect 10 of issue 14, the wording: messages a newcomer reads must say what is wrong and be usable as
// printed. Through main(argv, io) with captured streams.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { main } from '../cli.tsx';

async function lnsim(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream,
    stdin: process.stdin,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('defect 10: wording', () => {
  it('monitor-safety names the commitment that is not durable, without seeming to contradict itself', () => {
    const run = runScenario('two-node-payments', { seed: 1, bugs: ['ln-early-raa'] });
    expect(run.violation?.invariant).toBe('monitor-safety');
    expect(run.violation?.message).toMatch(/^\w+ revoked commitment (\d+) on \w+ before commitment (\d+), which replaces it, was durable in its monitor \(the durable monitor holds only commitment \d+\)$/);
    const [, revoked, next] = /revoked commitment (\d+) .* before commitment (\d+)/.exec(run.violation!.message)!;
    expect(Number(next)).toBe(Number(revoked) + 1);
  });

  it('--seeds and --workers say "positive" for every bad value; --seed and --from "non-negative"', async () => {
    for (const value of ['-1', '0', 'abc']) {
      expect((await lnsim('run', '--seeds', value)).stderr).toBe(`lnsim: run: --seeds needs a positive integer, got '${value}'\n`);
      expect((await lnsim('run', '--workers', value)).stderr).toBe(`lnsim: run: --workers needs a positive integer, got '${value}'\n`);
    }
    expect((await lnsim('run', '--seed', '-1')).stderr).toBe("lnsim: run: --seed needs a non-negative integer, got '-1'\n");
  });

  it('a negative number after any flag gets our message, not the parser\'s (hunt --budget-seconds -1)', async () => {
    const r = await lnsim('hunt', '--budget-seconds', '-1');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("lnsim: hunt: --budget-seconds needs a positive number of seconds, got '-1'\n");
    expect((await lnsim('hunt', '--max-seeds', '-2')).stderr).toBe("lnsim: hunt: --max-seeds needs a positive integer, got '-2'\n");
  });

  it('an unknown --bug or scenario gets a did-you-mean, as invariants do', async () => {
    expect((await lnsim('run', '--bug', 'ldk-312')).stderr).toBe("lnsim: unknown planted bug 'ldk-312' (did you mean 'ldk-3120'?): run 'npx lnsim list' to see the bug ids\n");
    expect((await lnsim('run', '--scenario', 'mpp-claim-restar')).stderr).toBe("lnsim: unknown scenario 'mpp-claim-restar' (did you mean 'mpp-claim-restart'?): run 'npx lnsim list' to see the scenarios\n");
  });

  it("'lnsim help run' prints run's help", async () => {
    const help = await lnsim('help', 'run');
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await lnsim('run', '--help')).stdout);
    expect(help.stdout).toMatch(/^usage: lnsim run /);
  });

  it('every command a message suggests is copy-pasteable: npx lnsim ...', async () => {
    const messages = [
      (await lnsim('run', '--frobnicate')).stderr,
      (await lnsim('frobnicate')).stderr,
      (await lnsim('run', '--bug', 'nope')).stderr,
      (await lnsim('replay')).stderr,
      (await lnsim('merge')).stderr,
      (await lnsim('shrink')).stderr,
    ];
    for (const m of messages) {
      expect(m).toMatch(/npx lnsim /);
      expect(m.replace(/npx lnsim /g, '')).not.toMatch(/'lnsim [a-z-]/);
    }
  });
});
