// A replay session: the source replayed once with every record kept (the
// timeline), plus the cache that recomputes the world at any event.
import type { ScenarioRunResult } from '../api.ts';
import type { ReplayModel } from './components.tsx';
import { replay, type ReplaySource } from './replay-source.ts';
import { replayToFor, WorldStates, type WorldStatesOptions } from './world-states.ts';

export interface ReplaySession {
  readonly model: ReplayModel;
  readonly states: WorldStates;
  readonly result: ScenarioRunResult;
}

export function openSession(source: ReplaySource, options: WorldStatesOptions = {}): ReplaySession {
  const result = replay(source, { keepRecords: true, recordLabels: true });
  const records = result.records ?? [];
  const model: ReplayModel = {
    title: source.title,
    scenario: source.scenario.name,
    records,
    nodes: result.world.nodeIds(),
    violation: result.violation,
  };
  const spec = source.scenario.build(new Set(source.bugs));
  const run = source.tape !== undefined ? { tape: source.tape } : { seed: source.seed ?? 0 };
  return { model, states: new WorldStates(replayToFor(spec, run), records.length, options), result };
}
