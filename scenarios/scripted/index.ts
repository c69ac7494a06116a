// Scripted scenarios: rust-lightning functional tests' interleavings, written as steps.
import type { Scenario } from '../scenario.ts';
import { claimEventNeverHandled } from './claim-event-never-handled.ts';
import { claimToClosedChannel } from './claim-to-closed-channel.ts';
import { forwardRestartReplay } from './forward-restart-replay.ts';
import { invertedMonCompletion } from './inverted-mon-completion.ts';
import { partialClaim } from './partial-claim.ts';

export const scenarios: readonly Scenario[] = [invertedMonCompletion, claimEventNeverHandled, partialClaim, claimToClosedChannel, forwardRestartReplay];
