import type { Scenario } from '../scenario.ts';
import { lsps2Spec, LSPS2_INVARIANTS } from '../../model/lsps2/world.ts';
import { DEFAULT_OPTIONS, purchasesWorkload } from './common.ts';

export const jitMpp: Scenario = {
  name: 'lsps2-jit-mpp',
  description:
    'A client buys one or two JIT channels from an LSP (lsps2.get_info, lsps2.buy; mostly MPP fixed-amount, sometimes var-amount) and hands the invoices to a payer, who pays them in 1-4 parts over two incoming channels (per-channel HTLC ids collide), sometimes overpaying with an extra part, re-sending failed parts. The LSP collects the parts per payment hash, opens a withheld zero-conf channel, forwards with the opening fee deducted and broadcasts the funding only once the client settles. Sometimes the client puts two invoices on one scid, or re-buys for the same payment hash. Swarm faults (crashes, slow and stalled persists, disconnects, block bursts) then a calm phase: after it every payment and session must have ended.',
  invariants: LSPS2_INVARIANTS,
  inDefaultMix: true,
  // Aimed faults in half the runs: measured in npm run bench's searches section, they catch the
  // session races (a stall or crash aimed at one datastore key) in a third of the seeds.
  build: (bugs) => lsps2Spec({ ...DEFAULT_OPTIONS, faults: { ...DEFAULT_OPTIONS.faults, aim: {} }, workload: purchasesWorkload(0.2) }, bugs),
};
