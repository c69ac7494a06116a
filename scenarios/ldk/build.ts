// A scenario of real LDK nodes: its options, fault mix and invariants. The spec
// itself is built by spec.ts, loaded with the WebAssembly in the scenario's
// prepare(): a sweep of model scenarios never loads the LDK model or the
// Bitcoin transaction library (a worker's start-up is on the sweep's clock).
import type { FaultProfile } from '../../sim/faults.ts';
import type { SimSpec } from '../../sim/runner.ts';
import type { Timing } from '../../sim/world.ts';
import type { ApplicationPace } from '../../model/application.ts';
import type { LdkChannelSpec } from '../../model/ldk/network.ts';
import type { LdkShims } from '../../model/ldk/node.ts';
import { ldkSuspect, loadLdk } from '../../model/ldk/wasm.ts';
import type { Scenario } from '../scenario.ts';
import { LN_FAULTS } from '../ln/build.ts';
import { LDK_KNOWN_RUNS } from './known-runs.ts';

export interface LdkPaymentWorkload {
  readonly count: readonly [number, number];
  /** Satoshis. */
  readonly amount: readonly [number, number];
  readonly pairs: readonly (readonly [string, string])[];
  readonly parts?: readonly [number, number];
}

export interface LdkScenarioOptions {
  readonly nodes: readonly string[];
  readonly channels: readonly LdkChannelSpec[];
  readonly payments: LdkPaymentWorkload;
  readonly faults: FaultProfile;
  readonly timing?: Partial<Timing>;
  readonly app?: Partial<ApplicationPace>;
  readonly swarm?: boolean;
  readonly maxEvents?: number;
  /** Deliberately broken harness behaviours (tests that prove an invariant can fail). */
  readonly shims?: LdkShims;
}

/** The invariants judged on LDK nodes, in order. */
export const LDK_INVARIANTS = ['ldk-panic', 'monitor-safety', 'payment-outcome-consistent', 'no-lost-htlc', 'liveness', 'payment-claimed-delivered', 'balance-conservation'] as const;

/** The async-persistence fault mix of the LDK scenarios: the model's (LN_FAULTS) without its model-only force-close action, plus stale managers. */
const { actions: _modelOnlyActions, ...lnFaults } = LN_FAULTS;
export const LDK_FAULTS: FaultProfile = { ...lnFaults, keyStall: { manager: [0.02, 0.2] } };

/** spec.ts, once some LDK scenario's prepare() has loaded it. */
let specModule: typeof import('./spec.ts') | undefined;

/** The WebAssembly and the spec builder (spec.ts): what an LDK scenario needs before its first build. */
async function prepareLdk(): Promise<void> {
  await loadLdk();
  specModule ??= await import('./spec.ts');
}

/** The spec of an LDK scenario; its prepare() (prepareLdk) must have run. */
function buildLdkScenario(options: LdkScenarioOptions): SimSpec {
  if (specModule === undefined) throw new Error('an LDK scenario was built before its prepare() ran: await scenario.prepare() first');
  return specModule.buildLdkSpec(options);
}

/** A scenario of LDK nodes: loads the WebAssembly in prepare(), builds with `options`. */
export function ldkScenario(meta: { name: string; description: string; inDefaultMix?: boolean }, options: LdkScenarioOptions): Scenario {
  return {
    name: meta.name,
    description: meta.description,
    backend: 'ldk',
    invariants: LDK_INVARIANTS,
    inDefaultMix: meta.inDefaultMix ?? false,
    prepare: prepareLdk,
    suspect: ldkSuspect,
    knownRuns: LDK_KNOWN_RUNS[meta.name],
    build: () => buildLdkScenario(options),
  };
}
