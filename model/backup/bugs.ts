// Ids of the planted bugs of the static channel backup model (DESIGN 5.3).
// Each guards one small deviation, switched on with `bugs.has(id)`.

/** Backup rewritten in place (multi-part write) instead of temp file + atomic rename. */
export const SCB_INPLACE = 'lnd-scb-inplace';
/** File written from memory only, not unioned with what is on disk. */
export const SCB_WIPE = 'lnd-scb-wipe';
/** Pending-open channels are not written. */
export const SCB_PENDING = 'lnd-scb-pending';
/** A channel is removed when our force-close confirms, though its funds stay timelocked. */
export const SCB_LOCALFORCE = 'lnd-scb-localforce';
/** The file on disk wins over memory when they are unioned: a channel's newer backup (an upsert) never replaces the old entry. */
export const SCB_STALE = 'lnd-scb-stale';
/** Channels read at start before subscribing to channel events. */
export const SCB_WINDOW = 'lnd-scb-window';

export type Bugs = ReadonlySet<string>;
