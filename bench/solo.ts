// One independent benchmark process: runs seeds of one scenario in this
// thread and prints its rate as JSON. bench.ts starts several side by side to
// measure what the machine gives independent programs, the ceiling for the
// sweep's workers.
//
//   node dist/<build>/bench/solo.js SCENARIO FROM SEEDS WARM_FROM
//       warms up on 40 seeds from WARM_FROM, then times SEEDS seeds from FROM (a quick CPU-time probe)
//   node dist/<build>/bench/solo.js --serve SCENARIO
//       what bench.ts runs: prints {"ready":true}, then for each line {"from":F,"seeds":S} on stdin runs
//       those seeds and prints one SoloResult line, so the bench can warm every process as long as it
//       likes and start their timed samples together
import { createInterface } from 'node:readline';
import { findScenario } from '../api.ts';
import { BatchRunner } from '../sweep/batch-runner.ts';

export interface SoloResult {
  readonly runs: number;
  readonly events: number;
  readonly seconds: number;
  readonly runsPerSecond: number;
  readonly eventsPerSecond: number;
  /** CPU time of this whole process (V8's GC and compiler threads included) over the runs, in ms. */
  readonly cpuMs: number;
}

/** Seeds of one scenario run in this thread, timed. */
export class Solo {
  private readonly runner: BatchRunner;

  constructor(scenarioName: string) {
    const scenario = findScenario(scenarioName);
    if (!scenario) throw new Error(`bench/solo: unknown scenario ${scenarioName}`);
    this.runner = new BatchRunner([scenario], []);
  }

  async run(from: number, seeds: number): Promise<SoloResult> {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const { runs } = await this.runner.run({ index: 0, scenario: 0, round: 0, seeds: Array.from({ length: seeds }, (_, k) => from + k) });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const events = runs.reduce((s, r) => s + r.events, 0);
    return { runs: runs.length, events, seconds, runsPerSecond: runs.length / seconds, eventsPerSecond: events / seconds, cpuMs: (used.user + used.system) / 1000 };
  }
}

export async function soloRate(scenarioName: string, from: number, seeds: number, warmFrom: number): Promise<SoloResult> {
  const solo = new Solo(scenarioName);
  await solo.run(warmFrom, 40);
  return solo.run(from, seeds);
}

async function serve(scenarioName: string): Promise<void> {
  const solo = new Solo(scenarioName);
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const { from, seeds } = JSON.parse(line) as { from: number; seeds: number };
    process.stdout.write(`${JSON.stringify(await solo.run(from, seeds))}\n`);
  }
}

const args = process.argv.slice(2);
if (args.length > 0 && /solo\.[jt]s$/.test(process.argv[1] ?? '')) {
  if (args[0] === '--serve') await serve(args[1]);
  else process.stdout.write(JSON.stringify(await soloRate(args[0], Number(args[1]), Number(args[2]), Number(args[3]))));
}
