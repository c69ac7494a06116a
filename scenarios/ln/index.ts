import type { Scenario } from '../scenario.ts';
import { twoNodePayments } from './two-node.ts';

export const scenarios: readonly Scenario[] = [twoNodePayments];
