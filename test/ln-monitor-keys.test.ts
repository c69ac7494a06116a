// Monitor file names are kept per channel and update id once made (model/ln/monitor.ts): the names handed out
// again, and those past the bounds, are exactly the disk layout's.
import { describe, expect, it } from 'vitest';
import { monitorKey, storedUpdate, updateKey, updatePrefix, updateRecord, updateTag } from '../model/ln/monitor.ts';
import type { MonitorUpdateBody } from '../model/ln/types.ts';

describe('monitor file names', () => {
  it('are the layout names, first time, again, and past the kept ids', () => {
    for (const round of [1, 2]) {
      expect(monitorKey('ab'), `round ${round}`).toBe('monitor/ab');
      expect(updateKey('ab', 0)).toBe('monitor-update/ab/00000000');
      expect(updateKey('ab', 7)).toBe('monitor-update/ab/00000007');
      expect(updateKey('ab', 1023)).toBe('monitor-update/ab/00001023');
      expect(updateKey('ab', 1024)).toBe('monitor-update/ab/00001024');
      expect(updateKey('ab', 123456789)).toBe('monitor-update/ab/123456789');
    }
    // Past the kept channels: still made, never mixed up.
    for (let i = 0; i < 300; i++) expect(updateKey(`ch${i}`, i % 5)).toBe(`monitor-update/ch${i}/0000000${i % 5}`);
    expect(monitorKey('ch299')).toBe('monitor/ch299');
  });
  it('update prefixes and write tags are the layout names too', () => {
    for (const round of [1, 2]) {
      expect(updatePrefix('ab'), `round ${round}`).toBe('monitor-update/ab/');
      expect(updateTag('ab', 0)).toBe('mon/ab/0');
      expect(updateTag('ab', 1023)).toBe('mon/ab/1023');
      expect(updateTag('ab', 1024)).toBe('mon/ab/1024');
    }
    for (let i = 0; i < 300; i++) expect(updateTag(`ch${i}`, i % 5)).toBe(`mon/ch${i}/${i % 5}`);
  });
});

// Every kind of update is built as one record (members of other kinds undefined): the data, and the order of the
// members JSON and the trace encoder see, must be exactly those of the spread copies they replace.
describe('monitor update records', () => {
  const commitment = { number: 3, toHolder: 10, toCounterparty: 20, htlcs: [] };
  const bodies: MonitorUpdateBody[] = [
    { kind: 'holder-commitment', commitment },
    { kind: 'counterparty-commitment', commitment },
    { kind: 'revocation', number: 2 },
    { kind: 'preimage', hash: 'h', preimage: 'p' },
    { kind: 'preimage', hash: 'h', preimage: 'p', htlcs: [{ channel: 'c', id: 1 }] },
    { kind: 'preimage', hash: 'h', preimage: 'p', htlcs: [{ channel: 'c', id: 1 }], payment: { paymentId: 'x', amount: 5 } },
    { kind: 'force-close' },
    { kind: 'cooperative-close', tx: { txid: 't', inputs: [], outputs: [], label: 'closing' } as never },
  ];
  const defined = (o: object) => Object.entries(o).filter(([, v]) => v !== undefined);
  it('hold what { ...body, id } and { ...u, epoch } hold, in the same order', () => {
    for (const body of bodies) {
      const u = updateRecord(body, 7);
      expect(JSON.stringify(u)).toBe(JSON.stringify({ ...body, id: 7 }));
      expect(defined(u)).toEqual(defined({ ...body, id: 7 }));
      const stored = storedUpdate(u, 4);
      expect(JSON.stringify(stored)).toBe(JSON.stringify({ ...body, id: 7, epoch: 4 }));
      expect(defined(stored)).toEqual(defined({ ...body, id: 7, epoch: 4 }));
    }
  });
  it('share one list of keys whatever the kind', () => {
    const keys = new Set(bodies.map((b) => Object.keys(updateRecord(b, 1)).join()));
    expect(keys.size).toBe(1);
  });
});

