import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adopt, freezeCopy, immutable, thawCopy } from '../sim/values.ts';

// Plain data as a model holds it: JSON values, plus undefined members and holes JSON drops or nulls.
const data = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue(), fc.constant(undefined), fc.array(tie('value')), fc.dictionary(fc.string(), tie('value'))),
})).value;

describe('disk values', () => {
  it('freezeCopy has exactly the JSON text of the original, and is deeply frozen and unshared', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), data), (v) => {
        const copy = freezeCopy(v);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(v));
        const check = (x: unknown, original: unknown) => {
          if (typeof x !== 'object' || x === null) return;
          expect(Object.isFrozen(x)).toBe(true);
          expect(x).not.toBe(original);
          for (const key of Object.keys(x)) check((x as Record<string, unknown>)[key], (original as Record<string, unknown>)[key]);
        };
        check(copy, v);
      }),
      // A "__proto__" key (as JSON.parse makes one) once came back as the prototype, not as data.
      { numRuns: 60, examples: [[JSON.parse('{"__proto__":[],"a":{"__proto__":{"b":1}}}') as Record<string, never>]] },
    );
  });

  it('freezeCopy against a previous value is the same data, shares only unchanged parts of the previous value, and never the original', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), data), fc.dictionary(fc.string(), data), fc.nat(3), (v, w, edits) => {
        // A previous value that is partly the same: w, or v itself before a few edits.
        const previous = freezeCopy(edits === 0 ? w : v);
        const next = thawCopy(previous) as Record<string, unknown>;
        if (edits > 1) next[`k${edits}`] = [edits, { x: edits }];
        if (edits > 2) for (const key of Object.keys(next).slice(0, 1)) delete next[key];
        const value = edits === 0 ? v : next;
        const copy = freezeCopy(value, previous);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
        expect(JSON.stringify(copy)).toBe(JSON.stringify(freezeCopy(value)));
        const check = (x: unknown, original: unknown) => {
          if (typeof x !== 'object' || x === null) return;
          expect(Object.isFrozen(x)).toBe(true);
          expect(x).not.toBe(original);
          for (const key of Object.keys(x)) check((x as Record<string, unknown>)[key], (original as Record<string, unknown>)[key]);
        };
        check(copy, value);
      }),
      { numRuns: 100, examples: [[{}, JSON.parse('{"__proto__":[],"a":{"__proto__":{"b":1}}}') as Record<string, never>, 1]] },
    );
    const previous = freezeCopy({ a: { b: [1, 2] }, c: { d: 1 }, e: [{ f: 1 }, { g: 2 }] });
    const next = thawCopy(previous);
    next.c.d = 2;
    next.e[1].g = 3;
    const copy = freezeCopy(next, previous);
    expect(copy.a).toBe(previous.a);
    expect(copy.c).not.toBe(previous.c);
    expect(copy.e[0]).toBe(previous.e[0]);
    expect(copy.e[1]).toEqual({ g: 3 });
    expect(freezeCopy(thawCopy(previous), previous)).toBe(previous);
  });

  it('thawCopy gives a mutable copy with the same JSON text', () => {
    const frozen = freezeCopy({ a: [1, { b: 2 }], c: 'x' });
    const thawed = thawCopy(frozen);
    expect(JSON.stringify(thawed)).toBe(JSON.stringify(frozen));
    thawed.a.push(3);
    (thawed.a[1] as { b: number }).b = 5;
    expect(frozen).toEqual({ a: [1, { b: 2 }], c: 'x' });
  });

  it('shares immutable parts instead of copying them, in both directions', () => {
    const commitment = immutable({ number: 3, htlcs: [{ id: 1 }] });
    expect(Object.isFrozen(commitment.htlcs[0])).toBe(true);
    const memory = { channel: 'ab', commit: commitment, htlcs: [{ id: 1, state: 'x' }] };
    const stored = freezeCopy(memory);
    expect(stored.commit).toBe(commitment);
    expect(stored.htlcs).not.toBe(memory.htlcs);
    const booted = thawCopy(stored);
    expect(booted.commit).toBe(commitment);
    booted.htlcs[0].state = 'y'; // the rest is a working copy
    expect(stored.htlcs[0].state).toBe('x');
    expect(JSON.stringify(stored)).toBe(JSON.stringify(memory));
  });

  it('marks shared values invisibly: their keys, JSON text and equality are those of the data', () => {
    const frozenAlready = Object.freeze({ id: 2 });
    for (const value of [immutable({ a: 1, b: [2] }), adopt({ a: 1, b: [2] }), immutable([1, { c: 3 }]), adopt({ inner: frozenAlready })]) {
      expect(Reflect.ownKeys(value)).toEqual(Object.keys(value).concat(Array.isArray(value) ? ['length'] : []));
      expect(JSON.parse(JSON.stringify(value))).toEqual(value);
      expect(Object.isFrozen(value)).toBe(true);
      // Marked once however often it is made immutable again.
      expect(immutable(value)).toBe(value);
      expect(adopt(value)).toBe(value);
    }
  });

  it('a value frozen by its maker is copied to be shared (a frozen object cannot take the mark on newer runtimes)', () => {
    const frozen = Object.freeze({ a: 1, b: Object.freeze([2]) });
    for (const shared of [adopt(frozen), immutable(frozen)]) {
      expect(shared).not.toBe(frozen);
      expect(shared).toEqual(frozen);
      expect(freezeCopy({ c: shared }).c).toBe(shared);
    }
  });

  it('adopt freezes fresh data where it is, shared like immutable, and copies what JSON would change', () => {
    const inner = immutable({ id: 1 });
    const fresh = { number: 4, htlcs: [inner, { id: 2 }] };
    const adopted = adopt(fresh);
    expect(adopted).toBe(fresh);
    expect(Object.isFrozen(adopted.htlcs[1])).toBe(true);
    expect(adopted.htlcs[0]).toBe(inner);
    expect(freezeCopy({ c: adopted }).c).toBe(adopted);
    expect(thawCopy({ c: adopted }).c).toBe(adopted);
    // An undefined member is kept (JSON's text leaves it out all the same): frozen where it is.
    const optional = { a: 1, b: undefined };
    expect(adopt(optional)).toBe(optional);
    // A non-finite number, a hole or a function member: copied with JSON's rules, the original left alone.
    for (const odd of [{ a: [1, Number.NaN] }, { a: [1, , 3] }, { a: 1, f: () => 1 }]) {
      const made = adopt(odd);
      expect(made).not.toBe(odd);
      expect(Object.isFrozen(odd)).toBe(false);
      expect(JSON.stringify(made)).toBe(JSON.stringify(odd));
      expect(freezeCopy({ c: made }).c).toBe(made);
    }
  });

  it('copies records met again and again (compiled per list of keys) exactly as any other data', () => {
    // A record kind: every member present, optional ones undefined; met often enough to get its compiled copy.
    const record = (i: number, extra?: unknown) => ({ id: i, name: `r${i}`, list: [i, { x: i }], optional: undefined as unknown, n: i % 3 === 0 ? Number.NaN : i, extra });
    let previous: unknown;
    for (let i = 0; i < 20; i++) {
      const value = { kind: 'k', items: [record(i), record(i + 1, i % 2 === 0 ? () => 1 : { y: i })] };
      const copy = freezeCopy(value, previous);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
      expect(JSON.stringify(thawCopy(copy))).toBe(JSON.stringify(value));
      const item = (copy as typeof value).items[0];
      expect(Object.isFrozen(item) && Object.isFrozen(item.list)).toBe(true);
      expect('optional' in item).toBe(true);
      expect('extra' in (copy as typeof value).items[1]).toBe(i % 2 === 1);
      // Unchanged against itself: the previous value whole.
      expect(freezeCopy(thawCopy(copy), copy)).toBe(copy);
      // A part equal to the previous value's is that part, never the original's (live) part.
      const again = thawCopy(copy) as typeof value;
      again.kind = 'changed';
      const next = freezeCopy(again, copy) as typeof value;
      expect(next.items).toBe((copy as typeof value).items);
      expect(next.items).not.toBe(again.items);
      previous = copy;
    }
    // Same keys in another order: never shared, the order kept.
    const a = freezeCopy({ id: 1, name: 'x', list: [], optional: undefined, n: 1, extra: 2 });
    const b = freezeCopy({ name: 'x', id: 1, list: [], optional: undefined, n: 1, extra: 2 }, a);
    expect(b).not.toBe(a);
    expect(Object.keys(b)).toEqual(['name', 'id', 'list', 'optional', 'n', 'extra']);
  });

  it('tells compiled kinds apart when their keys begin alike (a prefix, another order, one more)', () => {
    const kinds = [
      (i: number) => ({ id: i, a: i, b: [i] }),
      (i: number) => ({ id: i, a: i }),
      (i: number) => ({ id: i, a: i, b: [i], c: { i } }),
      (i: number) => ({ id: i, b: [i], a: i }),
      (i: number) => ({ id: i }),
    ];
    let previous: unknown[] = [];
    for (let round = 0; round < 8; round++) {
      // Every kind against every other's previous copy, so each is compared with lists it must not match.
      const value = kinds.map((_, k) => kinds[(k + round) % kinds.length](round));
      const copy = freezeCopy(value, previous) as object[];
      expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
      copy.forEach((item, k) => expect(Object.keys(item)).toEqual(Object.keys(value[k])));
      expect(JSON.stringify(thawCopy(copy))).toBe(JSON.stringify(value));
      expect(JSON.stringify(freezeCopy(value))).toBe(JSON.stringify(value));
      // The same data again: the previous copy whole.
      expect(freezeCopy(thawCopy(copy), copy)).toBe(copy);
      previous = copy;
    }
  });
});
