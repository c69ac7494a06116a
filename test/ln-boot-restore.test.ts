// boot.ts restoreManager: the manager read back from disk in one pass is restoredManager(thawCopy(stored)) exactly
// (the same data, keys in the same order, the same parts shared), and none of the stored value's parts is handed to
// the node to change.
import { describe, expect, it } from 'vitest';
import { restoreManager } from '../model/ln/node/boot.ts';
import { MANAGER_KEY } from '../model/ln/node/state.ts';
import { type Manager, restoredManager } from '../model/ln/types.ts';
import { findScenario } from '../scenarios/index.ts';
import { runSim } from '../sim/runner.ts';
import { thawCopy } from '../sim/values.ts';

/** Every object of a value by path: its own keys in order, and whether it is frozen. */
function layout(value: unknown, path = '', out: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) {
    out.push(`${path}=${JSON.stringify(value)}`);
    return out;
  }
  out.push(`${path} ${Array.isArray(value) ? 'array' : 'object'} frozen=${Object.isFrozen(value)} keys=${Object.keys(value).join(',')}`);
  for (const key of Object.keys(value)) layout((value as Record<string, unknown>)[key], `${path}/${key}`, out);
  return out;
}

/** The same objects at the same paths (shared parts), or distinct ones in both. */
function sharing(a: unknown, b: unknown, stored: unknown, path = '', out: string[] = []): string[] {
  if (typeof a !== 'object' || a === null) return out;
  out.push(`${path} sharedWithStored=${a === stored}/${b === stored}`);
  for (const key of Object.keys(a)) {
    const next = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>)[key] : undefined;
    sharing((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], next, `${path}/${key}`, out);
  }
  return out;
}

function storedManagers(): Manager[] {
  const out: Manager[] = [];
  // Forwards, payments, cooperative closes and openings at runtime: every kind of record restoreManager makes.
  for (const name of ['forward-async-persist', 'coop-close-inflight', 'channel-open-restart']) storedManagersOf(name, out);
  return out;
}

function storedManagersOf(name: string, out: Manager[]): void {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  const spec = scenario.build(new Set());
  // Stopped part way as well as at the end: managers with HTLCs, updates in flight and payments on the way.
  for (let seed = 1; seed <= 6; seed++) {
    for (const stopAfterEvent of [150, 300, 600, 1000, undefined]) {
      const { world } = runSim(spec, { seed, stopAfterEvent });
      for (const node of world.nodeIds()) {
        const stored = world.disk(node).readValue(MANAGER_KEY);
        if (stored !== undefined) out.push(stored as Manager);
      }
    }
  }
}

describe('boot restoreManager', () => {
  const managers = storedManagers();

  it('finds managers with channels, HTLCs and payments to restore', () => {
    expect(managers.length).toBeGreaterThan(10);
    expect(managers.every((m) => Object.isFrozen(m))).toBe(true);
    expect(managers.some((m) => m.channels.some((c) => c.htlcs.length > 0))).toBe(true);
    expect(managers.some((m) => m.channels.some((c) => c.inFlight.length > 0))).toBe(true);
    expect(managers.some((m) => m.outbound.length > 0 || m.claimable.length > 0)).toBe(true);
    expect(managers.some((m) => m.channels.some((c) => c.close !== undefined))).toBe(true);
    expect(managers.some((m) => m.channels.some((c) => c.opening !== undefined))).toBe(true);
  });

  it('is restoredManager(thawCopy(stored)): same data, same key order, same frozen and shared parts', () => {
    for (const stored of managers) {
      const twoPass = restoredManager(thawCopy(stored));
      const onePass = restoreManager(stored);
      expect(layout(onePass)).toEqual(layout(twoPass));
      expect(sharing(onePass, twoPass, stored)).toEqual(sharing(twoPass, onePass, stored));
      expect(JSON.stringify(onePass)).toBe(JSON.stringify(stored));
    }
  });

  it('hands out a working copy: changing it leaves the stored value as it was', () => {
    const stored = managers.find((m) => m.channels.length > 0)!;
    const text = JSON.stringify(stored);
    const mgr = restoreManager(stored);
    mgr.channels[0].status = 'closed';
    mgr.channels[0].inFlight.push(...mgr.channels[0].inFlight);
    mgr.events.push({ seq: -1, event: mgr.events[0]?.event ?? ({ type: 'ChannelClosed', channel: 'x', reason: 'y' } as never) });
    expect(JSON.stringify(stored)).toBe(text);
  });

  it('a manager stored as text (parsed, not frozen) restores as restoredManager(thawCopy(parsed))', () => {
    const parsed = JSON.parse(JSON.stringify(managers[managers.length - 1])) as Manager;
    expect(layout(restoreManager(parsed))).toEqual(layout(restoredManager(thawCopy(parsed))));
  });

  it('a planted bug in restoreManager (a stored part left frozen) is caught by the layout comparison', () => {
    const stored = managers.find((m) => m.channels.some((c) => c.pendingInbound !== undefined))!;
    const broken = restoreManager(stored);
    broken.channels[0].pendingInbound = stored.channels[0].pendingInbound;
    expect(layout(broken)).not.toEqual(layout(restoredManager(thawCopy(stored))));
  });
});
