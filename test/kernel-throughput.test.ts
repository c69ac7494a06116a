// The kernel's throughput shortcuts (issue 13) must change nothing a run does: each is checked here against the
// plain way it replaced, on inputs that take both its fast and its slow path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Aim, keyClass, recordSignature, type AimSettings } from '../sim/aim.ts';
import { SeededChoices } from '../sim/choices.ts';
import { Disk } from '../sim/disk.ts';
import type { TraceRecord } from '../sim/trace.ts';
import { Transport } from '../sim/transport.ts';

/** Aim.observe as it was: triggers keyed by the signature string. */
class StringKeyedAim {
  private readonly triggers = new Map<string, Map<string, { skip: number; delay: number } | null>>();
  private readonly armed = new Map<string, number>();
  constructor(readonly settings: AimSettings, private readonly choices: SeededChoices) {}
  observe(record: TraceRecord): void {
    if (!this.settings.crashes || record.n === undefined) return;
    if (record.k === 'crash') this.armed.delete(record.n);
    if (['crash', 'violation', 'end', 'calm', 'drop', 'disconnect', 'connect', 'command-skipped'].includes(record.k)) return;
    const signature = recordSignature(record);
    let triggers = this.triggers.get(record.n);
    if (triggers === undefined) this.triggers.set(record.n, (triggers = new Map()));
    let trigger = triggers.get(signature);
    if (trigger === undefined) {
      const at = `${record.n}|${signature}`;
      trigger = null;
      if (this.choices.chance('aim', this.settings.crashTrigger, `aim crash trigger ${at}`)) {
        const skip = this.choices.int('aim', this.settings.occurrences, `aim trigger occurrence ${at}`);
        const delay = this.choices.int('aim', this.settings.delay, `aim trigger delay ${at}`);
        trigger = { skip, delay };
      }
      triggers.set(signature, trigger);
    }
    if (trigger === null || trigger.skip < 0) return;
    if (trigger.skip > 0) {
      trigger.skip--;
      return;
    }
    trigger.skip = -1;
    if (!this.armed.has(record.n)) this.armed.set(record.n, trigger.delay);
  }
  crashes(node: string, label: string): boolean {
    const left = this.armed.get(node);
    if (left === undefined) return false;
    if (left > 0) {
      this.armed.set(node, left - 1);
      return false;
    }
    this.armed.delete(node);
    return this.choices.chance('aim', 0.99, `aimed crash ${label}`);
  }
}

describe('aimed crash triggers', () => {
  const settings: AimSettings = { stallTarget: 0.25, stallChance: 0.5, crashTrigger: 0.3, occurrences: 3, delay: 2, stalls: true, crashes: true };
  // Model kinds with a space whose signature is also a refined kind's ('write manager', 'deliver a b'), kinds that
  // share what comes before their space ('x', 'x y', 'x y z'), and details with spaces.
  const kinds = ['write', 'durable', 'rename', 'deliver', 'send', 'timer', 'command', 'crash', 'restart', 'x', 'x y', 'x y z', 'write manager', 'deliver a b', 'timer  ', 'connect'];
  const details = ['manager', 'monitor/ab12', 'monitor/ab7', 'a b', 'a', '', ' ', 'y z', 'y'];

  function record(i: number, kind: string, node: string | undefined, detail: string): TraceRecord {
    const d = { key: detail, to: detail, type: detail, message: { type: detail }, tag: detail, command: i % 2 ? { type: detail } : { kind: detail } };
    return { i, t: i, k: kind, n: node, d };
  }

  it('are decided, and fire, exactly as when keyed by the signature string', () => {
    let fired = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.tuple(fc.nat(kinds.length - 1), fc.nat(2), fc.nat(details.length - 1), fc.boolean()), { maxLength: 300 }),
        (seed, steps) => {
          const mine = new SeededChoices(seed, { recordLabels: true });
          const theirs = new SeededChoices(seed, { recordLabels: true });
          const aim = new Aim(settings, mine);
          const reference = new StringKeyedAim(settings, theirs);
          steps.forEach(([k, n, detail, opportunity], i) => {
            const node = ['A', 'B', undefined][n];
            const r = record(i, kinds[k], node, details[detail]);
            aim.observe(r);
            reference.observe(r);
            if (opportunity && node !== undefined) {
              const crashes = aim.crashes(node, `${i}`);
              expect(crashes).toBe(reference.crashes(node, `${i}`));
              if (crashes) fired++;
            }
          });
          expect(mine.tape).toEqual(theirs.tape);
          expect(mine.labels).toEqual(theirs.labels);
        },
      ),
      { numRuns: 300 },
    );
    expect(fired).toBeGreaterThan(10);
  });
});

describe('aimed stall targets', () => {
  it('are decided, and stall, exactly as when keyed by the `node|class` string', () => {
    const settings: AimSettings = { stallTarget: 0.5, stallChance: 0.5, crashTrigger: 0, occurrences: 1, delay: 1, stalls: true, crashes: false };
    // Node ids with a '|' make `node|class` strings that other (node, class) pairs make too ('a|b' + 'c', 'a' + 'b|c').
    const nodes = ['A', 'B', 'a', 'a|b', 'a|b|', '|'];
    const keys = ['manager', 'monitor/ab1', 'monitor/ab22', 'b|c', 'c', '|c', 'b|', '', '7'];
    let stalled = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.array(fc.tuple(fc.nat(nodes.length - 1), fc.nat(keys.length - 1)), { maxLength: 200 }), (seed, writes) => {
        const mine = new SeededChoices(seed, { recordLabels: true });
        const theirs = new SeededChoices(seed, { recordLabels: true });
        const aim = new Aim(settings, mine);
        const targets = new Map<string, boolean>();
        writes.forEach(([n, k], i) => {
          const node = nodes[n];
          const key = keys[k];
          const at = `${node}|${keyClass(key)}`;
          let target = targets.get(at);
          if (target === undefined) targets.set(at, (target = theirs.chance('aim', settings.stallTarget, `aim stall target ${at}`)));
          const expected = target && theirs.chance('aim', settings.stallChance, `aimed stall ${i}`);
          expect(aim.stalls(node, key, `${i}`)).toBe(expected);
          if (expected) stalled++;
        });
        expect(mine.tape).toEqual(theirs.tape);
        expect(mine.labels).toEqual(theirs.labels);
      }),
      { numRuns: 300 },
    );
    expect(stalled).toBeGreaterThan(10);
  });
});

describe('transport', () => {
  it('keeps per-direction FIFO delivery times, forgets them at a disconnect, and counts links up', () => {
    const t = new Transport([
      ['a', 'b'],
      ['b', 'c'],
    ]);
    expect(t.countUp()).toBe(0);
    t.up('a', 'b');
    expect(t.countUp()).toBe(t.linksUp().length);
    t.up('b', 'c');
    expect(t.countUp()).toBe(2);
    const ab = t.connection('a', 'b')!;
    expect(t.connection('b', 'a')).toBe(ab);
    expect(t.connection('a', 'c')).toBeUndefined();
    expect(t.deliveryOn(ab, 'a', 10)).toBe(10);
    expect(t.deliveryOn(ab, 'a', 5)).toBe(10); // not before the previous message a→b
    expect(t.deliveryOn(ab, 'b', 3)).toBe(3); // the other direction is its own stream
    expect(t.deliveryTime('b', 'a', 2)).toBe(3);
    expect(t.deliveryTime('a', 'b', 11)).toBe(11);
    const epoch = ab.epoch;
    t.down('a', 'b');
    expect(ab.up).toBe(false);
    expect(ab.epoch).toBe(epoch + 1);
    expect(t.countUp()).toBe(1);
    expect(t.deliveryOn(ab, 'a', 1)).toBe(1);
    expect(t.deliveryOn(ab, 'b', 1)).toBe(1);
  });
});

describe('disk completion', () => {
  it('returns the completed writes, whether they are all of the key or the first few', () => {
    const d = new Disk();
    const w1 = d.enqueue('k', 'one');
    const w2 = d.enqueue('k', 'two');
    const w3 = d.enqueue('k', 'three');
    expect(d.complete('k', w2.id).map((w) => w.id)).toEqual([w1.id, w2.id]); // the first few
    expect(d.pendingCount('k')).toBe(1);
    const done = d.complete('k', w3.id); // all of them
    expect(done.map((w) => w.id)).toEqual([w3.id]);
    expect(d.pendingCount('k')).toBe(0);
    expect(d.readDurable('k')).toBe('three');
    const w4 = d.enqueue('k', 'four'); // a new queue: the answer above is not reused
    expect(done.map((w) => w.id)).toEqual([w3.id]);
    expect(d.isPending('k', w4.id)).toBe(true);
    expect(d.complete('k', w3.id)).toEqual([]);
  });

  it('lists the keys the process sees, with writes pending or none', () => {
    const d = new Disk();
    for (const key of ['p/2', 'p/1', 'q/1', 'p/3']) d.complete(key, d.enqueue(key, key).id);
    expect(d.keys('p/')).toEqual(['p/1', 'p/2', 'p/3']); // nothing pending
    const gone = d.enqueue('p/2', undefined);
    d.enqueue('p/4', 'new');
    expect(d.keys('p/')).toEqual(['p/1', 'p/3', 'p/4']);
    d.complete('p/2', gone.id);
    expect(d.keys('p/')).toEqual(['p/1', 'p/3', 'p/4']);
    d.crash(() => ({ durableCount: 0, tornNext: false }));
    expect(d.keys('p/')).toEqual(['p/1', 'p/3']); // nothing pending again
  });

  it('behaves as a plain per-key queue through many keys and crashes', () => {
    // A shadow disk: per key its pending values (a key leaves when it has none) and its durable value.
    const key = fc.integer({ min: 0, max: 59 }).map((i) => `k/${i % 3}/${i}`);
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), key, value: fc.constantFrom<string | undefined>('a', 'b', undefined) }) },
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('complete' as const), key, pick: fc.nat(), nth: fc.nat(2) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), keep: fc.nat(2) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('check' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 300 }), fc.nat(30), (random, crashEvery) => {
        // Forty keys written and completed in a row, among the random operations.
        const idle = Array.from({ length: 40 }, (_, i) => `k/2/${100 + i}`);
        const fill = idle.flatMap((k) => [
          { kind: 'write' as const, key: k, value: 'x' },
          { kind: 'complete' as const, key: k, pick: 0, nth: 0 },
        ]);
        const ops = [...random.slice(0, 10), ...fill, ...random.slice(10)];
        const d = new Disk();
        const durable = new Map<string, string>();
        const pending = new Map<string, { id: number; value: string | undefined }[]>();
        for (const o of ops) {
          if (o.kind === 'write') {
            const w = d.enqueue(o.key, o.value);
            const queue = pending.get(o.key) ?? [];
            queue.push({ id: w.id, value: o.value });
            pending.set(o.key, queue);
          } else if (o.kind === 'complete') {
            // Mostly a key that has pending writes (so keys go idle, many of them between crashes).
            const keys = [...pending.keys()].sort();
            const k = keys.length > 0 && o.pick % 4 !== 0 ? keys[o.pick % keys.length] : o.key;
            const queue = pending.get(k) ?? [];
            const w = queue[o.nth];
            if (w === undefined) {
              expect(d.complete(k, 1e9)).toEqual([]);
              continue;
            }
            const done = queue.splice(0, o.nth + 1);
            expect(d.complete(k, w.id).map((x) => x.id)).toEqual(done.map((x) => x.id));
            for (const x of done) x.value === undefined ? durable.delete(k) : durable.set(k, x.value);
            if (queue.length === 0) pending.delete(k);
          } else if (o.kind === 'crash' && o.keep <= crashEvery % 3 && crashEvery < 20) {
            const resolved: string[] = [];
            d.crash((k, writes) => {
              resolved.push(k);
              expect(writes.map((x) => x.id)).toEqual(pending.get(k)!.map((x) => x.id));
              return { durableCount: o.keep, tornNext: false };
            });
            expect(resolved).toEqual([...pending.keys()].sort());
            for (const [k, queue] of pending) for (const x of queue.slice(0, o.keep)) x.value === undefined ? durable.delete(k) : durable.set(k, x.value);
            pending.clear();
          } else if (o.kind === 'crash') continue; // crashes are rare in some runs: idle keys pile up
          const seen = (k: string) => {
            const queue = pending.get(k);
            return queue !== undefined ? queue[queue.length - 1].value : durable.get(k);
          };
          const all = [...new Set([...durable.keys(), ...pending.keys()])].filter((k) => seen(k) !== undefined).sort();
          for (const prefix of ['k/0/', 'k/1/', '']) expect(d.keys(prefix)).toEqual(all.filter((k) => k.startsWith(prefix)));
          for (const k of ['k/0/0', 'k/1/1', 'k/2/2', `k/0/${ops.length % 60}`]) {
            expect(d.read(k)).toBe(seen(k));
            expect(d.readDurable(k)).toBe(durable.get(k));
            expect(d.pendingCount(k)).toBe(pending.get(k)?.length ?? 0);
          }
          expect(d.pendingWrites().map((x) => x.id)).toEqual([...pending.keys()].sort().flatMap((k) => pending.get(k)!.map((x) => x.id)));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("completes a rename's delete with its target, on either path", () => {
    const d = new Disk();
    d.complete('from', d.enqueue('from', 'v').id);
    const extra = d.enqueue('to', 'older');
    const target = d.enqueue('to', 'v');
    d.enqueue('from', undefined, {}, { key: 'to', id: target.id });
    expect(d.complete('to', extra.id).map((w) => w.id)).toEqual([extra.id]); // partial: the delete still waits
    expect(d.durableContent('from')).toBe('v');
    expect(d.complete('to', target.id).map((w) => w.id)).toEqual([target.id]); // the rest: the delete follows
    expect(d.durableContent('from')).toBeUndefined();
    expect(d.pendingCount('from')).toBe(0);
  });
});
