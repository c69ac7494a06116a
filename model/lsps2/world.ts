// Builds an LSPS2 world for the kernel: payer P, LSP L and client C, their
// options, the LSP's wallet coins and this slice's checkers. Scenarios choose
// the knobs and the workload; this file only assembles.
import type { Tx } from '../../sim/chain.ts';
import type { FaultProfile } from '../../sim/faults.ts';
import type { SimSpec } from '../../sim/runner.ts';
import type { Checker, ScheduledCommand, Timing } from '../../sim/world.ts';
import type { Choices } from '../../sim/choices.ts';
import { noDoubleFunding, NAME as NO_DOUBLE_FUNDING } from './invariants/no-double-funding.ts';
import { fundingBroadcastAfterSettle, NAME as FUNDING_AFTER_SETTLE } from './invariants/funding-broadcast-after-settle.ts';
import { paymentFeeCorrect, NAME as FEE_CORRECT } from './invariants/payment-fee-correct.ts';
import { failureCodeCorrect, NAME as CODE_CORRECT } from './invariants/failure-code-correct.ts';
import { liveness, NAME as LIVENESS } from './invariants/liveness.ts';
import { noLostHtlc, NAME as NO_LOST_HTLC } from './invariants/no-lost-htlc.ts';
import { DEFAULT_ROLES } from './invariants/roles.ts';
import { ACTIVE_PREFIX } from './lsp/datastore.ts';
import { lspNode } from './lsp/node.ts';
import type { LspOptions } from './lsp/state.ts';
import { clientNode, type ClientOptions } from './nodes/client.ts';
import { payerNode, type PayerOptions } from './nodes/payer.ts';

/**
 * Checkers in the order their end-of-run judgements are made (safety checks
 * fire as they happen, whatever the order). Liveness first: a run that did not
 * converge is reported as such, before the consequences other checkers see in
 * the unfinished state.
 */
export const LSPS2_INVARIANTS = [LIVENESS, NO_DOUBLE_FUNDING, FUNDING_AFTER_SETTLE, FEE_CORRECT, CODE_CORRECT, NO_LOST_HTLC] as const;

export function lsps2Checkers(): Checker[] {
  const roles = DEFAULT_ROLES;
  return [liveness(roles), noDoubleFunding(roles), fundingBroadcastAfterSettle(roles), paymentFeeCorrect(roles), failureCodeCorrect(roles), noLostHtlc(roles)];
}

export const WALLET_SCRIPT = 'lsp-wallet';
export const WALLET_TX = 'genesis-lsp-wallet';

export interface Lsps2WorldOptions {
  readonly lsp: Omit<LspOptions, 'client' | 'incoming' | 'walletScript' | 'walletTxids' | 'bugs'>;
  readonly payer: Omit<PayerOptions, 'lsp' | 'client' | 'channels'>;
  readonly client: Omit<ClientOptions, 'lsp' | 'payer'>;
  /** Datastore entries an older plugin version left on the LSP's disk before the run (recovery meets them first). */
  readonly legacyEntries: readonly string[];
  /** Wallet coins of the LSP, in sat. */
  readonly coinsSat: readonly number[];
  readonly timing: Timing;
  readonly faults: FaultProfile;
  /** The client's buy commands, drawn from the workload stream. */
  workload(choices: Choices): ScheduledCommand[];
  readonly maxEvents: number;
}

export const PAYER_CHANNELS = ['1x1x0', '1x2x0'] as const;

export function lsps2Spec(options: Lsps2WorldOptions, bugs: ReadonlySet<string>): SimSpec {
  const { payer: P, lsp: L, client: C } = DEFAULT_ROLES;
  const wallet: Tx = { txid: WALLET_TX, inputs: [], outputs: options.coinsSat.map((value) => ({ value, script: WALLET_SCRIPT })), label: 'genesis' };
  return {
    nodes: [
      { id: P, behaviour: payerNode({ ...options.payer, lsp: L, client: C, channels: PAYER_CHANNELS }) },
      {
        id: L,
        behaviour: lspNode({ ...options.lsp, client: C, incoming: PAYER_CHANNELS.map((scid) => ({ scid, peer: P })), walletScript: WALLET_SCRIPT, walletTxids: [WALLET_TX], bugs }),
        disk: Object.fromEntries(options.legacyEntries.map((text, i) => [`${ACTIVE_PREFIX}0-legacy-${i}`, text])),
      },
      { id: C, behaviour: clientNode({ ...options.client, lsp: L, payer: P }) },
    ],
    links: [
      [P, L],
      [L, C],
      [C, P],
    ],
    genesis: [wallet],
    timing: options.timing,
    faults: options.faults,
    swarm: true,
    checkers: lsps2Checkers,
    workload: options.workload,
    maxEvents: options.maxEvents,
  };
}
