import type { Scenario } from '../scenario.ts';
import { lsps2Spec, LSPS2_INVARIANTS } from '../../model/lsps2/world.ts';
import { DEFAULT_OPTIONS, LSPS2_FAULTS, purchasesWorkload } from './common.ts';

export const expiry: Scenario = {
  name: 'lsps2-expiry',
  description:
    'The JIT-channel flow under time pressure: payments arrive with a short CLTV budget (their expiry is 8 blocks out), offers are valid for only a few hundred seconds, and the client wallet is slow to answer a channel open (up to 15 minutes), so the LSP holds parts while blocks come (and block bursts hit), offers expire while sessions are alive and late parts arrive after valid_until, and the LSP crashes often. Held HTLCs must be failed a safety margin before their expiry, never left for the payer to force-close, and an expired offer must not take a live session down with it.',
  invariants: LSPS2_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    lsps2Spec(
      {
        ...DEFAULT_OPTIONS,
        lsp: { ...DEFAULT_OPTIONS.lsp, offer: { ...DEFAULT_OPTIONS.lsp.offer, policy: { ...DEFAULT_OPTIONS.lsp.offer.policy, validForTicks: 600 } } },
        payer: { ...DEFAULT_OPTIONS.payer, finalCltv: 2 },
        client: { ...DEFAULT_OPTIONS.client, acceptDelayMax: 900 },
        faults: { ...LSPS2_FAULTS, crash: [0.002, 0.02], blockBurst: [0.05, 0.2] },
        workload: purchasesWorkload(0.2),
      },
      bugs,
    ),
};
