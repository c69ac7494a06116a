import type { Scenario } from '../scenario.ts';
import { ldkTwoNodePayments } from './two-node.ts';

export const scenarios: readonly Scenario[] = [ldkTwoNodePayments];
