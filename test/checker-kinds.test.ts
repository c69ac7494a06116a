// A checker that declares the record kinds it reads (Checker.kinds) is handed
// only those: it must judge exactly as it would if it saw every record. Each
// model checker runs twice in the same world, once as declared and once fed
// every record, and both must report the same messages on the same records and
// at the end. Reports are logged, not returned, so the run goes on past the
// first violation and every verdict of the whole run is compared.
import { describe, expect, it } from 'vitest';
import { BUGS, SCENARIOS } from '../api.ts';
import { runSim } from '../sim/runner.ts';
import type { TraceRecord } from '../sim/trace.ts';
import type { Checker, World } from '../sim/world.ts';
import { monitorSafety } from '../model/ln/invariants/monitor-safety.ts';
import type { Scenario } from '../scenarios/scenario.ts';

/** The checker, logging what it reports into `log` and never stopping the run; `every`: fed every record. */
function logging(c: Checker, log: string[], every: boolean): Checker {
  return {
    name: c.name,
    kinds: every ? undefined : c.kinds,
    onRecord: c.onRecord
      ? (r, world) => {
          const message = c.onRecord!(r, world);
          if (message !== undefined) log.push(`${r.i} ${c.name}: ${message}`);
          return undefined;
        }
      : undefined,
    atEnd: c.atEnd
      ? (world) => {
          const message = c.atEnd!(world);
          if (message !== undefined) log.push(`end ${c.name}: ${message}`);
          return undefined;
        }
      : undefined,
  };
}

/** Both logs of one run: the checkers as declared, and fed every record. */
function verdicts(scenario: Scenario, bugs: readonly string[], seed: number): { declared: string[]; every: string[] } {
  const spec = scenario.build(new Set(bugs));
  const declared: string[] = [];
  const every: string[] = [];
  const checkers = () => [...spec.checkers().map((c) => logging(c, declared, false)), ...spec.checkers().map((c) => logging(c, every, true))];
  runSim({ ...spec, checkers }, { seed });
  return { declared, every };
}

const model = SCENARIOS.filter((s) => (s.backend ?? 'model') === 'model');
const SEEDS = [1, 2, 3, 4, 5, 6];

describe('checkers judge the same on the record kinds they declare as on every record', () => {
  it('every model checker that reads records declares its kinds', () => {
    for (const scenario of model) {
      for (const c of scenario.build(new Set()).checkers()) if (c.onRecord) expect(c.kinds, `${scenario.name}: ${c.name}`).toBeDefined();
    }
  });

  for (const scenario of model) {
    it(`${scenario.name}, no bug`, () => {
      for (const seed of SEEDS) {
        const { declared, every } = verdicts(scenario, [], seed);
        expect(declared, `seed ${seed}`).toEqual(every);
      }
    });
  }

  it('every planted model bug, in its scenario', () => {
    let reported = 0;
    for (const bug of BUGS) {
      const scenario = model.find((s) => s.name === bug.scenario)!;
      for (const seed of SEEDS) {
        const { declared, every } = verdicts(scenario, [bug.id], seed);
        expect(declared, `${bug.id} seed ${seed}`).toEqual(every);
        reported += declared.length;
      }
    }
    // Not vacuous: the bugs make the checkers report.
    expect(reported).toBeGreaterThan(50);
  });
});

describe('a checker that needs to know a record came in between sees it in the gap of indices', () => {
  // monitor-safety: the broadcast right after a cheat fault (in its handler) is the cheat; any record in between
  // (here a block, a kind it does not read) ends the handler, and a later broadcast of a revoked commitment is judged.
  const monitor = { updateId: 0, epoch: 0, holderCommitment: { number: 5 }, counterpartyCommitments: [{ number: 5 }] };
  const world = { disk: () => ({ durableContent: (key: string) => (key === 'monitor/c1' ? monitor : undefined) }) } as unknown as World;
  const records: TraceRecord[] = [
    { i: 0, t: 1, k: 'send', n: 'X', d: { to: 'Y', message: { type: 'revoke_and_ack', channel: 'c1', number: 3 } } },
    { i: 1, t: 2, k: 'fault', n: 'X', d: { kind: 'broadcast-revoked', label: 'c1' } },
    { i: 2, t: 3, k: 'block', d: { height: 7, txs: [] } },
    { i: 3, t: 3, k: 'broadcast', n: 'X', d: { txid: 'commit/c1/X/2', label: 'commitment', result: 'ok' } },
  ];
  const judge = (c: Checker, every: boolean) => records.filter((r) => every || c.kinds!.includes(r.k)).map((r) => c.onRecord!(r, world));

  it('monitor-safety judges the later broadcast', () => {
    const declared = judge(monitorSafety(), false);
    expect(declared.at(-1)).toBe('X broadcast its revoked commitment 2 of c1');
    expect(declared.filter((m) => m !== undefined)).toEqual(judge(monitorSafety(), true).filter((m) => m !== undefined));
  });
});
