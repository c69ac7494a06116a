import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, lnParams } from '../model/ln/node/params.ts';

describe('lnParams', () => {
  it('is the spread of the defaults and the overrides: same members, same values, same order', () => {
    for (const overrides of [undefined, {}, { cltvDelta: 40 }, { archiveDepth: 9, backgroundDelay: 0, refuseOneIn: 0 }, { timeoutBefore: undefined }]) {
      const spread = { ...DEFAULT_PARAMS, ...overrides };
      const built = lnParams(overrides);
      expect(Object.entries(built)).toEqual(Object.entries(spread));
    }
  });
});
