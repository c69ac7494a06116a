import { describe } from 'vitest';
import { bugIsCaught, LN_BUG_FILES } from './ln-bug-sweeps.ts';

describe('Lightning planted bugs (penalty: the adversarial counterparty)', () => {
  for (const id of LN_BUG_FILES['ln-bugs-penalty']) bugIsCaught(id);
});
