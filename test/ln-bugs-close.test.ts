import { describe, expect, it } from 'vitest';
import { sweep } from '../api.ts';
import { coopCloseInflight } from '../scenarios/ln/coop-close.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { bugIsCaught, LN_BUG_FILES } from './ln-bug-sweeps.ts';

describe('Lightning planted bugs (cooperative close, message dispatch)', () => {
  for (const id of LN_BUG_FILES['ln-bugs-close']) bugIsCaught(id);

  // DESIGN 5.3 also names no-unrequested-force-close for lnd-8393: with per-channel-order out of the way, the
  // reordered shutdown makes the peer's earlier update_add_htlc arrive "while flushing", a protocol error that force-closes.
  it('lnd-8393 without the per-channel-order checker shows as an add-while-flushing force-close', () => {
    const withoutOrder: Scenario = {
      ...coopCloseInflight,
      build: (bugs) => {
        const spec = coopCloseInflight.build(bugs);
        return { ...spec, checkers: () => spec.checkers().filter((c) => c.name !== 'per-channel-order') };
      },
    };
    const result = sweep({ scenarios: [withoutOrder], seeds: 5000, bugs: ['lnd-8393'], stopOnFirst: true });
    const first = result.failures[0];
    expect(first, 'lnd-8393 never force-closed in 5000 seeds').toBeDefined();
    expect(`${first.violation!.invariant}: ${first.violation!.message}`).toMatch(/^no-unrequested-force-close: .*add while flushing/);
  });
});
