// defineScenario: a valid definition becomes a Scenario that checks exactly
// the invariants asked for; every malformed definition is one UsageError line
// naming the field and the fix; node and invariant names are checked by the
// compiler too (the @ts-expect-error lines fail `tsc` if that stops).
import { describe, expect, it } from 'vitest';
import { runScenario, UsageError } from '../api.ts';
import { MANAGER_KEY } from '../model/ln/node.ts';
import type { Manager } from '../model/ln/types.ts';
import { defineScenario, type ScenarioDefinition } from '../scenarios/define.ts';
import { LN_INVARIANTS } from '../scenarios/ln/build.ts';

const base = {
  name: 'pair',
  description: 'Two nodes, one channel, payments both ways.',
  topology: {
    nodes: ['A', 'B', 'C'],
    channels: [
      { id: 'ab', between: ['A', 'B'], capacity: 1_000_000, push: 500_000 },
      { id: 'bc', between: ['B', 'C'], capacity: 400_000 },
    ],
  },
  workload: { payments: { count: [2, 6], amount: [1_000, 20_000], pairs: [['A', 'B'], ['B', 'A']] } },
  faults: { crash: [0.001, 0.01], persistDelay: [0.1, 0.5], actions: { 'force-close': 0.005 }, keyStall: { manager: [0.02, 0.3] }, nodes: ['B'] },
} as const satisfies ScenarioDefinition<'A' | 'B' | 'C'>;

/** The base definition with some fields replaced, typed loosely: these are the mistakes a JavaScript author (or a cast) can make. */
function variant(change: (d: any) => void): ScenarioDefinition<string> {
  const d = structuredClone(base) as any;
  change(d);
  return d;
}

function usageError(definition: ScenarioDefinition<string>): string {
  try {
    defineScenario(definition);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message, 'one line').not.toContain('\n');
    return message;
  }
  throw new Error('defineScenario accepted a malformed definition');
}

describe('defineScenario builds a Scenario', () => {
  it('checks every Lightning invariant by default, is out of the default mix, and runs', () => {
    const scenario = defineScenario(base);
    expect(scenario.name).toBe('pair');
    expect(scenario.invariants).toEqual([...LN_INVARIANTS]);
    expect(scenario.inDefaultMix).toBe(false);
    expect(scenario.definedIn).toMatch(/test\/define-validation\.test\.ts$/);
    const spec = scenario.build(new Set());
    expect(spec.checkers().map((c) => c.name)).toEqual([...LN_INVARIANTS]);
    expect(spec.nodes.map((n) => n.id)).toEqual(['A', 'B', 'C']);
    const run = runScenario(scenario, { seed: 1 });
    expect(run.events).toBeGreaterThan(0);
    expect(run.violation).toBeUndefined();
  });

  it('checks only the named invariants, then the custom ones, in that order', () => {
    const scenario = defineScenario({
      ...base,
      invariants: ['liveness', 'monitor-safety'],
      customInvariants: [{ name: 'never-breaks', description: 'Holds always.', checker: () => ({ atEnd: () => undefined }) }],
    });
    expect(scenario.invariants).toEqual(['liveness', 'monitor-safety', 'never-breaks']);
    // Catalog order, whatever order the definition lists them in.
    expect(scenario.build(new Set()).checkers().map((c) => c.name)).toEqual(['monitor-safety', 'liveness', 'never-breaks']);
  });

  it('maps push onto the funder and its peer', () => {
    const spec = defineScenario(base).build(new Set());
    const genesis = spec.genesis[0];
    expect(genesis.outputs.map((o) => o.value)).toEqual([1_000_000, 400_000]);
    const managerOf = (node: string) => spec.nodes.find((n) => n.id === node)!.disk![MANAGER_KEY] as Manager;
    const balance = (node: string, channel: string) => managerOf(node).channels.find((c: { id: string }) => c.id === channel)!.localCommit.toHolder;
    expect(balance('A', 'ab')).toBe(500_000);
    expect(balance('B', 'ab')).toBe(500_000);
    expect(balance('B', 'bc')).toBe(400_000);
    expect(balance('C', 'bc')).toBe(0);
  });

  it('a custom checker sees every record and its message fails the run under its own name', () => {
    const scenario = defineScenario({
      ...base,
      customInvariants: [{ name: 'no-second-block', description: 'Fails at the second block (a test of the wiring).', checker: () => ({ onRecord: (r) => (r.k === 'block' && r.d?.height === 2 ? 'second block mined' : undefined) }) }],
    });
    const run = runScenario(scenario, { seed: 3 });
    expect(run.violation?.invariant).toBe('no-second-block');
    expect(run.violation?.message).toBe('second block mined');
  });
});

describe('defineScenario rejects a malformed definition with one line naming the field and the fix', () => {
  const cases: [what: string, change: (d: any) => void, expected: RegExp][] = [
    ['an empty name', (d) => (d.name = ''), /name is empty: give the scenario a name/],
    ['a name with spaces', (d) => (d.name = 'my scenario'), /name 'my scenario' may hold only letters.*e\.g\. 'my-scenario'/],
    ['an empty description', (d) => (d.description = ' '), /description is empty/],
    ['a misspelt field', (d) => ((d.fault = d.faults), delete d.faults), /fault is not a field here \(did you mean 'faults'\?\)/],
    ['a single node', (d) => ((d.topology.nodes = ['A']), (d.topology.channels = [])), /topology\.nodes needs at least two node ids/],
    ['a node listed twice', (d) => d.topology.nodes.push('A'), /topology\.nodes\[3\] 'A' is listed twice/],
    ['a channel to an unknown node', (d) => (d.topology.channels[1].between = ['B', 'D']), /topology\.channels\[1\]\.between\[1\] names node "D", which is not in topology\.nodes \['A', 'B', 'C'\]: add it there or fix the name/],
    ['a channel from a node to itself', (d) => (d.topology.channels[1].between = ['B', 'B']), /topology\.channels\[1\]\.between joins 'B' to itself/],
    ['a duplicate channel id', (d) => (d.topology.channels[1].id = 'ab'), /topology\.channels\[1\]\.id 'ab' is used by an earlier channel: give each channel its own id/],
    ['push above capacity', (d) => (d.topology.channels[0].push = 2_000_000), /topology\.channels\[0\]\.push \(2000000\) is more than the capacity \(1000000\)/],
    ['a negative push', (d) => (d.topology.channels[0].push = -1), /topology\.channels\[0\]\.push must be a non-negative integer/],
    ['a zero capacity', (d) => (d.topology.channels[0].capacity = 0), /topology\.channels\[0\]\.capacity must be a positive integer/],
    ['no channels', (d) => (d.topology.channels = []), /topology\.channels is empty: add at least one channel/],
    ['a count range upside down', (d) => (d.workload.payments.count = [6, 2]), /workload\.payments\.count range \[6, 2\] has min above max: write \[2, 6\]/],
    ['a fractional amount', (d) => (d.workload.payments.amount = 10.5), /workload\.payments\.amount must be an integer ≥ 1/],
    ['an amount no channel can carry', (d) => (d.workload.payments.amount = [1_000, 5_000_000]), /workload\.payments\.amount reaches 5000000, more than any channel can carry \(largest capacity 1000000\)/],
    ['payments without pairs', (d) => (d.workload.payments.pairs = []), /workload\.payments\.pairs is empty but payments are made/],
    ['a pair naming an unknown node', (d) => d.workload.payments.pairs.push(['A', 'Z']), /workload\.payments\.pairs\[2\]\[1\] names node "Z", which is not in topology\.nodes/],
    ['a pair paying itself', (d) => d.workload.payments.pairs.push(['A', 'A']), /workload\.payments\.pairs\[2\] has 'A' pay itself/],
    [
      'a pair with no channel path',
      (d) => {
        d.topology.nodes.push('D');
        d.workload.payments.pairs.push(['A', 'D']);
      },
      /workload\.payments\.pairs\[2\] \['A', 'D'\] has no path of channels between them: add a channel that connects them, or drop the pair/,
    ],
    ['a probability above 1', (d) => (d.faults.crash = 1.5), /faults\.crash is a probability per opportunity and must lie in \[0, 1\], got 1\.5/],
    ['an intensity range upside down', (d) => (d.faults.persistDelay = [0.5, 0.1]), /faults\.persistDelay range \[0\.5, 0\.1\] has min above max/],
    ['an unknown fault kind', (d) => (d.faults.crashes = 0.1), /faults\.crashes is not a field here \(did you mean 'crash'\?\)/],
    ['an unknown fault action', (d) => (d.faults.actions = { 'broadcast-old': 0.1 }), /faults\.actions has unknown action 'broadcast-old': the Lightning model offers 'force-close'/],
    ['an aimed stall above 1', (d) => (d.faults.keyStall = { manager: [0.1, 2] }), /faults\.keyStall\['manager'\] holds probabilities that must lie in \[0, 1\]/],
    ['faults aimed at an unknown node', (d) => (d.faults.nodes = ['B', 'Q']), /faults\.nodes\[1\] names node "Q", which is not in topology\.nodes/],
    ['an unknown invariant', (d) => (d.invariants = ['monitor-safty']), /invariants\[0\] 'monitor-safty' is not a catalog invariant \(did you mean 'monitor-safety'\?\): choose from/],
    ['an invariant another model owns', (d) => (d.invariants = ['backup-covers-open-channels']), /invariants\[0\] 'backup-covers-open-channels' is not checked by the Lightning model/],
    ['no invariant at all', (d) => (d.invariants = []), /invariants is empty and there are no customInvariants/],
    ['a custom invariant named like a catalog one', (d) => (d.customInvariants = [{ name: 'liveness', description: 'x', checker: () => ({ atEnd: () => undefined }) }]), /customInvariants\[0\]\.name 'liveness' is already an invariant's name/],
    ['a custom invariant without a check', (d) => (d.customInvariants = [{ name: 'mine', description: 'x', checker: () => ({}) }]), /customInvariants\[0\]\.checker returned no onRecord or atEnd function/],
    ['a zero tick count', (d) => (d.timing = { faultPhase: 0 }), /timing\.faultPhase must be a positive integer number of ticks, got 0/],
    ['an unknown timing field', (d) => (d.timing = { faultphase: 100 }), /timing\.faultphase is not a field here \(did you mean 'faultPhase'\?\)/],
    ['a non-boolean switch', (d) => (d.swarm = 'yes'), /swarm must be true or false, got "yes"/],
  ];

  it.each(cases)('%s', (_what, change, expected) => {
    const message = usageError(variant(change));
    expect(message).toMatch(/^defineScenario\(/);
    expect(message).toMatch(expected);
  });
});

describe('the compiler checks names against the definition', () => {
  it('a channel or pair naming a node not in topology.nodes, or an unknown invariant, does not type check (and throws)', () => {
    expect(() =>
      defineScenario({
        ...base,
        // @ts-expect-error 'D' is not one of the topology's nodes
        topology: { nodes: ['A', 'B'], channels: [{ id: 'ab', between: ['A', 'D'], capacity: 1_000 }] },
      }),
    ).toThrow(UsageError);
    expect(() =>
      defineScenario({
        ...base,
        topology: { nodes: ['A', 'B'], channels: [{ id: 'ab', between: ['A', 'B'], capacity: 1_000_000 }] },
        // @ts-expect-error 'E' is not one of the topology's nodes
        workload: { payments: { count: 1, amount: 1_000, pairs: [['A', 'E']] } },
      }),
    ).toThrow(UsageError);
    // @ts-expect-error not a Lightning invariant name
    expect(() => defineScenario({ ...base, invariants: ['liveliness'] })).toThrow(UsageError);
    // @ts-expect-error not a Lightning fault action
    expect(() => defineScenario({ ...base, faults: { actions: { 'steal-funds': 0.1 } } })).toThrow(UsageError);
    // @ts-expect-error faults aimed at a node that is not in the topology
    expect(() => defineScenario({ ...base, faults: { crash: 0.01, nodes: ['Z'] } })).toThrow(UsageError);
  });
});
