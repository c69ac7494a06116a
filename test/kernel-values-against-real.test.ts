import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { Disk } from '../sim/disk.ts';
import { freezeCopy } from '../sim/values.ts';

// Every value the disk keeps, copied against what the key held before (sharing what did not change, skipping what
// it can), must be exactly the full copy of the value written: the same keys in the same order (undefined members
// too), the same items, deep-frozen. Checked on every write of real runs, where the kinds of record, their reuse and
// their changes are the model's own.

/** Where `a` and `b` differ as data (own keys in order, undefined members included; items; primitives), or undefined. */
function difference(a: unknown, b: unknown, at = '$'): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? undefined : `${at}: ${String(a)} vs ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs not`;
  if (!Object.isFrozen(a)) return `${at}: not frozen`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\0') !== kb.join('\0')) return `${at}: keys ${ka.join(',')} vs ${kb.join(',')}`;
  for (const k of ka) {
    const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

describe('disk values against the previous value, on real runs', () => {
  const enqueue = Disk.prototype.enqueue;
  const writeDurable = Disk.prototype.writeDurable;
  let checked = 0;
  let against = 0;
  const found: string[] = [];
  function check(key: string, value: unknown, hadBefore: boolean, stored: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    checked++;
    if (hadBefore) against++;
    const d = difference(stored, freezeCopy(value));
    if (d !== undefined && found.length < 5) found.push(`${key}: ${d}`);
  }
  beforeAll(() => {
    // Both ways a value reaches the disk: queued, or durable at once (never queued).
    Disk.prototype.enqueue = function (this: Disk, key, value, options, after) {
      const hadBefore = typeof this.current(key) === 'object';
      const write = enqueue.call(this, key, value, options, after);
      check(key, value, hadBefore, write.value);
      return write;
    };
    Disk.prototype.writeDurable = function (this: Disk, key, value) {
      const hadBefore = typeof this.current(key) === 'object';
      const id = writeDurable.call(this, key, value);
      check(key, value, hadBefore, this.durableContent(key));
      return id;
    };
  });
  afterAll(() => {
    Disk.prototype.enqueue = enqueue;
    Disk.prototype.writeDurable = writeDurable;
  });

  it('the comparison catches a planted difference', () => {
    const v = { a: 1, b: undefined, c: [1, { d: 2 }] };
    expect(difference(freezeCopy(v), freezeCopy(v))).toBeUndefined();
    expect(difference(freezeCopy({ b: undefined, a: 1, c: [1, { d: 2 }] }), freezeCopy(v))).toMatch(/keys/);
    expect(difference(freezeCopy({ a: 1, c: [1, { d: 2 }] }), freezeCopy(v))).toMatch(/keys/);
    expect(difference(freezeCopy({ a: 1, b: undefined, c: [1, { d: 3 }] }), freezeCopy(v))).toMatch(/d: 3 vs 2/);
    expect(difference({ ...freezeCopy(v) }, freezeCopy(v))).toMatch(/not frozen/);
  });

  it('every value written in runs of the persistence-heavy scenarios is its full copy', () => {
    for (const scenario of ['forward-async-persist', 'mpp-claim-restart', 'claim-on-closed-channel', 'two-node-payments'])
      for (let seed = 1; seed <= 30; seed++) runScenario(scenario, { seed });
    expect(found).toEqual([]);
    expect(checked).toBeGreaterThan(5000);
    expect(against).toBeGreaterThan(2000);
  });
});
