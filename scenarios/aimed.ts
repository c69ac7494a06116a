// Scenario variants for comparing searches: `NAME+aim` is NAME with aimed
// faults on (sim/aim.ts; its own aim profile if it has one, else the default),
// `NAME+plain` is NAME with aiming off. Variants resolve by name like any
// built-in scenario, so a repro found by either search replays from its file.
import { DEFAULT_AIM, type AimProfile } from '../sim/aim.ts';
import type { Scenario } from './scenario.ts';

export const AIM_SUFFIX = '+aim';
export const PLAIN_SUFFIX = '+plain';

/** NAME with aimed faults on in its runs (half of them, as the aim profile's swarm draw decides). */
export function aimedScenario(scenario: Scenario, aim: AimProfile = DEFAULT_AIM): Scenario {
  if (scenario.name.endsWith(AIM_SUFFIX)) return scenario;
  const base = baseName(scenario.name);
  return {
    ...scenario,
    name: `${base}${AIM_SUFFIX}`,
    inDefaultMix: false,
    build: (bugs) => {
      const spec = scenario.build(bugs);
      return { ...spec, faults: { ...spec.faults, aim: spec.faults.aim ?? aim } };
    },
  };
}

/** NAME without aimed faults: the plain swarm sweep. */
export function plainScenario(scenario: Scenario): Scenario {
  if (scenario.name.endsWith(PLAIN_SUFFIX)) return scenario;
  return {
    ...scenario,
    name: `${baseName(scenario.name)}${PLAIN_SUFFIX}`,
    inDefaultMix: false,
    build: (bugs) => {
      const spec = scenario.build(bugs);
      const { aim: _aim, ...faults } = spec.faults;
      return { ...spec, faults };
    },
  };
}

function baseName(name: string): string {
  return name.endsWith(AIM_SUFFIX) ? name.slice(0, -AIM_SUFFIX.length) : name.endsWith(PLAIN_SUFFIX) ? name.slice(0, -PLAIN_SUFFIX.length) : name;
}

/** Resolve `NAME+aim` / `NAME+plain` with `find` for the base name; undefined for other names. */
export function findVariant(name: string, find: (base: string) => Scenario | undefined): Scenario | undefined {
  for (const [suffix, make] of [[AIM_SUFFIX, aimedScenario], [PLAIN_SUFFIX, plainScenario]] as const) {
    if (!name.endsWith(suffix)) continue;
    const base = find(name.slice(0, -suffix.length));
    return base ? make(base) : undefined;
  }
  return undefined;
}
