// Archiving fully resolved monitors (as LDK's archive_fully_resolved_channel_monitors):
// once a closed channel's monitor has nothing left to claim, every spend it
// watched is buried, and nothing it knows is still needed elsewhere, its keys
// move to the archive namespace: a restart no longer loads it and the node
// stops watching it. The archive record is the commit point: a restart that
// finds it treats the channel as settled and removes any live copy left over.
import type { ChainView } from '../../sim/node.ts';
import type { Monitor } from './types.ts';
import { packedMap } from './packed.ts';

export const ARCHIVE_PREFIX = 'archive/';

export function archiveKey(channel: string): string {
  return `${ARCHIVE_PREFIX}${channel}`;
}

/** Channels whose monitor was archived. */
export function archivedChannels(keys: (prefix: string) => string[]): string[] {
  return packedMap(keys(ARCHIVE_PREFIX), (k) => k.slice(ARCHIVE_PREFIX.length));
}

/**
 * Confirmations of the most recent transaction the monitor watched (the closing transaction, or the confirmed
 * commitment and every spend of its outputs), once all of them confirmed; undefined while anything is unspent.
 */
export function settledDepth(m: Monitor, chain: ChainView): number | undefined {
  const spender = chain.spender(m.funding);
  if (spender === undefined) return undefined;
  const closing = chain.confirmedTx(spender)!;
  let depth = chain.confirmations(spender);
  if (closing.label === 'closing') return depth;
  for (let vout = 0; vout < closing.outputs.length; vout++) {
    const sweep = chain.spender({ txid: closing.txid, vout });
    if (sweep === undefined) return undefined;
    depth = Math.min(depth, chain.confirmations(sweep));
  }
  return depth;
}

/** What decides whether a monitor may be archived now. */
export interface ArchiveCheck {
  /** The channel closed: a force-close was applied, or a cooperative closing transaction signed. */
  readonly closed: boolean;
  /** From settledDepth: undefined while something is left to claim. */
  readonly settledDepth: number | undefined;
  /** Monitor writes of the channel (updates, snapshots) not yet durable, or channel updates still held or in flight. */
  readonly writesPending: boolean;
  /** Monitor events the manager processed whose effect is not yet durable. */
  readonly pendingEvents: number;
}

/** DESIGN 3.2: archived only when nothing is left to claim, all of it buried `depth` deep, and no pending monitor event remains. */
export function fullyResolved(check: ArchiveCheck, depth: number): boolean {
  return check.closed && check.settledDepth !== undefined && check.settledDepth >= depth && !check.writesPending && check.pendingEvents === 0;
}
