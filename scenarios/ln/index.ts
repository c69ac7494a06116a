import type { Scenario } from '../scenario.ts';
import { channelOpenRestart } from './channel-open.ts';
import { cheatingPeer } from './cheating.ts';
import { claimEventRestart } from './claim-event.ts';
import { closedChannelClaim } from './closed-claim.ts';
import { mppPartPrune } from './mpp-prune.ts';
import { coopCloseInflight } from './coop-close.ts';
import { claimOnClosedChannel, forwardAsyncPersist, forwardCloseHeld, mppClaimRestart, onchainClaimArchive, sameHashReplay, senderRestart } from './forwarding.ts';
import { twoNodePayments } from './two-node.ts';

export const scenarios: readonly Scenario[] = [twoNodePayments, forwardAsyncPersist, mppClaimRestart, claimOnClosedChannel, senderRestart, sameHashReplay, coopCloseInflight, forwardCloseHeld, onchainClaimArchive, channelOpenRestart, claimEventRestart, closedChannelClaim, mppPartPrune, cheatingPeer];
