// What a scenario is to the rest of the harness: a name, a description, the
// invariants it checks, and a way to build a kernel spec for a set of planted
// bugs. `defineScenario` (the authoring API) produces these.
import type { SimSpec } from '../sim/runner.ts';
import type { KnownRun } from './known.ts';

export interface Scenario {
  readonly name: string;
  /** One paragraph: what the scenario exercises and which races it is after. */
  readonly description: string;
  /** Invariant names this scenario checks. */
  readonly invariants: readonly string[];
  /** Part of the default sweep (`npm start`, `lnsim run` without --scenario). */
  readonly inDefaultMix: boolean;
  /** Which node implementation runs: the TypeScript model (default) or real LDK ('ldk'). `lnsim list` shows it. */
  readonly backend?: string;
  /**
   * Asynchronous set-up before the first build (e.g. loading a WebAssembly module); awaited by loadScenario, once
   * per process or worker. A scenario with one also yields to the event loop between runs (its memory is freed then).
   */
  readonly prepare?: () => Promise<void>;
  /**
   * True when this thread's state is suspect after the last run (a panic inside a WebAssembly module): the sweep
   * replaces the thread before the next seed, and runs such scenarios one seed per batch.
   */
  readonly suspect?: () => boolean;
  /** Failing runs already triaged as bugs of the code under test (scenarios/known.ts): reported apart, not failed on. */
  readonly knownRuns?: readonly KnownRun[];
  build(bugs: ReadonlySet<string>): SimSpec;
}
