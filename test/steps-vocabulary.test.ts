// Every kind of step acts on the LDK-style model as its documentation says, and
// every kind of expectation can fail (a wrong one names the step and what it saw).
import { describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { defineScenario, type ScenarioDefinition } from '../scenarios/define.ts';
import { checkScenario } from '../testing.ts';

const definition = {
  name: 'vocabulary',
  description: 'Each step kind once: claims and refusals, held events, held messages, links, a crash keeping one write, an opened, a closed and a force-closed channel.',
  topology: {
    nodes: ['A', 'B', 'C'],
    channels: [
      { id: 'ab', between: ['A', 'B'], capacity: 1_000_000, push: 200_000 },
      { id: 'bc', between: ['B', 'C'], capacity: 1_000_000, push: 200_000 },
    ],
  },
  faults: {},
  steps: [
    // claim and refuse
    { holdEvents: 'C' },
    { pay: { from: 'A', to: 'C', amount: 10_000, id: 'p1' } },
    { refuse: { node: 'C', payment: 'p1' } },
    { expect: { node: 'C', payment: 'p1', is: 'refused' } },
    { expect: { node: 'A', payment: 'p1', is: 'failed' } },
    { pay: { from: 'A', to: 'C', amount: 20_000, id: 'p2' } },
    { expect: { node: 'C', event: 'PaymentClaimable', payment: 'p2', handled: true, count: 0 } },
    { handleEvents: 'C' },
    { expect: { node: 'C', event: 'PaymentClaimable', payment: 'p2', handled: true, count: 1 } },
    { expect: { node: 'A', payment: 'p2', is: 'succeeded' } },
    { releaseEvents: 'C' },
    { expect: { node: 'C', event: 'PaymentClaimed', payment: 'p2', handled: true } },
    // messages, links
    { holdMessages: { from: 'B', to: 'A' } },
    { pay: { from: 'B', to: 'A', amount: 5_000, id: 'p3' } },
    { expect: { node: 'A', event: 'PaymentClaimable', payment: 'p3', count: 0 } },
    { deliver: { from: 'B', to: 'A', count: 'all' } },
    { releaseMessages: { from: 'B', to: 'A' } },
    { expect: { node: 'B', payment: 'p3', is: 'succeeded' } },
    { disconnect: ['A', 'B'] },
    { pay: { from: 'A', to: 'B', amount: 5_000, id: 'p4' } },
    { expect: { node: 'A', payment: 'p4', is: 'pending' } },
    { reconnect: ['A', 'B'] },
    { expect: { node: 'A', payment: 'p4', is: 'succeeded' } },
    // crashes keeping the first N pending writes
    { holdWrites: { node: 'B', manager: true } },
    { pay: { from: 'C', to: 'B', amount: 7_000, id: 'p5' } },
    { crash: { node: 'B', keep: 1 } },
    { restart: 'B' },
    { releaseWrites: { node: 'B', manager: true } },
    // channels: open, close, force-close
    { open: { channel: 'ac', funder: 'A', fundee: 'C', capacity: 300_000 } },
    { mine: 4 },
    { expect: { node: 'C', channel: 'ac', is: 'open' } },
    { close: { node: 'A', channel: 'ac' } },
    { expect: { node: 'C', channel: 'ac', is: 'closed' } },
    { forceClose: { node: 'C', channel: 'bc' } },
    { confirm: 'mempool' },
    { expect: { node: 'B', channel: 'bc', is: 'closed' } },
  ],
} as const satisfies ScenarioDefinition<'A' | 'B' | 'C', 'ab' | 'bc', 'ac'>;

describe('the step vocabulary on the model', () => {
  it('every step acts and every expectation holds', () => {
    checkScenario(defineScenario(definition), { seeds: 2 });
  });

  it('every kind of expectation can fail, naming the step and what it saw', () => {
    const wrong = (index: number, expectation: unknown) => {
      const steps = definition.steps.map((s, i) => (i === index ? { expect: expectation } : s));
      const run = runScenario(defineScenario({ ...definition, name: `vocabulary-${index}`, steps: steps as never }), { seed: 1 });
      expect(run.violation?.invariant).toBe('expect');
      return run.violation!.message;
    };
    expect(wrong(3, { node: 'C', payment: 'p1', is: 'claimed' })).toBe('step 4 (expect C sees p1 claimed): saw refused');
    expect(wrong(6, { node: 'C', event: 'PaymentClaimable', payment: 'p2', handled: true, count: 1 })).toBe('step 7 (expect C handled PaymentClaimable for p2 1 time(s)): saw it 0 time(s)');
    expect(wrong(20, { node: 'A', payment: 'p4', is: 'succeeded' })).toBe('step 21 (expect A sees p4 succeeded): saw pending');
    expect(wrong(30, { node: 'C', channel: 'ac', is: 'closed' })).toBe("step 31 (expect C's channel ac closed): saw open");
  });
});
