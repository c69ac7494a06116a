import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Disk, hasPrefix } from '../sim/disk.ts';

describe('Disk', () => {
  it('a write is visible at once but durable only when completed, in per-key order', () => {
    const d = new Disk();
    const w1 = d.enqueue('k', 'one');
    const w2 = d.enqueue('k', 'two');
    expect(d.read('k')).toBe('two');
    expect(d.readDurable('k')).toBeUndefined();
    d.complete('k', w2.id); // completing a later write completes the earlier one first
    expect(d.readDurable('k')).toBe('two');
    expect(d.isPending('k', w1.id)).toBe(false);
  });

  it('a crash drops pending writes unless the resolver keeps a prefix of them', () => {
    const d = new Disk();
    d.complete('a', d.enqueue('a', 'old').id);
    d.enqueue('a', 'new1');
    d.enqueue('a', 'new2');
    d.enqueue('b', 'b1');
    const report = d.crash((key) => ({ durableCount: key === 'a' ? 1 : 0, tornNext: false }));
    expect(d.readDurable('a')).toBe('new1');
    expect(d.readDurable('b')).toBeUndefined();
    expect(report.durable.length).toBe(1);
    expect(report.lost.length).toBe(2);
    expect(d.pendingWrites()).toEqual([]);
  });

  it('only multi-part writes tear, leaving neither the old nor the new value', () => {
    const d = new Disk();
    d.complete('f', d.enqueue('f', 'AAAAAAAA').id);
    d.enqueue('f', 'BBBBBBBB', { multiPart: true });
    d.crash(() => ({ durableCount: 0, tornNext: true }));
    const value = d.readDurable('f')!;
    expect(value).not.toBe('AAAAAAAA');
    expect(value).not.toBe('BBBBBBBB');
    const atomic = new Disk();
    atomic.complete('f', atomic.enqueue('f', 'AAAA').id);
    atomic.enqueue('f', 'BBBB');
    atomic.crash(() => ({ durableCount: 0, tornNext: true }));
    expect(atomic.readDurable('f')).toBe('AAAA');
  });

  it('a rename delete never becomes durable before its target', () => {
    const d = new Disk();
    d.complete('tmp', d.enqueue('tmp', 'data').id);
    const target = d.enqueue('final', 'data');
    d.enqueue('tmp', undefined, {}, { key: 'final', id: target.id });
    // The crash keeps the delete of tmp but loses the target: the delete must be rolled back.
    d.crash((key) => ({ durableCount: key === 'tmp' ? 1 : 0, tornNext: false }));
    expect(d.readDurable('tmp')).toBe('data');
    expect(d.readDurable('final')).toBeUndefined();
  });

  it('count(prefix) stays the number of keys the process sees, through writes, deletes, completions, loads and crashes', () => {
    // count is kept up to date rather than recounted: any operation that forgot to adjust it shows here.
    const key = fc.constantFrom('m/a/1', 'm/a/2', 'm/b/1', 'x');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), key, value: fc.constantFrom<string | object | undefined>('t', { v: 1 }, undefined) }),
      fc.record({ kind: fc.constant('complete' as const), key, nth: fc.nat(3) }),
      fc.record({ kind: fc.constant('load' as const), key }),
      fc.record({ kind: fc.constant('crash' as const), keep: fc.nat(2), tear: fc.boolean() }),
      fc.record({ kind: fc.constant('count' as const), prefix: fc.constantFrom('m/', 'm/a/', 'm/b/', 'x', '') }),
    );
    // More prefixes than count compares one by one (it then looks them up): each one counted from some step on.
    const many = ['m/', 'm/a/', 'm/b/', 'x', '', 'm', 'm/a', 'm/a/1', 'm/a/2', 'm/b/1', 'x/', 'm/c/'];
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.boolean(), (ops, manyPrefixes) => {
        const d = new Disk();
        const all = manyPrefixes ? many : ['m/', 'm/a/', 'm/b/', 'x', ''];
        let prefixes: string[] = [];
        for (const [i, o] of ops.entries()) {
          prefixes = all.slice(0, Math.min(all.length, 2 + 2 * i));
          if (o.kind === 'write') d.enqueue(o.key, o.value, { multiPart: true });
          else if (o.kind === 'complete') {
            const w = d.pendingWrites().filter((p) => p.key === o.key)[o.nth];
            if (w) d.complete(w.key, w.id);
          } else if (o.kind === 'load') d.load(o.key, 'loaded');
          else if (o.kind === 'crash') d.crash(() => ({ durableCount: o.keep, tornNext: o.tear }));
          else d.count(o.prefix);
          for (const prefix of prefixes) expect(d.count(prefix)).toBe(d.keys(prefix).length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a written value as a frozen copy, and gives its JSON text only when text is asked for', () => {
    const d = new Disk();
    const state = { a: 1, list: [{ b: 'x' }], gone: undefined };
    d.complete('v', d.enqueue('v', state).id);
    state.a = 2; // the writer goes on changing its memory: the disk keeps what was written
    state.list[0].b = 'y';
    const stored = d.readDurableValue('v') as { a: number; list: { b: string }[] };
    expect(stored).toEqual({ a: 1, list: [{ b: 'x' }] });
    expect(Object.isFrozen(stored) && Object.isFrozen(stored.list[0])).toBe(true);
    expect(() => {
      (stored as { a: number }).a = 3;
    }).toThrow(TypeError);
    expect(d.readDurable('v')).toBe('{"a":1,"list":[{"b":"x"}]}');
    expect(d.durableEntries()).toEqual([['v', '{"a":1,"list":[{"b":"x"}]}']]);
    // Text written as text reads back decoded too.
    d.complete('t', d.enqueue('t', '{"n":5}').id);
    expect(d.readValue('t')).toEqual({ n: 5 });
  });

  it('tears a multi-part value write into text, as it would have torn its JSON', () => {
    const d = new Disk();
    d.complete('f', d.enqueue('f', { old: 'aaaaaaaaaaaaaaaa' }).id);
    d.enqueue('f', { new: 'bbbbbbbbbbbbbbbbbbbb' }, { multiPart: true });
    d.crash(() => ({ durableCount: 0, tornNext: true }));
    const oldText = '{"old":"aaaaaaaaaaaaaaaa"}';
    const newText = '{"new":"bbbbbbbbbbbbbbbbbbbb"}';
    const cut = Math.floor(newText.length / 2);
    expect(d.readDurable('f')).toBe(newText.slice(0, cut) + oldText.slice(cut));
    expect(d.readDurableValue('f')).toEqual(JSON.parse(newText.slice(0, cut) + oldText.slice(cut)));
  });
  it('keys whose writes all completed are neither listed, counted, resolved at a crash nor reported pending', () => {
    // Such keys stay in the pending map with an empty list (up to a bound, then it is cleared): none may show.
    for (const many of [3, 100]) {
      const d = new Disk();
      expect(d.count('p/')).toBe(0);
      for (let i = 0; i < many; i++) d.complete(`p/${i}`, d.enqueue(`p/${i}`, 'v').id);
      for (let i = 0; i < many; i += 2) d.complete(`p/${i}`, d.enqueue(`p/${i}`, undefined).id);
      const waiting = d.enqueue('q/1', 'w');
      expect(d.keys('p/')).toEqual(Array.from({ length: many }, (_, i) => `p/${i}`).filter((_, i) => i % 2 === 1).sort());
      expect(d.count('p/')).toBe(Math.floor(many / 2));
      expect(d.keys('q/')).toEqual(['q/1']);
      expect(d.pendingWrites().map((w) => w.id)).toEqual([waiting.id]);
      expect(d.pendingCount('p/1')).toBe(0);
      const resolved: string[] = [];
      d.crash((key) => {
        resolved.push(key);
        return { durableCount: 0, tornNext: false };
      });
      expect(resolved).toEqual(['q/1']);
      expect(d.keys('q/')).toEqual([]);
      expect(d.count('p/')).toBe(Math.floor(many / 2));
      // A key that completed before takes writes again.
      const again = d.enqueue('p/1', 'again');
      expect(d.read('p/1')).toBe('again');
      expect(d.complete('p/1', again.id).map((w) => w.id)).toEqual([again.id]);
      expect(d.readDurable('p/1')).toBe('again');
    }
  });
  it('a write durable at once is what a write queued then completed would be', () => {
    // The same operations both ways; writeDurable only on keys with nothing pending, as the world uses it.
    const ops: [string, string | object | undefined][] = [['p/1', 'a'], ['p/2', { n: 1 }], ['q', 'x'], ['p/1', undefined], ['p/2', { n: 2 }], ['p/1', 'b'], ['q', undefined]];
    const queued = new Disk();
    const atOnce = new Disk();
    for (const d of [queued, atOnce]) d.count('p/');
    const pendingQueued = queued.enqueue('w', 'waiting');
    const pendingAtOnce = atOnce.enqueue('w', 'waiting');
    for (const [key, value] of ops) {
      const w = queued.enqueue(key, value, { tag: 't', multiPart: true });
      expect(queued.complete(key, w.id).map((x) => x.id)).toEqual([w.id]);
      expect(atOnce.nextWriteId).toBe(w.id);
      expect(atOnce.writeDurable(key, value)).toBe(w.id);
      for (const d of [queued, atOnce]) expect(d.pendingCount(key)).toBe(0);
      expect(atOnce.durableEntries()).toEqual(queued.durableEntries());
      expect(atOnce.read(key)).toBe(queued.read(key));
      expect(atOnce.keys('p/')).toEqual(queued.keys('p/'));
      expect(atOnce.count('p/')).toBe(queued.count('p/'));
      expect(atOnce.version).toBe(queued.version);
    }
    expect(Object.isFrozen(atOnce.readValue('p/2'))).toBe(true);
    expect(atOnce.pendingWrites()).toEqual([pendingAtOnce]);
    expect(queued.pendingWrites()).toEqual([pendingQueued]);
    const none = () => ({ durableCount: 0, tornNext: false });
    expect(atOnce.crash(none)).toEqual(queued.crash(none));
    expect(atOnce.durableEntries()).toEqual(queued.durableEntries());
  });
  it('hasPrefix answers as startsWith, whatever the strings', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('monitor-update/ab/', 'monitor-update/ab/17', 'é', ''));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const joined = `${a}/${b}`;
        expect(hasPrefix(a, b)).toBe(a.startsWith(b));
        expect(hasPrefix(joined, a)).toBe(true);
        expect(hasPrefix(joined, `${a}/`)).toBe(true);
        expect(hasPrefix(b, joined)).toBe(b.startsWith(joined));
      }),
    );
  });
});
