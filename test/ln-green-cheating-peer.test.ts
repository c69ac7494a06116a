// The adversarial counterparty is in the default mix: with every planted bug off, cheating-peer stays green, and its
// cheats really happen (both kinds) and really get punished, so the green sweep is not vacuous.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { defaultMix } from '../scenarios/index.ts';
import { staysGreen } from './ln-green.ts';

describe('cheating-peer', () => {
  it('is in the default mix', () => {
    expect(defaultMix().map((s) => s.name)).toContain('cheating-peer');
  });

  staysGreen('cheating-peer', 800);

  it('exercises both kinds of cheat, and victims sweep revoked outputs by penalty', () => {
    const kinds = new Set<string>();
    let penalties = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const run = runScenario('cheating-peer', { seed, keepRecords: true });
      for (const r of run.records!) {
        if (r.k === 'cheat') kinds.add(r.d!.kind as string);
        if (r.k === 'block' && (r.d!.txs as string[]).some((t) => t.endsWith('/penalty'))) penalties++;
      }
    }
    expect([...kinds].sort()).toEqual(['broadcast-revoked', 'broadcast-stale']);
    expect(penalties).toBeGreaterThan(20);
  });
});
