import type { Scenario } from '../scenario.ts';
import { claimEventRestart } from './claim-event.ts';
import { coopCloseInflight } from './coop-close.ts';
import { claimOnClosedChannel, forwardAsyncPersist, mppClaimRestart, sameHashReplay, senderRestart } from './forwarding.ts';
import { twoNodePayments } from './two-node.ts';

export const scenarios: readonly Scenario[] = [twoNodePayments, forwardAsyncPersist, mppClaimRestart, claimOnClosedChannel, senderRestart, sameHashReplay, coopCloseInflight, claimEventRestart];
