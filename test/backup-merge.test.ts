// The swapper's merge rules (pure functions), correct and with each planted
// bug that deviates in them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StaticBackup } from '../model/backup/backup-file.ts';
import { SCB_LOCALFORCE, SCB_PENDING, SCB_WIPE } from '../model/backup/bugs.ts';
import { applyInput, combine, inputForEvent, startingSet } from '../model/backup/merge.ts';

const backup = (chan: string, version = 1): StaticBackup => ({ chan, funding: `fund-A-${chan}`, peer: 'P', csvDelay: 6, version });
const none = new Set<string>();
const chans = (list: readonly StaticBackup[]) => list.map((b) => b.chan);

describe('which channel events the swapper acts on', () => {
  it('adds pending and open channels, removes closed ones, keeps our unswept force-close', () => {
    expect(inputForEvent({ kind: 'pending-open', backup: backup('c1') }, none)).toEqual({ kind: 'opened', backup: backup('c1') });
    expect(inputForEvent({ kind: 'open', backup: backup('c1') }, none)).toEqual({ kind: 'opened', backup: backup('c1') });
    for (const close of ['coop', 'remote-force', 'local-force-resolved'] as const) expect(inputForEvent({ kind: 'close', chan: 'c1', close }, none)).toEqual({ kind: 'closed', chan: 'c1' });
    expect(inputForEvent({ kind: 'close', chan: 'c1', close: 'local-force-confirmed' }, none)).toBeUndefined();
  });

  it('lnd-scb-pending ignores pending-open events and pending channels at start', () => {
    const bugs = new Set([SCB_PENDING]);
    expect(inputForEvent({ kind: 'pending-open', backup: backup('c1') }, bugs)).toBeUndefined();
    const start = startingSet([{ backup: backup('c1'), pending: true }, { backup: backup('c2'), pending: false }], bugs);
    expect([...start.keys()]).toEqual(['c2']);
    expect([...startingSet([{ backup: backup('c1'), pending: true }], none).keys()]).toEqual(['c1']);
  });

  it('lnd-scb-localforce removes a channel as soon as our force-close confirms', () => {
    expect(inputForEvent({ kind: 'close', chan: 'c1', close: 'local-force-confirmed' }, new Set([SCB_LOCALFORCE]))).toEqual({ kind: 'closed', chan: 'c1' });
  });
});

describe('memory updates', () => {
  it('applies opens, upserts and closes, and reports what an input closed', () => {
    const memory = new Map<string, StaticBackup>();
    expect(applyInput(memory, { kind: 'opened', backup: backup('c1') })).toEqual([]);
    expect(applyInput(memory, { kind: 'upsert', backups: [backup('c1', 2), backup('c2')] })).toEqual([]);
    expect([...memory.values()]).toEqual([backup('c1', 2), backup('c2')]);
    expect(applyInput(memory, { kind: 'closed', chan: 'c1' })).toEqual(['c1']);
    expect(applyInput(memory, { kind: 'start' })).toEqual([]);
    expect([...memory.keys()]).toEqual(['c2']);
  });
});

describe('what an update writes', () => {
  it('unions disk with memory, memory winning, minus what this input closed', () => {
    const disk = [backup('c1', 1), backup('c2', 1), backup('c3', 1)];
    const memory = new Map([['c2', backup('c2', 5)], ['c4', backup('c4')]]);
    expect(combine(disk, memory, ['c3'], none)).toEqual([backup('c1', 1), backup('c2', 5), backup('c4')]);
  });

  it('lnd-scb-wipe writes memory only: an empty memory wipes the file', () => {
    expect(combine([backup('c1'), backup('c2')], new Map(), [], new Set([SCB_WIPE]))).toEqual([]);
    expect(combine([backup('c1'), backup('c2')], new Map(), [], none)).toEqual([backup('c1'), backup('c2')]);
  });

  it('never writes less than the union, and keeps memory versions (property)', () => {
    const entry = fc.record({ chan: fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5'), version: fc.integer({ min: 1, max: 9 }) }).map(({ chan, version }) => backup(chan, version));
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (b) => b.chan }), fc.uniqueArray(entry, { selector: (b) => b.chan }), fc.subarray(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']), (disk, mem, closed) => {
        const memory = new Map(mem.map((b) => [b.chan, b]));
        const out = combine(disk, memory, closed, none);
        const written = new Map(out.map((b) => [b.chan, b]));
        const expected = new Set([...chans(disk), ...chans(mem)].filter((c) => !closed.includes(c)));
        expect(new Set(written.keys())).toEqual(expected);
        for (const b of mem) if (!closed.includes(b.chan)) expect(written.get(b.chan)).toEqual(b);
        expect(chans(out)).toEqual([...chans(out)].sort());
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
