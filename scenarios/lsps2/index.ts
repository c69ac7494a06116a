import type { Scenario } from '../scenario.ts';
import { expiry } from './expiry.ts';
import { jitMpp } from './jit-mpp.ts';
import { recovery } from './recovery.ts';

export const scenarios: readonly Scenario[] = [jitMpp, recovery, expiry];
