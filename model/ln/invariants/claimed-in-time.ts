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
import type { Checker } from '../../../sim/world.ts';

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
  /** When the whole claim became durable. */
  since: number | undefined;
}

/** Drop the claims `gone` picks, in place, keeping the others' order. */
function dropClaims(claims: Claim[], gone: (c: Claim) => boolean): void {
  let kept = 0;
  for (let i = 0; i < claims.length; i++) if (!gone(claims[i])) claims[kept++] = claims[i];
  claims.length = kept;
}

/** Every part channel has its preimage update, and all of them are complete. */
function wholeClaimDurable(c: Claim): boolean {
  for (const id of c.parts.values()) if (id === undefined) return false;
  return c.durable.size === c.parts.size;
}

export function claimedInTime(): Checker {
  const claims: Claim[] = [];
  return {
    name: NAME,
    kinds: ['crash', 'claim', 'monitor-update', 'monitor-completed', 'event', 'block'],
    onRecord(r, world) {
      const node = r.n;
      // Most records find no claim owed: nothing to read.
      if (r.k !== 'claim' && claims.length === 0) return undefined;
      switch (r.k) {
        case 'crash':
          if (node) dropClaims(claims, (c) => c.node === node);
          return undefined;
        case 'claim': {
          if (!node) return undefined;
          const hash = r.d!.hash as string;
          let c = claims.find((x) => x.node === node && x.hash === hash);
          if (!c) claims.push((c = { node, hash, parts: new Map(), durable: new Set(), since: undefined }));
          const htlcs = r.d!.htlcs as readonly string[];
          for (let i = 0; i < htlcs.length; i++) {
            const h = htlcs[i];
            const channel = h.slice(0, h.lastIndexOf('#'));
            if (!c.parts.has(channel)) c.parts.set(channel, undefined);
          }
          c.since = undefined;
          return undefined;
        }
        case 'monitor-update': {
          if (!node || r.d!.kind !== 'preimage') return undefined;
          const channel = r.d!.channel as string;
          for (const c of claims) {
            if (c.node !== node || c.hash !== r.d!.hash || !c.parts.has(channel)) continue;
            c.parts.set(channel, r.d!.id as number);
            c.durable.delete(channel);
            c.since = undefined;
          }
          return undefined;
        }
        case 'monitor-completed': {
          if (!node) return undefined;
          const channel = r.d!.channel as string;
          for (const c of claims) {
            const id = c.parts.get(channel);
            if (c.node !== node || id === undefined || (r.d!.id as number) < id) continue;
            c.durable.add(channel);
            if (c.since === undefined && wholeClaimDurable(c)) c.since = world.now;
          }
          return undefined;
        }
        case 'event':
          if (node && r.d!.type === 'PaymentClaimed') {
            const hash = r.d!.hash;
            dropClaims(claims, (c) => c.node === node && c.hash === hash);
          }
          return undefined;
        case 'block': {
          const bound = CLAIMED_WITHIN_BLOCKS * world.timing.blockInterval;
          for (const c of claims) {
            if (c.since === undefined || world.now - c.since < bound) continue;
            const state = world.state<{ refused?: string }>(c.node);
            if (!state || state.refused) continue;
            return `${c.node}'s claim of ${c.hash.slice(0, 12)}… has been durable in every part's monitor since t=${c.since}, but the node still has not raised PaymentClaimed at t=${world.now}`;
          }
          return undefined;
        }
      }
      return undefined;
    },
  };
}
