// writeActive remembers what reading its text back gives, so the LSP's next readActive skips the parse: that must be
// exactly what decoding the text gives (the same members in the same order, frozen), and entries decodeText would
// read otherwise (a non-string member) must be left to it.
import { describe, expect, it } from 'vitest';
import type { NodeEnv } from '../sim/node.ts';
import { newDurableCallbacks } from '../model/lsps2/nodes/durable.ts';
import { readActive, writeActive, type DatastoreEntry } from '../model/lsps2/lsp/datastore.ts';
import type { LspState } from '../model/lsps2/lsp/state.ts';

function fakeNode(): { env: NodeEnv; state: LspState } {
  const files = new Map<string, string>();
  const disk = { write: (key: string, value: string) => (files.set(key, value), 'durable'), delete: (key: string) => (files.delete(key), 'durable'), read: (key: string) => files.get(key) };
  return { env: { disk } as unknown as NodeEnv, state: { cb: newDurableCallbacks() } as unknown as LspState };
}

const roundTrip = (entry: DatastoreEntry) => {
  const { env, state } = fakeNode();
  writeActive(state, env, entry);
  const read = readActive(env, entry.scid)!;
  const parsed = JSON.parse(JSON.stringify(entry));
  expect(read).toEqual(parsed);
  expect(JSON.stringify(read)).toBe(JSON.stringify(parsed));
  expect(Object.keys(read)).toEqual(Object.keys(parsed));
  expect(Object.isFrozen(read)).toBe(true);
  return read;
};

describe('lsps2 datastore: the entry written is the entry read', () => {
  it('reads back the defined members, in order, frozen', () => {
    roundTrip({ scid: 'memo-1x1', hash: 'h1' });
    const read = roundTrip({ scid: 'memo-1x2', hash: 'h2', channel: undefined, funding: 'f', preimage: undefined, broadcastTxid: 't' });
    expect('channel' in read).toBe(false);
    // Another key order in the entry is kept, as the text keeps it.
    roundTrip({ preimage: 'p', hash: 'h3', scid: 'memo-1x3' } as DatastoreEntry);
  });

  it('leaves entries with other members to the real decode', () => {
    const { env, state } = fakeNode();
    writeActive(state, env, { scid: 'memo-2x1', hash: 'h', channel: 7 } as unknown as DatastoreEntry);
    expect(readActive(env, 'memo-2x1')).toBeUndefined();
    writeActive(state, env, { scid: 'memo-2x2', hash: 'h', extra: 3 } as unknown as DatastoreEntry);
    expect(readActive(env, 'memo-2x2')).toEqual({ scid: 'memo-2x2', hash: 'h', extra: 3 });
  });
});
