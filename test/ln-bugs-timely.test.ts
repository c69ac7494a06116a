import { describe } from 'vitest';
import { bugIsCaught, LN_BUG_FILES } from './ln-bug-sweeps.ts';

describe('Lightning planted bugs (timeliness)', () => {
  for (const id of LN_BUG_FILES['ln-bugs-timely']) bugIsCaught(id);
});
