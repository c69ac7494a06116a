// packed.ts: arrays built item by item (one kind of array whatever code builds them), and append for arrays of objects.
import { describe, expect, it } from 'vitest';
import { append, packedCopy, packedMap } from '../model/ln/packed.ts';

describe('packed arrays', () => {
  it('packedMap and packedCopy are map and spread', () => {
    expect(packedMap([1, 2, 3], (x) => x * 2)).toEqual([2, 4, 6]);
    const items = [{ a: 1 }, { a: 2 }];
    const copy = packedCopy(items);
    expect(copy).toEqual(items);
    expect(copy).not.toBe(items);
    expect(copy[0]).toBe(items[0]);
  });
  it('append pushes in place, and replaces only an empty array', () => {
    const items = [{ a: 1 }];
    expect(append(items, { a: 2 })).toBe(items);
    expect(items).toEqual([{ a: 1 }, { a: 2 }]);
    const empty: { a: number }[] = [];
    const next = append(empty, { a: 3 });
    expect(next).toEqual([{ a: 3 }]);
    expect(empty).toEqual([]);
  });
});
