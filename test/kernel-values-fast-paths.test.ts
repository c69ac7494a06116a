import { describe, expect, it } from 'vitest';
import { adopt, freezeCopy, thawCopy } from '../sim/values.ts';

// The fast paths of sim/values.ts and their fallbacks. A file of its own: the kinds of record it compiles must not
// be crowded out by the random key lists of the property tests (the process tracks a bounded number of them).
describe('disk values: fast paths fall back exactly', () => {
  it('falls back exactly when a record met often (compiled) is not the kind its previous copy or its first key suggests', () => {
    // A kind met often enough to be compiled, then live records of it changed in every way the fast paths assume
    // they are not: each copy must be what JSON and the generic path make of it, shared only where equal.
    const kind = () => ({ id: 1, name: 'x', list: [1, { y: 2 }], optional: undefined as unknown, n: 3 });
    let previous: unknown = freezeCopy(kind());
    for (let i = 0; i < 8; i++) previous = freezeCopy(kind(), previous);
    const variants: Array<[string, (r: Record<string, unknown>) => void]> = [
      ['a key removed', (r) => delete r.n],
      ['the last key removed and another added', (r) => ((r.extra = 1), delete r.n)],
      ['a key added at the end', (r) => (r.more = { z: 1 })],
      ['a key moved to the end (deleted and set again)', (r) => ((r.tmp = r.name), delete r.name, (r.name = r.tmp), delete r.tmp)],
      ['the first key moved to the end', (r) => ((r.tmp = r.id), delete r.id, (r.id = r.tmp), delete r.tmp)],
      ['a member turned into a function', (r) => (r.name = () => 'x')],
      ['a member turned into a symbol', (r) => (r.name = Symbol('x'))],
      ['a member turned into a non-finite number', (r) => (r.n = Number.POSITIVE_INFINITY)],
      ['the optional member set', (r) => (r.optional = [1])],
      ['an array item made undefined', (r) => ((r.list as unknown[])[0] = undefined)],
    ];
    for (const [what, change] of variants) {
      const live = thawCopy(previous) as Record<string, unknown>;
      change(live);
      for (const copy of [freezeCopy(live, previous), freezeCopy(live), freezeCopy({ wrap: live }, { wrap: previous }).wrap]) {
        expect(JSON.stringify(copy), what).toBe(JSON.stringify(live));
        // Own keys (an undefined member kept, a function or symbol one dropped) in the live record's order.
        expect(Object.keys(copy as object), what).toEqual(Object.keys(live).filter((k) => typeof live[k] !== 'function' && typeof live[k] !== 'symbol'));
        expect(Object.isFrozen(copy), what).toBe(true);
        expect(copy, what).not.toBe(previous);
      }
    }
    // The same live record against a previous copy of another kind with the same first key, the same number of keys,
    // the same keys in another order, or a prefix of them: never that copy, each member at its own key.
    const others = [
      { id: 1, other: 'x', list: [1, { y: 2 }], optional: undefined, n: 3 },
      { id: 1, list: [1, { y: 2 }], name: 'x', optional: undefined, n: 3 },
      { id: 1, name: 'x', list: [1, { y: 2 }] },
      { id: 1, name: 'x', list: [1, { y: 2 }], optional: undefined, n: 3, more: 4 },
    ];
    for (const other of others) {
      let before: unknown;
      for (let i = 0; i < 6; i++) before = freezeCopy(other, before);
      const copy = freezeCopy(kind(), before) as Record<string, unknown>;
      expect(copy).not.toBe(before);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(kind()));
      expect(Object.keys(copy)).toEqual(Object.keys(kind()));
      // An equal part at the same key and place is shared.
      if (Object.keys(before as object)[2] === 'list') expect(copy.list).toBe((before as Record<string, unknown>).list);
      // And the other way round.
      expect(JSON.stringify(freezeCopy(other, copy))).toBe(JSON.stringify(other));
    }
  });

  it('copies only own keys of records that are not plain objects, as JSON does', () => {
    // For-in (how compiled kinds are recognised) also lists inherited enumerable keys; JSON and Object.keys do not.
    const plain = () => ({ a: 1, b: [2], c: { d: 3 } });
    let previous: unknown;
    for (let i = 0; i < 8; i++) previous = freezeCopy(plain(), previous);
    const inheriting = Object.assign(Object.create({ inherited: 5, c: 9 }) as object, plain());
    const bare = Object.assign(Object.create(null) as object, plain());
    class Record3 {
      a = 1;
      b = [2];
      c = { d: 3 };
    }
    const inheritingOnly = Object.create({ a: 1 }) as object;
    // Own keys a prefix of a compiled kind's, inherited ones the rest: for-in lists that kind's keys exactly.
    const inheritingRest = Object.assign(Object.create({ c: { d: 3 } }) as object, { a: 1, b: [2] });
    for (const odd of [inheriting, bare, new Record3(), inheritingOnly, inheritingRest]) {
      for (const copy of [freezeCopy(odd), freezeCopy(odd, previous), thawCopy(odd)]) {
        expect(JSON.stringify(copy)).toBe(JSON.stringify(odd));
        expect(Object.keys(copy)).toEqual(Object.keys(odd));
        expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      }
    }
  });

  it('adopt leaves every part of data it cannot keep unfrozen, however deep the part it cannot keep', () => {
    for (let round = 0; round < 3; round++) {
      const inner = { y: 1 };
      const list = [{ z: 2 }, inner];
      const odd = { x: inner, list, late: [1, { deeper: [2, Number.NaN] }] };
      const made = adopt(odd);
      expect(made).not.toBe(odd);
      expect(JSON.stringify(made)).toBe(JSON.stringify(odd));
      for (const part of [odd, inner, list, list[0], odd.late, odd.late[1]]) expect(Object.isFrozen(part)).toBe(false);
      // The next adoption starts afresh: a part the failed one had listed is not frozen with it.
      const fresh = { a: [{ b: 1 }], shared: inner === list[1] ? undefined : inner };
      expect(adopt(fresh)).toBe(fresh);
      expect(Object.isFrozen(fresh.a[0])).toBe(true);
      expect(Object.isFrozen(inner)).toBe(false);
      // An adoption cut short by a throwing getter leaves nothing listed for the next one to freeze.
      const early = { x: 1 };
      expect(() => adopt({ early, get boom(): number { throw new Error('boom'); } })).toThrow('boom');
      expect(adopt({ a: 1 }).a).toBe(1);
      expect(Object.isFrozen(early)).toBe(false);
      // A part held twice is frozen once, with the rest.
      const twice = { p: { q: 1 } };
      const both = adopt({ one: twice, two: twice, three: [twice.p] });
      expect(Object.isFrozen(both.one) && Object.isFrozen(twice.p) && Object.isFrozen(both.three)).toBe(true);
    }
  });
});
