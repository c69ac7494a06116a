// Startup cannot touch the monitors: every update owed at boot waits for the
// first background pass, and until then stays in the in-flight record of the
// manager checkpointed at boot, so a second crash replays it again
// (rust-lightning #4377). Judged on real runs of the forwarding scenario.
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../api.ts';
import type { Manager } from '../model/ln/types.ts';
import { MANAGER_KEY } from '../model/ln/node.ts';
import { runSim } from '../sim/runner.ts';
import type { Checker } from '../sim/world.ts';

interface Observed {
  /** Updates deferred at a boot. */
  deferred: number;
  /** Boot checkpoints that held at least one deferred update. */
  checkpoints: number;
  /** What went wrong, if anything. */
  problems: string[];
}

/** Watches one run: per node incarnation, the deferred updates, the boot checkpoint, and when the monitors see them. */
function startupObserver(observed: Observed): Checker {
  const owed = new Map<string, { channel: string; id: number }[]>();
  const ran = new Set<string>();
  return {
    name: 'startup-observer',
    onRecord(r, world) {
      const node = r.n;
      if (!node) return undefined;
      if (r.k === 'restart' || r.k === 'start' || r.k === 'crash') {
        owed.delete(node);
        ran.delete(node);
      }
      if (r.k === 'monitor-update-deferred') {
        observed.deferred++;
        if (!owed.has(node)) owed.set(node, []);
        owed.get(node)!.push({ channel: r.d!.channel as string, id: r.d!.id as number });
      }
      if (r.k === 'write' && r.d!.key === MANAGER_KEY && !ran.has(node) && (owed.get(node)?.length ?? 0) > 0) {
        const mgr = JSON.parse(world.disk(node).read(MANAGER_KEY)!) as Manager;
        for (const { channel, id } of owed.get(node)!) {
          const ch = mgr.channels.find((c) => c.id === channel);
          if (ch && !ch.inFlight.some((u) => u.id === id)) observed.problems.push(`${node} wrote its manager at t=${r.t} without deferred update ${channel}#${id} in flight`);
        }
        observed.checkpoints++;
      }
      if (r.k === 'timer' && r.d!.tag === 'background') ran.add(node);
      if (r.k === 'monitor-update' && !ran.has(node) && (owed.get(node) ?? []).some((u) => u.channel === r.d!.channel)) {
        observed.problems.push(`${node}'s monitor ${r.d!.channel} was handed update ${r.d!.id} at t=${r.t}, before the first background pass`);
      }
      return undefined;
    },
  };
}

function observe(bugs: string[], seeds: number): Observed {
  const observed: Observed = { deferred: 0, checkpoints: 0, problems: [] };
  const scenario = resolveScenario('forward-async-persist');
  for (let seed = 1; seed <= seeds; seed++) {
    const spec = scenario.build(new Set(bugs));
    runSim({ ...spec, checkers: () => [...spec.checkers(), startupObserver(observed)] }, { seed });
  }
  return observed;
}

describe('startup monitor updates (rust-lightning #4377)', () => {
  it('wait for the first background pass, and every manager written before it still records them in flight', () => {
    const observed = observe([], 150);
    expect(observed.deferred, 'no boot in these seeds owed a monitor update').toBeGreaterThan(20);
    expect(observed.checkpoints).toBeGreaterThan(10);
    expect(observed.problems).toEqual([]);
  });

  it('with ldk-4377 the manager written in that window lacks them', () => {
    const observed = observe(['ldk-4377'], 150);
    expect(observed.problems.some((p) => p.includes('without deferred update'))).toBe(true);
  });
});
