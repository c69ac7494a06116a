// claimed-in-time: once a claim is durable, the node raises PaymentClaimed
// (queues it for the application) within CLAIMED_WITHIN_BLOCKS blocks' worth
// of time. How fast the application then handles it is its own pace (a
// scenario may make it slow on purpose); raising it is the node's job. "Durable":
// for every part channel of the claim, the node's monitor reported every
// update up to that channel's preimage update complete (`monitor-completed`
// with an id at least the preimage update's). Eventually is not enough: the
// application (an invoice system, a merchant) waits on it, and the channel's
// next revocation is held until it is handled.
//
// Oracles: the `claim` record (which HTLCs), the `monitor-update` records of
// kind preimage (with their hash and id) and the `monitor-completed` records,
// and the node's `event` record of PaymentClaimed; a crash drops what is owed (the
// restart's replay starts over and is judged again).
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';

export const NAME = 'claimed-in-time';
export const DESCRIPTION =
  'Once every part of a claim is durably in the monitors, the node raises PaymentClaimed for its application within a bounded time (a few blocks), not merely eventually.';

/** How long, in blocks' worth of ticks, PaymentClaimed may take once the claim is durable. */
export const CLAIMED_WITHIN_BLOCKS = 3;

interface Claim {
  readonly node: string;
  readonly hash: string;
  /** Part channel → the id of its preimage update for this hash (undefined: none seen yet). */
  readonly parts: Map<string, number | undefined>;
  /** Part channels whose updates up to the preimage update are complete. */
  readonly durable: Set<string>;
  /** When the whole claim became durable; NOT_YET: not (a number from birth: the field keeps one representation). */
  since: number;
}

const NOT_YET = -1;

/** Every part channel has its preimage update, and all of them are complete. */
function wholeClaimDurable(c: Claim): boolean {
  for (const id of c.parts.values()) if (id === undefined) return false;
  return c.durable.size === c.parts.size;
}

export function claimedInTime(): Checker {
  return new ClaimedInTime();
}

/**
 * A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance).
 * One method per record kind: only the hot ones get compiled.
 */
class ClaimedInTime implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly claims: Claim[];

  constructor() {
    this.name = NAME;
    this.kinds = ['crash', 'claim', 'monitor-update', 'monitor-completed', 'event', 'block'];
    this.claims = [];
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    const node = r.n;
    // Most records find no claim owed: nothing to read.
    if (r.k !== 'claim' && this.claims.length === 0) return undefined;
    switch (r.k) {
      case 'crash':
        if (node) this.drop(node, false, undefined);
        return undefined;
      case 'claim':
        return node ? this.claim(node, r.d!.hash as string, r.d!.htlcs as readonly string[]) : undefined;
      case 'monitor-update':
        return node && r.d!.kind === 'preimage' ? this.preimageUpdate(node, r.d!) : undefined;
      case 'monitor-completed':
        return node ? this.completed(world, node, r.d!.channel as string, r.d!.id as number) : undefined;
      case 'event':
        if (node && r.d!.type === 'PaymentClaimed') this.drop(node, true, r.d!.hash);
        return undefined;
      case 'block':
        return this.block(world);
    }
    return undefined;
  }

  /** Drop the node's claims (`ofHash`: those of `hash` only), in place, keeping the others' order. */
  private drop(node: string, ofHash: boolean, hash: unknown): void {
    const claims = this.claims;
    let kept = 0;
    for (let i = 0; i < claims.length; i++) {
      const c = claims[i];
      if (!(c.node === node && (!ofHash || c.hash === hash))) claims[kept++] = c;
    }
    claims.length = kept;
  }

  private claim(node: string, hash: string, htlcs: readonly string[]): undefined {
    const claims = this.claims;
    let c: Claim | undefined;
    for (let i = 0; i < claims.length && c === undefined; i++) if (claims[i].node === node && claims[i].hash === hash) c = claims[i];
    if (!c) claims.push((c = { node, hash, parts: new Map(), durable: new Set(), since: NOT_YET }));
    for (let i = 0; i < htlcs.length; i++) {
      const h = htlcs[i];
      const channel = h.slice(0, h.lastIndexOf('#'));
      if (!c.parts.has(channel)) c.parts.set(channel, undefined);
    }
    c.since = NOT_YET;
    return undefined;
  }

  private preimageUpdate(node: string, d: Readonly<Record<string, unknown>>): undefined {
    const channel = d.channel as string;
    for (const c of this.claims) {
      if (c.node !== node || c.hash !== d.hash || !c.parts.has(channel)) continue;
      c.parts.set(channel, d.id as number);
      c.durable.delete(channel);
      c.since = NOT_YET;
    }
    return undefined;
  }

  private completed(world: World, node: string, channel: string, completed: number): undefined {
    for (const c of this.claims) {
      const id = c.parts.get(channel);
      if (c.node !== node || id === undefined || completed < id) continue;
      c.durable.add(channel);
      if (c.since === NOT_YET && wholeClaimDurable(c)) c.since = world.now;
    }
    return undefined;
  }

  private block(world: World): string | undefined {
    const bound = CLAIMED_WITHIN_BLOCKS * world.timing.blockInterval;
    for (const c of this.claims) {
      if (c.since === NOT_YET || world.now - c.since < bound) continue;
      const state = world.state<{ refused?: string }>(c.node);
      if (!state || state.refused) continue;
      return `${c.node}'s claim of ${c.hash.slice(0, 12)}… has been durable in every part's monitor since t=${c.since}, but the node still has not raised PaymentClaimed at t=${world.now}`;
    }
    return undefined;
  }
}
