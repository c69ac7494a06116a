// One independent benchmark process (started by bench.ts, several side by
// side): warms up on far-away seeds, then runs `seeds` seeds of one scenario
// in this thread and prints its rate as JSON. Together they measure what the
// machine gives independent programs, the ceiling for the sweep's workers.
//
//   node dist/<build>/bench/solo.js SCENARIO FROM SEEDS WARM_FROM
import { findScenario } from '../api.ts';
import { BatchRunner } from '../sweep/batch-runner.ts';

export interface SoloResult {
  readonly runs: number;
  readonly seconds: number;
  readonly runsPerSecond: number;
  readonly eventsPerSecond: number;
}

export async function soloRate(scenarioName: string, from: number, seeds: number, warmFrom: number): Promise<SoloResult> {
  const scenario = findScenario(scenarioName);
  if (!scenario) throw new Error(`bench/solo: unknown scenario ${scenarioName}`);
  const runner = new BatchRunner([scenario], []);
  const range = (start: number, count: number) => Array.from({ length: count }, (_, k) => start + k);
  await runner.run({ index: 0, scenario: 0, round: 0, seeds: range(warmFrom, 40) });
  const started = performance.now();
  const { runs } = await runner.run({ index: 0, scenario: 0, round: 0, seeds: range(from, seeds) });
  const seconds = (performance.now() - started) / 1000;
  const events = runs.reduce((s, r) => s + r.events, 0);
  return { runs: runs.length, seconds, runsPerSecond: runs.length / seconds, eventsPerSecond: events / seconds };
}

const [scenario, from, seeds, warmFrom] = process.argv.slice(2);
if (scenario !== undefined && /solo\.[jt]s$/.test(process.argv[1] ?? '')) {
  process.stdout.write(JSON.stringify(await soloRate(scenario, Number(from), Number(seeds), Number(warmFrom))));
}
