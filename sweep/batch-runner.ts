// Runs batches of seeds of loaded scenarios: the work a sweep worker does (and
// the in-process executor, for one worker). Each scenario's spec is built once
// per sweep; a run keeps only its outcome, never its world.
import { runSim, runSimAsync, type SimSpec } from '../sim/runner.ts';
import type { Violation } from '../sim/world.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { Batch } from './plan.ts';

/** One run's outcome, as the engine merges it. */
export interface RunOutcome {
  readonly seed: number;
  readonly fingerprint: string;
  /** Trace records (up to and including the violation, if any). */
  readonly events: number;
  readonly violation: Violation | undefined;
}

export interface BatchResult {
  readonly index: number;
  readonly scenario: number;
  readonly runs: readonly RunOutcome[];
  /** The thread is suspect after this batch (Scenario.suspect): replace it before the next. */
  readonly suspect?: boolean;
}

/** A run threw (a model or kernel bug, not an invariant violation): names the scenario and seed to replay. */
export class SweepRunError extends Error {
  constructor(readonly scenario: string, readonly seed: number, message: string) {
    super(message);
  }

  static from(scenario: string, seed: number, cause: unknown): SweepRunError {
    const detail = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    return new SweepRunError(scenario, seed, `scenario ${scenario} seed ${seed} threw (re-run it alone with 'npx lnsim run --scenario ${scenario} --seed ${seed} --workers 1'): ${detail}`);
  }
}

export class BatchRunner {
  private readonly specs: (SimSpec | undefined)[];

  constructor(private readonly scenarios: readonly Scenario[], private readonly bugs: readonly string[]) {
    this.specs = scenarios.map(() => undefined);
  }

  /** Scenarios with an async prepare() (real LDK) run yielding to the event loop, which frees their memory. */
  async run(batch: Batch): Promise<BatchResult> {
    const scenario = this.scenarios[batch.scenario];
    const spec = (this.specs[batch.scenario] ??= scenario.build(new Set(this.bugs)));
    const runs: RunOutcome[] = [];
    for (const seed of batch.seeds) {
      try {
        const result = scenario.prepare ? await runSimAsync(spec, { seed }) : runSim(spec, { seed });
        runs.push({ seed, fingerprint: result.fingerprint, events: result.events, violation: result.violation });
      } catch (e) {
        throw SweepRunError.from(scenario.name, seed, e);
      }
    }
    return { index: batch.index, scenario: batch.scenario, runs, ...(scenario.suspect?.() ? { suspect: true } : {}) };
  }
}
