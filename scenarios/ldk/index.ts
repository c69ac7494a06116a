import type { Scenario } from '../scenario.ts';
import { ldkClaimEventRestart, ldkForwardAsyncPersist, ldkForwardCloseHeld, ldkMppClaimRestart } from './forwarding.ts';
import { ldkTwoNodePayments } from './two-node.ts';

export const scenarios: readonly Scenario[] = [ldkTwoNodePayments, ldkForwardAsyncPersist, ldkMppClaimRestart, ldkClaimEventRestart, ldkForwardCloseHeld];
