// writeActive remembers what decoding the entry it writes gives, so the reads that follow skip the JSON parse: that
// shortcut must be exactly what decodeText makes of the written text (same members, same order, undefined dropped).
import { describe, expect, it } from 'vitest';
import { decodeEntry, decodeText, writeActive, type DatastoreEntry } from '../model/lsps2/lsp/datastore.ts';
import type { LspState } from '../model/lsps2/lsp/state.ts';
import type { NodeEnv } from '../sim/node.ts';

/** Just enough of a node for writeActive: a disk that keeps the text, durable at once. */
function fakeNode(): { env: NodeEnv; state: LspState; written: Map<string, string> } {
  const written = new Map<string, string>();
  const env = { disk: { write: (key: string, value: string) => (written.set(key, value), 'durable'), delete: () => 'durable' } } as unknown as NodeEnv;
  const state = { cb: { next: 0, waiting: new Map() } } as unknown as LspState;
  return { env, state, written };
}

const check = (entry: DatastoreEntry) => {
  const { env, state, written } = fakeNode();
  writeActive(state, env, entry);
  const text = written.get(`ds/active/${entry.scid}`)!;
  const remembered = decodeEntry(text);
  expect(remembered).toEqual(decodeText(text));
  expect(JSON.stringify(remembered)).toBe(JSON.stringify(decodeText(text)));
  expect(Object.keys(remembered ?? {})).toEqual(Object.keys(decodeText(text) ?? {}));
  return remembered;
};

describe('datastore: decode shortcut after writeActive', () => {
  it('gives what decodeText gives', () => {
    check({ scid: 'w1', hash: 'h' });
    check({ scid: 'w2', hash: 'h', channel: 'c', funding: 'f', preimage: 'p', broadcastTxid: 't' });
    // Undefined members are dropped, as by JSON; the order is the entry's.
    expect(Object.keys(check({ funding: 'f', scid: 'w3', channel: undefined, hash: 'h' } as DatastoreEntry)!)).toEqual(['funding', 'scid', 'hash']);
  });

  it('falls back to the real decode for members that are not strings', () => {
    expect(check({ scid: 'w4', hash: 'h', channel: 7 } as unknown as DatastoreEntry)).toBeUndefined();
    expect(check({ scid: 'w5', hash: 'h', extra: 1 } as unknown as DatastoreEntry)).toEqual({ scid: 'w5', hash: 'h', extra: 1 });
  });
});
