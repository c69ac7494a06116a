// Planted bugs and invariants of the LSPS2 JIT-channel slice (DESIGN 3.5, 5.2).
// Each bug names the invariant that catches it first in its scenario. Two
// differ from DESIGN 5.2's table, because in this model the loss they cause
// shows first as a settled payment whose funding is never broadcast:
// cln-recovery-abort (table: no-lost-htlc) and cln-expire-live (table:
// no-double-funding / no-lost-htlc); see the slice's report.
import type { BugEntry, InvariantEntry } from '../catalog.ts';
import { BUG } from './bugs.ts';
import * as noDoubleFunding from './invariants/no-double-funding.ts';
import * as fundingAfterSettle from './invariants/funding-broadcast-after-settle.ts';
import * as feeCorrect from './invariants/payment-fee-correct.ts';
import * as codeCorrect from './invariants/failure-code-correct.ts';
import * as noLostHtlc from './invariants/no-lost-htlc.ts';
import * as liveness from './invariants/liveness.ts';

const PR = 'ElementsProject/lightning#8948';

export const bugs: readonly BugEntry[] = [
  { id: BUG.htlcId, title: 'held-HTLC replies keyed by the bare per-channel HTLC id: MPP parts from two incoming channels with the same id overwrite each other', reference: `${PR} (review: HTLC id ambiguity)`, invariant: noLostHtlc.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 200 },
  { id: BUG.doubleFund, title: 'a part for a hash whose session handle was dropped (after settle/fail, while the session lives) or whose purchase is already funded starts a new session and funds again', reference: `${PR}`, invariant: noDoubleFunding.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 500 },
  { id: BUG.scidFund, title: 'two payment hashes on one JIT scid before the channel is recorded each fund a channel', reference: `${PR}`, invariant: noDoubleFunding.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 500 },
  { id: BUG.scidMismatch, title: 'a part for a known payment hash arriving on another JIT scid is merged into that session', reference: `${PR}`, invariant: feeCorrect.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 2000 },
  { id: BUG.orphanWithheld, title: 'crash between funding the withheld channel and recording it: recovery does not look for orphan channels and a replayed HTLC funds again', reference: `${PR} area (inferred from the upstream recovery code; open upstream)`, invariant: noDoubleFunding.NAME, scenario: 'lsps2-recovery', maxSeeds: 1000 },
  { id: BUG.recoveryAddPart, title: 'a recovered session drops HTLCs replayed after restart; the manager forgets it and the funding is never broadcast though the client settled', reference: `${PR}`, invariant: liveness.NAME, scenario: 'lsps2-recovery', maxSeeds: 3000 },
  { id: BUG.recoveryAbort, title: 'recovery stops at the first bad datastore entry, leaving later sessions unrecovered', reference: `${PR}`, invariant: fundingAfterSettle.NAME, scenario: 'lsps2-recovery', maxSeeds: 1000 },
  { id: BUG.finalizeCreate, title: 'finalize writes must-create: a crash between the write and the delete makes every later finalize fail and the entry is recovered forever', reference: `${PR}`, invariant: liveness.NAME, scenario: 'lsps2-recovery', maxSeeds: 3000 },
  { id: BUG.expireLive, title: 'a late part after valid_until finalizes the active entry of a live, funded session, losing what recovery needs', reference: `${PR}`, invariant: fundingAfterSettle.NAME, scenario: 'lsps2-expiry', maxSeeds: 5000 },
  { id: BUG.cltvLate, title: 'held HTLCs failed only once the tip passed their expiry, not 6 blocks before', reference: `${PR}`, invariant: noLostHtlc.NAME, scenario: 'lsps2-expiry', maxSeeds: 500 },
  { id: BUG.feeOnParts, title: 'opening fee computed on the sum of the parts instead of the agreed payment size: an overpaying payer is overcharged', reference: `${PR}`, invariant: feeCorrect.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 500 },
  { id: BUG.permCode, title: 'unknown_next_peer (permanent) for retryable failures: too many parts, fee allocation, funding failure', reference: `${PR} (review by cdecker)`, invariant: codeCorrect.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 500 },
  { id: BUG.trustFlag, title: 'advertises client_trusts_lsp = false but withholds the funding: the client waits for the funding, the LSP for the preimage', reference: `${PR}`, invariant: liveness.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 200 },
  { id: BUG.feeMinPlus, title: 'the LSP charges min_fee_msat on top of the proportional opening fee instead of taking the larger of the two', reference: 'bLIP-52 "Computing the opening_fee" (fee = max(min_fee_msat, ceil(payment_size_msat * proportional / 1e6))); proves the checker\'s own fee oracle', invariant: feeCorrect.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 200 },
  { id: BUG.cltvMargin, title: 'held HTLCs failed 2 blocks before their expiry instead of the 6-block safety buffer', reference: `${PR} (CLTV_SAFETY_BUFFER = 6)`, invariant: noLostHtlc.NAME, scenario: 'lsps2-expiry', maxSeeds: 1000 },
  { id: BUG.abandonAll, title: 'one failed forward abandons the whole session though the other parts can still settle', reference: `${PR}`, invariant: liveness.NAME, scenario: 'lsps2-jit-mpp', maxSeeds: 1000 },
];

export const invariants: readonly InvariantEntry[] = [noDoubleFunding, fundingAfterSettle, feeCorrect, codeCorrect, noLostHtlc, liveness].map((m) => ({ name: m.NAME, description: m.DESCRIPTION }));
