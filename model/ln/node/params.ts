// The node's protocol timing and its background processor's pace, with the defaults scenarios start from.
import { DEFAULT_APPLICATION_PACE, type ApplicationPace } from '../../application.ts';
import * as open from '../open.ts';

/** Protocol timing of a node, in blocks, and its background processor's pace. */
export interface LnParams extends open.OpeningParams, ApplicationPace {
  /** CLTV delta a sender gives the final hop over the current height. */
  readonly cltvDelta: number;
  /** CLTV delta each forwarding hop adds. */
  readonly forwardDelta: number;
  /** A receiver fails back an unclaimed HTLC this many blocks before its expiry; a forwarder refuses to forward this close to it. */
  readonly failBackBefore: number;
  /** A receiver that revealed the preimage goes on-chain this many blocks before expiry if the peer has not settled. */
  readonly claimOnChainBefore: number;
  /** An offerer force-closes this many blocks before expiry of an HTLC the peer has not settled. */
  readonly timeoutBefore: number;
  /** Stored monitor updates before the monitor is rewritten as one snapshot. */
  readonly consolidateAfter: number;
  /**
   * Confirmations every spend a closed channel's monitor watched must have before the monitor is archived (LDK waits
   * about 4032 blocks; our runs last about 130, and the chain never reorganizes).
   */
  readonly archiveDepth: number;
}

// Margins exceed the largest block burst (6) plus a restart, as LDK's CLTV_CLAIM_BUFFER exceeds a typical outage.
export const DEFAULT_PARAMS: LnParams = {
  cltvDelta: 36,
  forwardDelta: 28,
  failBackBefore: 16,
  claimOnChainBefore: 12,
  timeoutBefore: 2,
  ...DEFAULT_APPLICATION_PACE,
  consolidateAfter: 8,
  fundingDepth: 3,
  // Long enough that a fundee seldom gives up on a funder whose first write is merely stalled; if it does, the funder's
  // channel_ready meets an error and it force-closes the funded channel, its funds safe in its monitor.
  fundingTimeout: 48,
  negotiationTimeout: 6,
  archiveDepth: 6,
};

/**
 * A node's parameters: the defaults, with `overrides`' own members in their place. The same as
 * `{ ...DEFAULT_PARAMS, ...overrides }` (same members, same order) but always one hidden class: V8 builds a spread's
 * result in one of two layouts (its first ones by a slow path), and every function reading node.params then meets
 * both and is deoptimised.
 */
export function lnParams(overrides: Partial<LnParams> = {}): LnParams {
  const pick = <K extends keyof LnParams>(key: K): LnParams[K] => (Object.hasOwn(overrides, key) ? overrides[key]! : DEFAULT_PARAMS[key]);
  return {
    cltvDelta: pick('cltvDelta'),
    forwardDelta: pick('forwardDelta'),
    failBackBefore: pick('failBackBefore'),
    claimOnChainBefore: pick('claimOnChainBefore'),
    timeoutBefore: pick('timeoutBefore'),
    backgroundDelay: pick('backgroundDelay'),
    backgroundJitter: pick('backgroundJitter'),
    refuseOneIn: pick('refuseOneIn'),
    consolidateAfter: pick('consolidateAfter'),
    fundingDepth: pick('fundingDepth'),
    fundingTimeout: pick('fundingTimeout'),
    negotiationTimeout: pick('negotiationTimeout'),
    archiveDepth: pick('archiveDepth'),
  };
}
