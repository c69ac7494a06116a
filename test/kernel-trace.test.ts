import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecord, encodeValue, formatRecord, Trace } from '../sim/trace.ts';

// Plain data as records carry it: JSON values without undefined holes.
const data = fc.jsonValue();

describe('trace encoding', () => {
  it('is injective on plain data: different values, different encodings', () => {
    fc.assert(
      fc.property(data, data, (a, b) => {
        // For JSON values, JSON text is a faithful picture of the value (same property order as the encoding).
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(encodeValue(a)).not.toBe(encodeValue(b));
        else expect(encodeValue(a)).toBe(encodeValue(b));
      }),
    );
  });

  it('separates the cases JSON-free concatenation would confuse', () => {
    const distinct = [['ab', 'c'], ['a', 'bc'], { 'a=1': 2 }, { a: '1=2' }, '1', 1, true, 'T', null, 'z', { a: [1] }, { a: '[n1]' }];
    const encodings = distinct.map(encodeValue);
    expect(new Set(encodings).size).toBe(distinct.length);
    expect(encodeValue({ a: 1, b: undefined })).toBe(encodeValue({ a: 1 }));
  });

  it('fingerprints the concatenated record encodings with sha256, whatever the chunking', () => {
    const trace = new Trace({ keepRecords: true });
    // Long enough to cross several hash chunks.
    for (let i = 0; i < 5_000; i++) trace.append(i, 'send', i % 2 ? 'a' : undefined, { to: 'b', message: { type: 'ping', n: i - 2_500, f: i / 7, s: 'x'.repeat(i % 40), u: i % 3 ? 'é→𝄞' : undefined, big: i === 4_000 ? 'y'.repeat(100_000) : null } });
    trace.append(2 ** 40, 'x', 'ü', { 'clé': [true, false, null, 1e21, -0, NaN] });
    const expected = createHash('sha256').update(trace.records!.map(encodeRecord).join('')).digest('hex');
    expect(trace.fingerprint()).toBe(expected);
    expect(() => trace.append(0, 'late')).toThrow(/after the fingerprint/);
  });

  it('hashes exactly the encodeRecord bytes wherever a hash chunk boundary falls in a record', () => {
    // The hasher checks for a full chunk only between members and items: put the 64 KiB boundary at every byte
    // of a record holding every kind of token (short, long and non-ASCII strings and keys, numbers of each form).
    const CHUNK = 1 << 16;
    const tricky = {
      a: 'x',
      ['k'.repeat(30)]: 'é',
      s24: 's'.repeat(24),
      s25: 's'.repeat(25),
      mixed: 'abc→𝄞def',
      nums: [0, -7, 2147483647, -2147483648, 2 ** 31, 1.5, -0.001, 1e21, 123456789],
      nested: { deep: [[true, false, null], { u: undefined, f: () => 1, z: 'end' }], big: 12345678901234567890n },
      last: 'y'.repeat(70),
    };
    const span = Buffer.byteLength(encodeRecord({ i: 0, t: 123, k: 'tricky', n: 'ü', d: tricky })) + 16;
    for (let offset = 0; offset < span; offset++) {
      const trace = new Trace({ keepRecords: true });
      // Filler records of 6 to 29 bytes (`0|k||\n`, k of 1 to 24 chars) up to CHUNK - offset bytes.
      let rest = CHUNK - offset;
      while (rest > 0) {
        const size = rest - 29 >= 6 || rest <= 29 ? Math.min(29, rest) : rest - 6;
        trace.append(0, 'k'.repeat(size - 5));
        rest -= size;
      }
      trace.append(123, 'tricky', 'ü', tricky);
      trace.append(124, 'after', 'n', { ok: 1 });
      const expected = createHash('sha256').update(trace.records!.map(encodeRecord).join('')).digest('hex');
      expect(trace.fingerprint(), `offset ${offset}`).toBe(expected);
    }
  });

  it('hashes exactly the encodeRecord bytes for any plain data', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: fc.integer(), k: fc.string({ minLength: 1 }), n: fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), d: fc.option(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary' })), { nil: undefined }) })), (records) => {
        const trace = new Trace({ keepRecords: true });
        for (const r of records) trace.append(r.t, r.k, r.n, r.d);
        expect(trace.fingerprint()).toBe(createHash('sha256').update(trace.records!.map(encodeRecord).join('')).digest('hex'));
      }),
      { numRuns: 40 },
    );
  });

  it('changes the fingerprint when any record changes', () => {
    const run = (change: boolean) => {
      const trace = new Trace();
      for (let i = 0; i < 100; i++) trace.append(i, 'write', 'a', { key: 'k', id: change && i === 57 ? 0 : i });
      return trace.fingerprint();
    };
    expect(run(true)).not.toBe(run(false));
  });

  it('prints records for humans independently of the encoding', () => {
    const trace = new Trace({ keepRecords: true });
    trace.append(7, 'send', 'a', { to: 'b', message: { type: 'ping' } });
    expect(formatRecord(trace.records![0])).toBe('#0 t=7 a send to=b message={"type":"ping"}');
  });
});
