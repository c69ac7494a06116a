// What a scenario is to the rest of the harness: a name, a description, the
// invariants it checks, and a way to build a kernel spec for a set of planted
// bugs. `defineScenario` (the authoring API) produces these.
import type { SimSpec } from '../sim/runner.ts';

export interface Scenario {
  readonly name: string;
  /** One paragraph: what the scenario exercises and which races it is after. */
  readonly description: string;
  /** Invariant names this scenario checks. */
  readonly invariants: readonly string[];
  /** Part of the default sweep (`npm start`, `lnsim run` without --scenario). */
  readonly inDefaultMix: boolean;
  build(bugs: ReadonlySet<string>): SimSpec;
}
