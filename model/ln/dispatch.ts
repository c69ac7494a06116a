// Peer message dispatch inside a node (DESIGN 3.6). The transport delivers a
// peer's messages in order; the node routes each to the subsystem that owns
// it: commitment updates to the channel's link, `shutdown`/`closing_signed`
// to the closer. The correct node applies every message of a channel at
// once, in wire order (one serial queue per channel). The lnd-8393 node
// instead gives each subsystem its own queue, drained independently: which
// queue runs next is scheduler nondeterminism (`pick`), so a `shutdown` can
// take effect before an `update_add_htlc` that preceded it on the wire.
import type { Message } from '../../sim/node.ts';

export type Subsystem = 'link' | 'closer';

/** Which subsystem owns a channel message. */
export function subsystemOf(type: string): Subsystem {
  return type === 'shutdown' || type === 'closing_signed' ? 'closer' : 'link';
}

/** One channel's independent subsystem queues (lnd-8393 only), each in arrival order. */
export interface FanOut {
  readonly queues: Record<Subsystem, Message[]>;
  /** A drain of these queues is scheduled. */
  scheduled: boolean;
}

export function newFanOut(): FanOut {
  return { queues: { link: [], closer: [] }, scheduled: false };
}

/** Ticks between a message landing in a subsystem queue and that queue's goroutine running. */
export const FANOUT_DELAY = 2;

/**
 * The next message to apply: the head of one non-empty queue. With both
 * queues non-empty the scheduler picks (0 = link, the one that usually runs first).
 */
export function nextFromFanOut(f: FanOut, pick: (n: number, label: string) => number, label: string): Message | undefined {
  const ready = (['link', 'closer'] as const).filter((s) => f.queues[s].length > 0);
  if (ready.length === 0) return undefined;
  const chosen = ready.length === 1 ? ready[0] : ready[pick(ready.length, label)];
  return f.queues[chosen].shift();
}
