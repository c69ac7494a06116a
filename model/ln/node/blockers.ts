// RAA-blocking actions: a channel may not release a revocation (which prunes a preimage) until what it waits for is
// durable or handled. Each blocker can be forgotten by its planted bug, named where it is added.
import type { Blocker, Channel } from '../types.ts';
import { type LnNode, type LnState, updateInFlight } from './state.ts';
import { append } from '../packed.ts';

/** Add a blocker unless the planted bug that forgets it is on. */
export function addBlocker(node: LnNode, ch: Channel | undefined, blocker: Blocker, skippedBy: string): void {
  if (!ch || node.bugs.has(skippedBy)) return;
  if (ch.blockers.some((b) => describeBlocker(b) === describeBlocker(blocker))) return;
  ch.blockers = append(ch.blockers, blockerRecord(blocker));
}

/** Members of every kind of blocker, in the order each kind's literal gives its own. */
interface AnyBlocker {
  readonly kind: Blocker['kind'];
  readonly channel?: string;
  readonly updateId?: number;
  readonly hash?: string;
  readonly seq?: number;
}

/**
 * The blocker as one record for every kind (members of other kinds undefined: invisible to JSON and to the trace
 * encoder), so blockerResolved and describeBlocker meet one hidden class instead of one per kind. Same data.
 */
function blockerRecord(blocker: Blocker): Blocker {
  const b = blocker as AnyBlocker;
  return { kind: b.kind, channel: b.channel, updateId: b.updateId, hash: b.hash, seq: b.seq } as Blocker;
}

export function blockerResolved(state: LnState, b: Blocker): boolean {
  switch (b.kind) {
    case 'upstream-claim':
      return !updateInFlight(state, b.channel, b.updateId);
    case 'mpp-claim': {
      const p = state.mgr.claimable.find((c) => c.hash === b.hash);
      return p === undefined || p.pendingPreimage.length === 0;
    }
    case 'event':
      // Handled, and a durable manager write says so: a restart will not replay it.
      return !state.mgr.events.some((e) => e.seq === b.seq) && (b.seq <= state.durableEventFloor || state.durablyHandled.includes(b.seq));
  }
}

/** unresolvedBlockers(state, ch).length > 0, without building the list (asked at every revocation). */
export function anyUnresolvedBlocker(state: LnState, ch: Channel): boolean {
  const blockers = ch.blockers;
  for (let i = 0; i < blockers.length; i++) if (!blockerResolved(state, blockers[i])) return true;
  return false;
}

export function unresolvedBlockers(state: LnState, ch: Channel): Blocker[] {
  return ch.blockers.filter((b) => !blockerResolved(state, b));
}

export function describeBlocker(b: Blocker): string {
  switch (b.kind) {
    case 'upstream-claim':
      return `upstream-claim ${b.channel}#${b.updateId}`;
    case 'mpp-claim':
      return `mpp-claim ${b.hash.slice(0, 8)}`;
    case 'event':
      return `event ${b.seq}`;
  }
}
