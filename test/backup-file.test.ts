// The backup file encoding: round trip, canonical order, and every kind of
// damage detected (a torn write above all).
import { describe, expect, it } from 'vitest';
import { BACKUP_KEY, decodeBackup, encodeBackup, type StaticBackup } from '../model/backup/backup-file.ts';
import { Disk } from '../sim/disk.ts';

const backup = (chan: string, version = 1): StaticBackup => ({ chan, funding: `fund-A-${chan}`, peer: 'P', csvDelay: 6, version });
const many = (n: number, version = 1) => Array.from({ length: n }, (_, i) => backup(`c${i}`, version));

describe('backup file encoding', () => {
  it('decodes what it encodes, sorted by channel id', () => {
    const backups = [backup('c7', 3), backup('c1'), backup('c12', 2)];
    const result = decodeBackup(encodeBackup(backups));
    expect(result).toEqual({ kind: 'ok', backups: [backup('c1'), backup('c12', 2), backup('c7', 3)] });
  });

  it('encodes an empty set as a valid file, and a missing file is not corrupt', () => {
    expect(decodeBackup(encodeBackup([]))).toEqual({ kind: 'ok', backups: [] });
    expect(decodeBackup(undefined)).toEqual({ kind: 'missing' });
  });

  it('is canonical: the same set in any order gives the same text', () => {
    expect(encodeBackup([backup('c2'), backup('c1')])).toBe(encodeBackup([backup('c1'), backup('c2')]));
  });

  it('rejects truncated, altered and structurally bad files', () => {
    const text = encodeBackup(many(3));
    expect(decodeBackup(text.slice(0, text.length - 1)).kind).toBe('corrupt');
    expect(decodeBackup(text.slice(0, Math.floor(text.length / 2))).kind).toBe('corrupt');
    expect(decodeBackup(text.replace('c1 ', 'c9 ')).kind).toBe('corrupt');
    expect(decodeBackup('')).toMatchObject({ kind: 'corrupt', reason: 'no checksum' });
    expect(decodeBackup('garbage')).toMatchObject({ kind: 'corrupt' });
  });

  it('detects a multi-part write torn by a crash (old tail under a new head)', () => {
    for (const [before, after] of [
      [many(2), many(5)],
      [many(5), many(2)],
      [many(4, 1), many(4, 2)],
      [[], many(1)],
    ] as const) {
      const disk = new Disk();
      const first = disk.enqueue(BACKUP_KEY, encodeBackup(before), { multiPart: true });
      disk.complete(BACKUP_KEY, first.id);
      disk.enqueue(BACKUP_KEY, encodeBackup(after), { multiPart: true });
      const outcome = disk.crash(() => ({ durableCount: 0, tornNext: true }));
      expect(outcome.torn).toHaveLength(1);
      expect(decodeBackup(disk.readDurable(BACKUP_KEY)).kind).toBe('corrupt');
    }
  });
  it('writes the text it always wrote: magic, count, one line per channel sorted by id, checksum', () => {
    const backups: StaticBackup[] = [
      { chan: 'c2', funding: 'f2', peer: 'p2', csvDelay: 144, version: 1 },
      { chan: 'c1', funding: 'f1', peer: 'p1', csvDelay: 6, version: 3 },
    ];
    const text = encodeBackup(backups);
    expect(text.slice(0, text.lastIndexOf('#'))).toBe('scb1\n2\nc1 f1 p1 6 3\nc2 f2 p2 144 1\n');
    expect(encodeBackup([]).startsWith('scb1\n0\n#')).toBe(true);
  });
});

