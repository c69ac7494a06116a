import type { Scenario } from '../scenario.ts';
import { backupChurn } from './backup-churn.ts';

export const scenarios: readonly Scenario[] = [backupChurn];
