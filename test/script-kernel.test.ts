// The scripted kernel (sim/script.ts) on a Lightning-free toy: holds on writes
// and messages, scripted crashes that keep or lose pending writes, and the
// hand-over to the seeded phases after the last step.
import { describe, expect, it } from 'vitest';
import type { NodeBehaviour } from '../sim/node.ts';
import { runSim, type SimSpec } from '../sim/runner.ts';
import type { Script, ScriptedWorld } from '../sim/script.ts';
import { DEFAULT_TIMING } from '../sim/world.ts';

interface Counter {
  counter: number;
}

/** `bump` raises a persisted counter and tells the peer, which persists what it saw. */
const counterNode: NodeBehaviour<Counter> = {
  boot(env) {
    const counter = Number(env.disk.read('counter') ?? '0');
    env.trace('counter-boot', { counter });
    return { counter };
  },
  onMessage(_state, env, _from, message) {
    env.disk.write('seen', String(message.counter), { tag: 'seen' });
  },
  onDurable(_state, env, tag) {
    env.trace('counter-durable', { tag });
  },
  onTimer() {},
  onBlock() {},
  onConnect() {},
  onDisconnect() {},
  onCommand(state, env) {
    state.counter++;
    env.disk.write('counter', String(state.counter), { tag: 'counter' });
    env.send(env.id === 'A' ? 'B' : 'A', { type: 'note', counter: state.counter });
  },
};

function spec(steps: Script['steps'], then: Script['then'] = 'settle'): SimSpec {
  return {
    nodes: [
      { id: 'A', behaviour: counterNode },
      { id: 'B', behaviour: counterNode },
    ],
    links: [['A', 'B']],
    genesis: [],
    timing: { ...DEFAULT_TIMING, faultPhase: 300, calmPhase: 200 },
    faults: { crash: [0.01, 0.05], persistDelay: [0.2, 0.8], disconnect: [0.05, 0.2] },
    swarm: false,
    checkers: () => [],
    workload: () => [{ time: 10, node: 'A', command: { type: 'bump' } }],
    maxEvents: 20_000,
    script: () => ({ steps, then }),
  };
}

const step = (label: string, run: (w: ScriptedWorld) => string | undefined) => ({ label, run });
const hold = step('hold A counter', (w) => (w.holdWrites('A', 'counter', (k) => k === 'counter'), undefined));
const bump = step('bump A', (w) => w.command('A', { type: 'bump' }));

describe('scripted kernel', () => {
  it('holds a write until a step completes it, and marks every step in the trace', () => {
    const run = runSim(spec([hold, bump, step('complete', (w) => (w.completeWrite('A', w.heldWrites('A')[0]), undefined))]), { seed: 1, keepRecords: true, stopAfterScript: true });
    const records = run.records!;
    const write = records.find((r) => r.k === 'write' && r.n === 'A');
    expect(write?.d?.status).toBe('held');
    expect(records.filter((r) => r.k === 'step').map((r) => r.d?.n)).toEqual([1, 2, 3]);
    const stepThree = records.findIndex((r) => r.k === 'step' && r.d?.n === 3);
    const durable = records.findIndex((r) => r.k === 'counter-durable' && r.n === 'A');
    expect(durable).toBeGreaterThan(stepThree);
    expect(run.violation).toBeUndefined();
  });

  it('completing the oldest held write leaves the newer; completing the newest completes the older ones of its key too', () => {
    const pending = (which: 'oldest' | 'newest') =>
      runSim(spec([hold, bump, bump, step(`complete ${which}`, (w) => {
        const held = w.heldWrites('A');
        w.completeWrite('A', which === 'oldest' ? held[0] : held[held.length - 1]);
        return undefined;
      }), step('count', (w) => `still held: ${w.heldWrites('A').length}`)]), { seed: 1, stopAfterScript: true }).violation?.message;
    expect(pending('oldest')).toBe('step 5 (count): still held: 1');
    expect(pending('newest')).toBe('step 5 (count): still held: 0');
  });

  it('a crash keeping none of the pending writes loses the held one; keeping all keeps it', () => {
    const crashWith = (keep: 'all' | 'none') =>
      runSim(spec([hold, bump, step(`crash A keeping ${keep}`, (w) => w.crashNode('A', keep, 'step')), step('restart A', (w) => w.restartNode('A'))]), { seed: 1, keepRecords: true, stopAfterScript: true });
    const bootCounter = (r: ReturnType<typeof crashWith>) => r.records!.filter((x) => x.k === 'counter-boot' && x.n === 'A').map((x) => x.d?.counter);
    expect(bootCounter(crashWith('none'))).toEqual([0, 0]);
    expect(bootCounter(crashWith('all'))).toEqual([0, 1]);
  });

  it('holds messages until delivered one at a time, or drops them', () => {
    const holdAB = step('hold A→B', (w) => (w.holdMessages('A', 'B'), undefined));
    const delivered = runSim(spec([holdAB, bump, bump, step('deliver one', (w) => (w.deliverHeld('A', 'B', 1) === 1 ? undefined : 'nothing held'))]), { seed: 1, keepRecords: true, stopAfterScript: true });
    expect(delivered.records!.filter((r) => r.k === 'deliver' && r.n === 'B')).toHaveLength(1);
    const dropped = runSim(spec([holdAB, bump, step('drop', (w) => (w.dropHeld('A', 'B', 5) === 1 ? undefined : 'expected one'))]), { seed: 1, keepRecords: true, stopAfterScript: true });
    expect(dropped.records!.filter((r) => r.k === 'drop' && r.d?.reason === 'script')).toHaveLength(1);
    expect(dropped.violation).toBeUndefined();
  });

  it('a step that cannot act is a violation naming the step', () => {
    const run = runSim(spec([step('restart A', (w) => w.restartNode('A'))]), { seed: 1 });
    expect(run.violation?.invariant).toBe('script');
    expect(run.violation?.message).toBe('step 1 (restart A): A is running: crash it first');
  });

  it('draws nothing while the script runs: the prefix is the same for every seed', () => {
    const steps = [hold, bump, step('crash', (w) => w.crashNode('A', 'none', 'step')), step('restart', (w) => w.restartNode('A'))];
    const prefix = (seed: number) => runSim(spec(steps, 'explore'), { seed, keepRecords: true }).records!.filter((r) => r.k !== 'script-end').findIndex((r) => r.k === 'block');
    const a = runSim(spec(steps, 'explore'), { seed: 1, keepRecords: true }).records!;
    const b = runSim(spec(steps, 'explore'), { seed: 2, keepRecords: true }).records!;
    const end = a.findIndex((r) => r.k === 'script-end');
    expect(end).toBeGreaterThan(0);
    expect(b.slice(0, end + 1)).toEqual(a.slice(0, end + 1));
    expect(prefix(1)).toBeGreaterThan(end);
  });

  it('explores after the script with the seed, and replays byte for byte', () => {
    const steps = [hold, bump];
    const first = runSim(spec(steps, 'explore'), { seed: 7 });
    const again = runSim(spec(steps, 'explore'), { seed: 7 });
    const tape = runSim(spec(steps, 'explore'), { tape: first.tape });
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(tape.fingerprint).toBe(first.fingerprint);
    const fingerprints = new Set([1, 2, 3, 4, 5].map((seed) => runSim(spec(steps, 'explore'), { seed }).fingerprint));
    expect(fingerprints.size).toBeGreaterThan(1);
  });
});
