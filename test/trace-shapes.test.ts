import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultMix } from '../scenarios/index.ts';
import { runSim } from '../sim/runner.ts';
import { BLOCK, CONNECT, DELIVER, DISCONNECT, DURABLE, SEND, TIMER, WRITE, type Shape } from '../sim/trace-hash.ts';
import { encodeRecord, Trace } from '../sim/trace.ts';

// The kernel's records of known shape are hashed member by member from constants (trace-hash.ts): the bytes must
// be encodeRecord's whatever the members hold, as long as they come in the shape's order (the world's sites build
// them so; the last test checks it on real runs).

const expected = (trace: Trace): string => createHash('sha256').update(trace.records!.map(encodeRecord).join('')).digest('hex');

const long = 'k'.repeat(41);
const longer = 'h'.repeat(64);
const huge = 'y'.repeat(70_000);
const odd = ['', 'é', 'clé→𝄞', long, longer, huge, 7, -3, 2 ** 31, -(2 ** 31), 1.5, -0, NaN, 1e21, undefined, null, true, [1, 'a'], { x: 1, y: undefined }, () => 1];

/** Typical data of each shape, with its kind. */
const typical: [Shape, string, Record<string, unknown>][] = [
  [WRITE, 'write', { key: 'monitors/chan-1/update-000012', id: 12, op: 'put', status: 'pending' }],
  [WRITE, 'write', { key: 'manager', id: 2_000_000_000, op: 'delete', status: 'durable' }],
  [WRITE, 'write', { key: 'm', id: 3, op: 'put', status: 'stalled' }],
  [WRITE, 'write', { key: 'm', id: 3, op: 'put', status: 'held' }],
  [DURABLE, 'durable', { key: 'monitors/chan-1', id: 7 }],
  [BLOCK, 'block', { height: 101, txs: Object.freeze([]) }],
  [BLOCK, 'block', { height: 102, txs: Object.freeze(['a'.repeat(64), 'tx-2']) }],
  [SEND, 'send', { to: 'bob', message: { type: 'update_add_htlc', channel: 'c1', amount: 1_000, hash: longer, onion: { hops: ['carol'], fee: 1.25 } } }],
  [DELIVER, 'deliver', { from: 'alice', type: 'commitment_signed' }],
  [TIMER, 'timer', { tag: 'retry' }],
  [CONNECT, 'connect', { a: 'alice', b: 'bob' }],
  [DISCONNECT, 'disconnect', { a: 'alice', b: 'bob', reason: 'fault' }],
];

describe('trace hashing of the kernel record shapes', () => {
  it('writes encodeRecord bytes for typical data, any member value, missing members and other kinds', () => {
    const trace = new Trace({ keepRecords: true });
    let t = 0;
    for (const [shape, kind, data] of typical) {
      trace.append(t++, kind, 'alice', data, shape);
      trace.append(2 ** 40 + t++, kind, undefined, data, shape);
      trace.append(-t++, kind, 'nœud-é', data, shape);
      trace.append(t++, kind, long, data, shape);
      // Every member in turn given every odd value (undefined members are skipped, functions too).
      for (const member of Object.keys(data)) for (const v of odd) trace.append(t++, kind, 'bob', { ...data, [member]: v }, shape);
      // Members missing (the shape promises their order, not their presence), or no data at all.
      trace.append(t++, kind, 'bob', {}, shape);
      trace.append(t++, kind, 'bob', undefined, shape);
      // Another kind announced with this shape is written generically.
      trace.append(t++, `${kind}-not`, 'bob', data, shape);
    }
    expect(trace.fingerprint()).toBe(expected(trace));
  });

  it('writes encodeRecord bytes wherever a hash chunk boundary falls', () => {
    const CHUNK = 1 << 16;
    for (const [shape, kind, data] of typical) {
      // Non-ASCII text first, so a string goes through the native encoder too.
      const d = { ...data, [Object.keys(data)[0]]: 'é'.repeat(30) };
      const span = Buffer.byteLength(encodeRecord({ i: 0, t: 123, k: kind, n: 'ü', d })) + 8;
      for (let offset = 0; offset < span; offset++) {
        const trace = new Trace({ keepRecords: true });
        // Filler records of 6 to 45 bytes (`0|k||\n`, k of 1 to 40 chars: no native call, so no early flush).
        let rest = CHUNK - offset;
        while (rest > 0) {
          const size = rest - 45 >= 6 || rest <= 45 ? Math.min(45, rest) : rest - 6;
          trace.append(0, 'k'.repeat(size - 5));
          rest -= size;
        }
        trace.append(123, kind, 'ü', d, shape);
        trace.append(124, kind, undefined, data, shape);
        trace.append(125, 'after', 'n', { ok: 1 });
        expect(trace.fingerprint(), `${kind} at offset ${offset}`).toBe(expected(trace));
      }
    }
  });

  it('writes encodeRecord bytes for object keys, whether their encoding is remembered or not', () => {
    const trace = new Trace({ keepRecords: true });
    const keys = ['a', 'clé', 'ключ→𝄞', 'k'.repeat(40), 'k'.repeat(61), 'k'.repeat(62), 'é'.repeat(31), 'é'.repeat(40), '\ud800x', ''];
    // Each key twice (written, then remembered), then past the bound of remembered keys, then all again.
    for (let round = 0; round < 2; round++) for (const key of keys) trace.append(round, 'keys', 'n', { [key]: 1, nested: { [key]: [key, { [key]: null }] } });
    for (let i = 0; i < 5_000; i++) trace.append(i, 'many', undefined, { [`id-${i}`]: i, [`é-${i}`]: 'x' });
    for (const key of keys) trace.append(3, 'keys', 'n', { [key]: 'again' });
    // Key lists that share their first keys and then part, skipped members, nested lists of the same keys.
    const lists = [{ a: 1, b: 2 }, { a: 1, c: 3 }, { a: 1, b: 2, c: 3 }, { a: undefined, b: 2 }, { b: 2, a: 1 }, { a: { a: 1, b: [{ b: 2, a: 1 }] }, b: 2 }];
    for (let round = 0; round < 3; round++) for (const data of lists) trace.append(4, 'lists', 'n', data);
    // Messages of different types at the same place, their keys at each other's indices.
    const messages = [{ type: 'a', x: 1, y: { p: 1 } }, { type: 'b', y: 2, x: { q: [{ p: 1 }, { q: 2 }] } }, { type: 'c', y: { x: 1 } }];
    for (let round = 0; round < 3; round++) for (const message of messages) trace.append(5, 'send', 'n', { to: 'b', message }, SEND);
    expect(trace.fingerprint()).toBe(expected(trace));
  });

  it('writes encodeRecord bytes for strings and kinds, whether their encoding is remembered or not', () => {
    const trace = new Trace({ keepRecords: true });
    const texts = ['1234567', '12345678', 'clé→𝄞-clé→𝄞', 'é'.repeat(64), 'k'.repeat(64), 'k'.repeat(65), '\ud800-unpaired', 'x'.repeat(200)];
    const kinds = ['kind', 'kïnd→𝄞', 'k'.repeat(62), 'k'.repeat(63), 'é'.repeat(40), ''];
    // Each twice (written, then remembered), in every place a string goes.
    for (let round = 0; round < 2; round++)
      for (const text of texts) {
        trace.append(round, 'texts', text, { text, list: [text, { text }] });
        trace.append(round, 'write', 'n', { key: text, id: 1, op: text, status: text }, WRITE);
        trace.append(round, 'send', 'n', { to: text, message: { type: text } }, SEND);
      }
    for (let round = 0; round < 2; round++) for (const kind of kinds) trace.append(round, kind, 'n', { kind });
    // More strings than are kept, and more kinds, then all again.
    for (let i = 0; i < 20_000; i++) trace.append(i, `kind-${i % 2_000}`, undefined, { id: `string-${i}`, again: `string-${i >> 1}` });
    for (const text of texts) trace.append(3, 'texts', 'n', { text });
    for (const kind of kinds) trace.append(3, kind, 'n', { kind });
    expect(trace.fingerprint()).toBe(expected(trace));
    // The next trace starts with the kept strings emptied at that digest (the pool was full).
    const next = new Trace({ keepRecords: true });
    for (let round = 0; round < 2; round++) for (const text of texts) next.append(round, 'texts', text, { text, other: `string-${round}` });
    expect(next.fingerprint()).toBe(expected(next));
  });

  it('real runs: every record the kernel announces with a shape has it (the fingerprint is the encoding)', () => {
    for (const scenario of defaultMix())
      for (const seed of [1, 2]) {
        const run = runSim(scenario.build(new Set()), { seed, keepRecords: true });
        expect(run.fingerprint, `${scenario.name} seed ${seed}`).toBe(createHash('sha256').update(run.records!.map(encodeRecord).join('')).digest('hex'));
      }
  });
});
