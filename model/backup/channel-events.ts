// What the backup swapper learns from the channel database: the seam between
// the two. In this slice the events come from the small channel database in
// channel-db.ts; a later integration publishes the same events from the full
// channel model in model/ln (funding flow, closer, chain arbitrator) instead,
// and the swapper does not change.
import type { StaticBackup } from './backup-file.ts';

/**
 * How a channel left the open state.
 * - coop: the cooperative close transaction confirmed.
 * - remote-force: the peer's commitment confirmed; our output is ours at once.
 * - local-force-confirmed: our commitment confirmed; our output is timelocked until the sweep.
 * - local-force-resolved: the sweep of our timelocked output confirmed.
 */
export type CloseKind = 'coop' | 'remote-force' | 'local-force-confirmed' | 'local-force-resolved';

export type ChannelEvent =
  /** Funding broadcast, channel persisted, not yet confirmed. */
  | { readonly kind: 'pending-open'; readonly backup: StaticBackup }
  /** Funding confirmed to the minimum depth. */
  | { readonly kind: 'open'; readonly backup: StaticBackup }
  | { readonly kind: 'close'; readonly chan: string; readonly close: CloseKind };

/** A channel as the database lists it to a subscriber starting up. */
export interface LiveChannel {
  readonly backup: StaticBackup;
  /** Funding not yet confirmed to the minimum depth. */
  readonly pending: boolean;
}

/** What the swapper needs from a channel database. */
export interface ChannelSource {
  /** Channels in the database now (pending, open, and closed but not fully resolved). */
  liveChannels(): LiveChannel[];
  /** Receive every later event (one subscriber). */
  subscribe(listener: (event: ChannelEvent) => void): void;
}
