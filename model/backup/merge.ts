// The swapper's rules as pure functions: which channel events it acts on, how
// an input changes its memory, and what file an update writes (what is on disk,
// overlaid by memory, minus the channels this input closed). Planted bugs
// lnd-scb-pending, lnd-scb-localforce, lnd-scb-wipe and lnd-scb-stale deviate here.
import type { StaticBackup } from './backup-file.ts';
import { SCB_LOCALFORCE, SCB_PENDING, SCB_STALE, SCB_WIPE, type Bugs } from './bugs.ts';
import type { ChannelEvent, LiveChannel } from './channel-events.ts';

/** One unit of work of the swapper's serial loop. */
export type SwapperInput =
  /** The start-up refresh of the file (before the loop begins). */
  | { readonly kind: 'start' }
  | { readonly kind: 'opened'; readonly backup: StaticBackup }
  | { readonly kind: 'closed'; readonly chan: string }
  /** Manual upsert of backups (new or known channels). */
  | { readonly kind: 'upsert'; readonly backups: readonly StaticBackup[] };

/** The input a channel event becomes, or undefined when the swapper ignores it. */
export function inputForEvent(event: ChannelEvent, bugs: Bugs): SwapperInput | undefined {
  switch (event.kind) {
    case 'pending-open':
      return bugs.has(SCB_PENDING) ? undefined : { kind: 'opened', backup: event.backup };
    case 'open':
      return { kind: 'opened', backup: event.backup };
    case 'close':
      // Our force-close confirmed: our funds stay timelocked until the sweep, so the channel stays.
      if (event.close === 'local-force-confirmed' && !bugs.has(SCB_LOCALFORCE)) return undefined;
      return { kind: 'closed', chan: event.chan };
  }
}

/** The swapper's memory at start: every channel in the database, pending ones included. */
export function startingSet(channels: readonly LiveChannel[], bugs: Bugs): Map<string, StaticBackup> {
  const memory = new Map<string, StaticBackup>();
  for (const c of channels) if (!(c.pending && bugs.has(SCB_PENDING))) memory.set(c.backup.chan, c.backup);
  return memory;
}

/** Update memory with an input (in place); returns the channels the input closed. */
export function applyInput(memory: Map<string, StaticBackup>, input: SwapperInput): string[] {
  switch (input.kind) {
    case 'start':
      return [];
    case 'opened':
      memory.set(input.backup.chan, input.backup);
      return [];
    case 'closed':
      memory.delete(input.chan);
      return [input.chan];
    case 'upsert':
      for (const b of input.backups) memory.set(b.chan, b);
      return [];
  }
}

/**
 * The set an update writes: the backups on disk, overlaid by memory (memory
 * wins), minus the channels this input closed. Never smaller than that union.
 */
export function combine(disk: readonly StaticBackup[], memory: ReadonlyMap<string, StaticBackup>, closed: readonly string[], bugs: Bugs): StaticBackup[] {
  const combined = new Map<string, StaticBackup>();
  if (!bugs.has(SCB_WIPE)) for (const b of disk) combined.set(b.chan, b);
  // lnd-scb-stale: what is on disk is kept over memory's newer copy.
  for (const [chan, b] of memory) if (!(bugs.has(SCB_STALE) && combined.has(chan))) combined.set(chan, b);
  for (const chan of closed) combined.delete(chan);
  return [...combined.values()].sort((a, b) => (a.chan < b.chan ? -1 : a.chan > b.chan ? 1 : 0));
}
