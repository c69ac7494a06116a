// The scripted scenarios reproduce rust-lightning functional tests'
// interleavings: each holds on the correct model and breaks, with the invariant
// its planted bug's catalog entry names, when that bug removes the behaviour the
// upstream test checks. The script draws nothing, so a handful of seeds proves it.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { findBug } from '../model/index.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { claimEventNeverHandled } from '../scenarios/scripted/claim-event-never-handled.ts';
import { claimToClosedChannel } from '../scenarios/scripted/claim-to-closed-channel.ts';
import { forwardRestartReplay } from '../scenarios/scripted/forward-restart-replay.ts';
import { invertedMonCompletion } from '../scenarios/scripted/inverted-mon-completion.ts';
import { partialClaim } from '../scenarios/scripted/partial-claim.ts';
import { checkScenario, expectViolation } from '../testing.ts';
import sweepExample from '../scenarios/examples/inverted-mon-sweep.ts';

const EXAMPLES: readonly [Scenario, string][] = [
  [invertedMonCompletion, 'ldk-2169'],
  [claimEventNeverHandled, 'ldk-3988'],
  [partialClaim, 'ldk-3120'],
  [claimToClosedChannel, 'ldk-3414'],
  [forwardRestartReplay, 'ldk-2364'],
];

describe('scripted examples', () => {
  for (const [scenario, bug] of EXAMPLES) {
    const invariant = findBug(bug)!.invariant;
    it(`${scenario.name}: green on the correct model, ${invariant} with ${bug}`, () => {
      checkScenario(scenario, { seeds: 3 });
      const found = expectViolation(scenario, { seeds: 3, bugs: [bug], invariant });
      expect(found.seed).toBe(1);
    });
  }

  it('the scripted prefix is the same run whatever the seed', () => {
    const [a, b] = [1, 2].map((seed) => runScenario(invertedMonCompletion, { seed, keepRecords: true }).records!);
    const end = a.findIndex((r) => r.k === 'script-end');
    expect(end).toBeGreaterThan(0);
    expect(b.slice(0, end + 1)).toEqual(a.slice(0, end + 1));
  });
});

describe('a scripted prefix, then exploration', () => {
  it('sweeps green, and one seed replays byte for byte (from its seed and from its tape)', () => {
    checkScenario(sweepExample, { seeds: 25 });
    const first = runScenario(sweepExample, { seed: 7 });
    expect(runScenario(sweepExample, { seed: 7 }).fingerprint).toBe(first.fingerprint);
    expect(runScenario(sweepExample, { tape: first.tape }).fingerprint).toBe(first.fingerprint);
    const fingerprints = new Set([1, 2, 3, 4].map((seed) => runScenario(sweepExample, { seed }).fingerprint));
    expect(fingerprints.size).toBe(4);
  });

  it('explores around the prefix far enough to catch the planted bug', () => {
    expectViolation(sweepExample, { seeds: 20, bugs: ['ldk-2169'], invariant: 'no-lost-htlc' });
  });
});
