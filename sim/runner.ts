// Runs one simulation: draws the fault settings and the workload, builds the
// world, runs it to the end (or the first violation), and reports.
import { SeededChoices, TapeChoices, type Choices } from './choices.ts';
import { drawFaultSettings, type FaultProfile, type FaultSettings } from './faults.ts';
import type { Tx } from './chain.ts';
import { Trace, type TraceRecord } from './trace.ts';
import { runScript, ScriptedWorld, type Script } from './script.ts';
import { World, type Checker, type NodeSpec, type ScheduledCommand, type Timing, type Violation } from './world.ts';

/** Everything the kernel needs to run one world. Built by a scenario for a given set of planted bugs. */
export interface SimSpec {
  readonly nodes: readonly NodeSpec[];
  readonly links: readonly (readonly [string, string])[];
  readonly genesis: readonly Tx[];
  readonly timing: Timing;
  readonly faults: FaultProfile;
  /** Swarm testing: each run switches each allowed fault kind on or off. Off: every allowed kind is on. */
  readonly swarm: boolean;
  /** Fresh checkers for one run (a checker may keep per-run state; behaviours must not: their state is what boot returns). */
  checkers(): readonly Checker[];
  /** The workload, drawn up front from the 'workload' stream (so fault draws never shift it). */
  workload(choices: Choices): ScheduledCommand[];
  /** Runaway guard: more events than this is a reported failure. */
  readonly maxEvents: number;
  /** Scripted steps that drive the world first (sim/script.ts), fresh for each run; the workload and the phases start after them. */
  readonly script?: () => Script;
}

export interface RunOptions {
  /** Seeded run. Exactly one of seed and tape. */
  readonly seed?: number;
  /** Tape-driven run (replay, shrinking). */
  readonly tape?: readonly number[];
  /** Keep every trace record (replay, TUI, repro files). */
  readonly keepRecords?: boolean;
  /** Keep the label of every draw (divergence reports, TUI). */
  readonly recordLabels?: boolean;
  /** Stop once the trace holds more than this many records (the TUI's time travel). */
  readonly stopAfterEvent?: number;
  readonly onRecord?: (record: TraceRecord) => void;
  /** Scripted runs: stop once the last step has settled (a definition's dry run). */
  readonly stopAfterScript?: boolean;
}

export interface RunResult {
  readonly fingerprint: string;
  /** Number of trace records. */
  readonly events: number;
  readonly violation: Violation | undefined;
  /** The choices the run consumed; replaying them reproduces it. */
  readonly tape: readonly number[];
  readonly labels: readonly string[] | undefined;
  readonly records: readonly TraceRecord[] | undefined;
  readonly endTime: number;
  readonly faults: FaultSettings;
  /** The world as it ended (live inspection by tests and the TUI). */
  readonly world: World;
}

export function runSim(spec: SimSpec, options: RunOptions): RunResult {
  const { world, finish, goOn } = prepareRun(spec, options);
  if (goOn) world.run(options.stopAfterEvent);
  return finish();
}

/** As runSim, yielding to the event loop while it runs (see World.runAsync); the result is the same. */
export async function runSimAsync(spec: SimSpec, options: RunOptions): Promise<RunResult> {
  const { world, finish, goOn } = prepareRun(spec, options);
  if (goOn) await world.runAsync(options.stopAfterEvent);
  return finish();
}

/** Builds the world and runs its script, if any; `goOn`: the world is to run on after the script. */
function prepareRun(spec: SimSpec, options: RunOptions): { world: World; finish: () => RunResult; goOn: boolean } {
  const choices = makeChoices(options);
  const faults = drawFaultSettings(spec.faults, choices, spec.swarm);
  const commands = spec.workload(choices);
  // Aimed faults watch the records as they are appended (the world's fault plan exists by the first one).
  const onRecord = options.onRecord;
  const trace = new Trace({ keepRecords: options.keepRecords, onRecord: faults.aim ? (r) => (world.faults.observe(r), onRecord?.(r)) : onRecord });
  const worldOptions = {
    nodes: spec.nodes,
    links: spec.links,
    genesis: spec.genesis,
    timing: spec.timing,
    faults,
    checkers: spec.checkers(),
    commands,
    choices,
    trace,
    maxEvents: spec.maxEvents,
  };
  const script = spec.script?.();
  const world: World = script ? new ScriptedWorld(worldOptions) : new World(worldOptions);
  if (script) (world as ScriptedWorld).observeWith(script.observe);
  world.start();
  const scripted = script ? runScript(world as ScriptedWorld, script, options.stopAfterEvent) : true;
  const finish = (): RunResult => ({
    fingerprint: trace.fingerprint(),
    events: trace.length,
    violation: world.violation,
    tape: choices.tape,
    labels: choices.labels,
    records: trace.records,
    endTime: world.now,
    faults,
    world,
  });
  return { world, finish, goOn: scripted && !options.stopAfterScript };
}

function makeChoices(options: RunOptions): Choices {
  const recordLabels = options.recordLabels ?? false;
  if (options.tape !== undefined && options.seed !== undefined) throw new Error('run: give a seed or a tape, not both');
  if (options.tape !== undefined) return new TapeChoices(options.tape, { recordLabels });
  if (options.seed === undefined) throw new Error('run: a seed or a tape is required');
  return new SeededChoices(options.seed, { recordLabels });
}
