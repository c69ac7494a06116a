// lnsim's public entry point.
export * from './api.ts';
export * as sim from './sim/index.ts';
export { defineScenario, LN_FAULT_ACTIONS, type ChannelDefinition, type CustomInvariant, type DefinedScenario, type InvariantCheck, type LnFaultAction, type LnFaultProfile, type LnInvariantName, type PaymentsDefinition, type Range, type ScenarioDefinition } from './scenarios/define.ts';
export { LN_INVARIANTS } from './scenarios/ln/build.ts';
export type { Scenario } from './scenarios/scenario.ts';
export type { Checker, Timing, Violation } from './sim/world.ts';
export type { TraceRecord } from './sim/trace.ts';
export type { FaultProfile, Intensity } from './sim/faults.ts';
export { checkScenario, expectViolation, replayCommand, ScenarioViolation, type CheckScenarioOptions, type CheckSummary, type ExpectViolationOptions, type FoundViolation } from './testing.ts';
export { hunt, type HuntOptions, type HuntReport, type HuntResult } from './scenarios/hunt.ts';
