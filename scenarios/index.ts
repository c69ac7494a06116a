// Every built-in scenario, and the default mix.
import type { Scenario } from './scenario.ts';
import * as ln from './ln/index.ts';
import * as lsps2 from './lsps2/index.ts';
import * as backup from './backup/index.ts';
import * as scripted from './scripted/index.ts';
import * as ldk from './ldk/index.ts';
import { findVariant } from './aimed.ts';

export type { Scenario } from './scenario.ts';

export const SCENARIOS: readonly Scenario[] = [...ln.scenarios, ...lsps2.scenarios, ...backup.scenarios, ...scripted.scenarios, ...ldk.scenarios];

/** A built-in scenario by name; `NAME+aim` and `NAME+plain` are NAME with aimed faults on or off (scenarios/aimed.ts). */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name) ?? findVariant(name, (base) => SCENARIOS.find((s) => s.name === base));
}

export function defaultMix(): Scenario[] {
  return SCENARIOS.filter((s) => s.inDefaultMix);
}
