// encodeBackup remembers what decoding its own text gives, so the swapper and the invariant skip the parse and the
// checksum: that shortcut must be exactly what decodeText makes of the text (same entries, same key order), and odd
// fields (that would not read back as written) must fall back to the real decode.
import { describe, expect, it } from 'vitest';
import { decodeBackup, decodeText, encodeBackup, type StaticBackup } from '../model/backup/backup-file.ts';

const same = (backups: StaticBackup[]) => {
  const text = encodeBackup(backups);
  const remembered = decodeBackup(text);
  const fresh = decodeText(text);
  expect(remembered).toEqual(fresh);
  // Key order too (what a trace record or a spread copy would see).
  expect(JSON.stringify(remembered)).toBe(JSON.stringify(fresh));
  return remembered;
};

describe('backup file: decode shortcut after encode', () => {
  it('gives what decodeText gives for ordinary files', () => {
    same([]);
    same([{ chan: 'c2', funding: 'f2', peer: 'P', csvDelay: 144, version: 0 }, { chan: 'c1', funding: 'f1', peer: 'Q', csvDelay: 6, version: 3 }]);
    // Extra members and another key order in the input do not reach the decoded entries.
    const odd = { version: 2, extra: 'x', peer: 'P', csvDelay: 6, funding: 'f', chan: 'c' } as unknown as StaticBackup;
    expect(same([odd])).toEqual({ kind: 'ok', backups: [{ chan: 'c', funding: 'f', peer: 'P', csvDelay: 6, version: 2 }] });
  });

  it('falls back to the real decode for fields that do not read back as written', () => {
    const b: StaticBackup = { chan: 'c', funding: 'f', peer: 'P', csvDelay: 6, version: 1 };
    expect(same([{ ...b, chan: 'c d' }]).kind).toBe('corrupt');
    expect(same([{ ...b, peer: '' }]).kind).toBe('corrupt');
    expect(same([{ ...b, csvDelay: 1.5 }]).kind).toBe('corrupt');
    expect(same([b, { ...b, funding: 'g' }]).kind).toBe('corrupt');
    expect(Object.is((same([{ ...b, version: -0 }]) as unknown as { backups: StaticBackup[] }).backups[0].version, 0)).toBe(true);
    expect(same([{ ...b, funding: 'f\tg' }]).kind).toBe('ok');
  });
});
