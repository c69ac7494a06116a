import type { Scenario } from '../scenario.ts';
import { lsps2Spec, LSPS2_INVARIANTS } from '../../model/lsps2/world.ts';
import { DEFAULT_OPTIONS, LSPS2_FAULTS, purchasesWorkload } from './common.ts';

export const recovery: Scenario = {
  name: 'lsps2-recovery',
  description:
    'The JIT-channel flow of lsps2-jit-mpp on an LSP that crashes often (and whose datastore still holds an entry an older plugin version wrote, which this version cannot decode): crashes land between funding the withheld channel and recording it, between the datastore writes of finalize, between forwarding and settling. Each restart runs recovery entry by entry (the bad entry is skipped), scans for orphaned withheld channels, then replays the held HTLCs into the recovered sessions. Checks that no purchase is funded twice, that a settled payment is always broadcast, and that recovery converges.',
  invariants: LSPS2_INVARIANTS,
  inDefaultMix: true,
  build: (bugs) =>
    lsps2Spec(
      {
        ...DEFAULT_OPTIONS,
        legacyEntries: ['{"scid":"0x0x0","hash":'],
        faults: { ...LSPS2_FAULTS, crash: [0.005, 0.03] },
        workload: purchasesWorkload(0.2),
      },
      bugs,
    ),
};
