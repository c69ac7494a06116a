// Builds a kernel spec for a Lightning scenario: topology (nodes, channels
// funded at genesis), a drawn payment workload, a fault profile, and the
// Lightning invariants.
import type { Choices } from '../../sim/choices.ts';
import type { Tx } from '../../sim/chain.ts';
import type { FaultProfile } from '../../sim/faults.ts';
import type { SimSpec } from '../../sim/runner.ts';
import { DEFAULT_TIMING, type Checker, type ScheduledCommand, type Timing } from '../../sim/world.ts';
import { openChannel } from '../../model/ln/channel.ts';
import { balanceConservation } from '../../model/ln/invariants/balance-conservation.ts';
import type { Topology } from '../../model/ln/invariants/ledger.ts';
import { liveness } from '../../model/ln/invariants/liveness.ts';
import { monitorSafety } from '../../model/ln/invariants/monitor-safety.ts';
import { monitorUpdateOrder } from '../../model/ln/invariants/monitor-update-order.ts';
import { noLostHtlc } from '../../model/ln/invariants/no-lost-htlc.ts';
import { noUnrequestedForceClose } from '../../model/ln/invariants/no-unrequested-force-close.ts';
import { monitorKey, newMonitor } from '../../model/ln/monitor.ts';
import { DEFAULT_PARAMS, emptyManager, makeLnNode, MANAGER_KEY, type LnParams } from '../../model/ln/node.ts';

export interface ChannelSpec {
  readonly id: string;
  readonly a: string;
  readonly b: string;
  readonly capacity: number;
  /** a's side at opening; b gets the rest. */
  readonly aBalance: number;
}

export interface PaymentWorkload {
  /** How many payments a run makes: drawn in [min, max]. */
  readonly count: readonly [number, number];
  /** Amount of each payment: drawn in [min, max]. */
  readonly amount: readonly [number, number];
  /** Who may pay whom. */
  readonly pairs: readonly (readonly [string, string])[];
}

export interface LnScenarioOptions {
  readonly nodes: readonly string[];
  readonly channels: readonly ChannelSpec[];
  readonly payments: PaymentWorkload;
  readonly faults: FaultProfile;
  readonly timing?: Partial<Timing>;
  readonly params?: Partial<LnParams>;
  readonly swarm?: boolean;
  readonly maxEvents?: number;
}

/** The Lightning invariants, in the order they are judged. */
export const LN_INVARIANTS = ['monitor-safety', 'monitor-update-order', 'no-unrequested-force-close', 'liveness', 'no-lost-htlc', 'balance-conservation'] as const;

export function buildLnSpec(options: LnScenarioOptions, bugs: ReadonlySet<string>): SimSpec {
  const params = { ...DEFAULT_PARAMS, ...options.params };
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const behaviour = makeLnNode({ bugs, params });
  const genesis: Tx = {
    txid: 'genesis',
    inputs: [],
    outputs: options.channels.map((c) => ({ value: c.capacity, script: `funding/${c.id}` })),
    label: 'genesis',
  };
  const disks: Record<string, Record<string, string>> = {};
  const initialWealth: Record<string, number> = {};
  const channelPeers: Record<string, readonly [string, string]> = {};
  for (const node of options.nodes) {
    disks[node] = {};
    initialWealth[node] = 0;
  }
  const managers = Object.fromEntries(options.nodes.map((n) => [n, emptyManager()]));
  options.channels.forEach((c, vout) => {
    channelPeers[c.id] = [c.a, c.b];
    const funding = { txid: genesis.txid, vout };
    for (const [self, peer, balance] of [
      [c.a, c.b, c.aBalance],
      [c.b, c.a, c.capacity - c.aBalance],
    ] as const) {
      const channel = openChannel({ id: c.id, peer, capacity: c.capacity, funding, localBalance: balance });
      managers[self].channels.push(channel);
      const monitor = newMonitor({ channel: c.id, holder: self, counterparty: peer, capacity: c.capacity, funding, holderCommitment: channel.localCommit, counterpartyCommitment: channel.remoteCommit, toSelfDelay: 6 });
      disks[self][monitorKey(c.id)] = JSON.stringify(monitor);
      initialWealth[self] += balance;
    }
  });
  for (const node of options.nodes) disks[node][MANAGER_KEY] = JSON.stringify(managers[node]);
  const topology: Topology = { channels: channelPeers, initialWealth };
  const links = new Map<string, [string, string]>();
  for (const c of options.channels) links.set([c.a, c.b].sort().join('|'), [c.a, c.b]);
  return {
    nodes: options.nodes.map((id) => ({ id, behaviour, disk: disks[id] })),
    links: [...links.values()],
    genesis: [genesis],
    timing,
    faults: options.faults,
    swarm: options.swarm ?? true,
    checkers: (): Checker[] => [monitorSafety(), monitorUpdateOrder(), noUnrequestedForceClose(), liveness(), noLostHtlc(topology), balanceConservation(topology)],
    workload: (choices) => drawPayments(options.payments, timing, choices),
    maxEvents: options.maxEvents ?? 200_000,
  };
}

function drawPayments(w: PaymentWorkload, timing: Timing, choices: Choices): ScheduledCommand[] {
  const count = w.count[0] + choices.int('workload', w.count[1] - w.count[0] + 1, 'payment count');
  const commands: ScheduledCommand[] = [];
  for (let i = 0; i < count; i++) {
    const [from, to] = w.pairs[choices.int('workload', w.pairs.length, `payment ${i} pair`)];
    const amount = w.amount[0] + choices.int('workload', w.amount[1] - w.amount[0] + 1, `payment ${i} amount`);
    // Payments start in the fault phase, leaving its last fifth for them to race with faults.
    const time = 1 + choices.int('workload', Math.floor(timing.faultPhase * 0.8), `payment ${i} time`);
    commands.push({ time, node: from, command: { type: 'pay', to, amount, paymentId: `p${i}` } });
  }
  return commands.sort((a, b) => a.time - b.time);
}
