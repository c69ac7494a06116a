// Builds a kernel spec for a Lightning scenario: topology (nodes, channels
// funded at genesis, wallet coins for channels opened during the run), a drawn
// workload (payments, cooperative closes, channel opens), a fault profile, and
// the Lightning invariants.
import type { Choices } from '../../sim/choices.ts';
import type { Tx } from '../../sim/chain.ts';
import type { FaultProfile } from '../../sim/faults.ts';
import type { SimSpec } from '../../sim/runner.ts';
import { DEFAULT_TIMING, type Checker, type ScheduledCommand, type Timing } from '../../sim/world.ts';
import { openChannel } from '../../model/ln/channel.ts';
import { balanceConservation } from '../../model/ln/invariants/balance-conservation.ts';
import { bolt2ShutdownRules } from '../../model/ln/invariants/bolt2-shutdown-rules.ts';
import { perChannelOrder } from '../../model/ln/invariants/per-channel-order.ts';
import type { Topology } from '../../model/ln/invariants/ledger.ts';
import { liveness } from '../../model/ln/invariants/liveness.ts';
import { monitorSafety } from '../../model/ln/invariants/monitor-safety.ts';
import { monitorUpdateOrder } from '../../model/ln/invariants/monitor-update-order.ts';
import { noLostHtlc } from '../../model/ln/invariants/no-lost-htlc.ts';
import { noUnrequestedForceClose } from '../../model/ln/invariants/no-unrequested-force-close.ts';
import { noUnconsentedClaim } from '../../model/ln/invariants/no-unconsented-claim.ts';
import { paymentClaimedDelivered } from '../../model/ln/invariants/payment-claimed-delivered.ts';
import { paymentOutcomeConsistent } from '../../model/ln/invariants/payment-outcome-consistent.ts';
import { penaltyEnforced } from '../../model/ln/invariants/penalty-enforced.ts';
import { failBackInTime } from '../../model/ln/invariants/fail-back-in-time.ts';
import { claimedInTime } from '../../model/ln/invariants/claimed-in-time.ts';
import { upstreamClaimedInTime } from '../../model/ln/invariants/upstream-claimed-in-time.ts';
import { monitorKey, newMonitor } from '../../model/ln/monitor.ts';
import { emptyManager, lnParams, makeLnNode, MANAGER_KEY, type LnParams } from '../../model/ln/node.ts';
import { TO_SELF_DELAY, type OpenCommand } from '../../model/ln/open.ts';

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
  /** Who may pay whom (routed over the channel graph, forwarded where needed). */
  readonly pairs: readonly (readonly [string, string])[];
  /** Parts per payment (MPP over distinct paths where there are several): drawn in [min, max]. Default [1, 1]. */
  readonly parts?: readonly [number, number];
  /** Chance that a payment reuses an earlier payment's id from another payer (same hash, a second payment). */
  readonly reuseHash?: number;
  /** Payments start within this fraction of the fault phase (default 0.8); smaller makes them overlap more. */
  readonly spread?: number;
}

/** Cooperative closes the workload asks for. */
export interface CloseWorkload {
  /** Each of these channels gets one `close` command, at a time drawn in the fault phase, from a side drawn at random. */
  readonly channels: readonly string[];
}

/** A channel the workload may open during the run, funded from a wallet coin its funder holds from genesis. */
export interface OpenableChannel {
  readonly id: string;
  readonly funder: string;
  readonly fundee: string;
  readonly capacity: number;
  /** Value of the funder's coin for it: at least the capacity; the rest comes back as change. */
  readonly coin: number;
}

/** Channel opens the workload asks for. */
export interface OpenWorkload {
  readonly channels: readonly OpenableChannel[];
  /** How many of them a run opens (distinct ones, drawn): drawn in [min, max]. */
  readonly count: readonly [number, number];
}

export interface LnScenarioOptions {
  readonly nodes: readonly string[];
  readonly channels: readonly ChannelSpec[];
  readonly payments: PaymentWorkload;
  /** Cooperative closes; when given, the run also traces message dispatch and is judged by the close invariants. */
  readonly closes?: CloseWorkload;
  /** Channels opened during the run (routable once usable; payments may use them). */
  readonly opens?: OpenWorkload;
  readonly faults: FaultProfile;
  readonly timing?: Partial<Timing>;
  readonly params?: Partial<LnParams>;
  readonly swarm?: boolean;
  readonly maxEvents?: number;
}

/** The async-persistence fault mix every Lightning scenario starts from. */
export const LN_FAULTS: FaultProfile = {
  crash: [0.001, 0.02],
  persistDelay: [0.1, 0.8],
  persistStall: [0.01, 0.1],
  crashKeepsPending: [0.2, 0.8],
  disconnect: [0.02, 0.2],
  blockBurst: [0.01, 0.05],
  actions: { 'force-close': [0.002, 0.01] },
};

/** Every forwarding node charges this. */
export const FEES = { base: 10, ppm: 1000 } as const;

/** The Lightning invariants, in the order they are judged. */
export const LN_INVARIANTS = [
  'monitor-safety',
  'monitor-update-order',
  'no-unrequested-force-close',
  'no-unconsented-claim',
  'liveness',
  'no-lost-htlc',
  'payment-outcome-consistent',
  'payment-claimed-delivered',
  'penalty-enforced',
  'fail-back-in-time',
  'claimed-in-time',
  'upstream-claimed-in-time',
  'balance-conservation',
] as const;

/** Scenarios with cooperative closes are judged by these too. */
export const LN_CLOSE_INVARIANTS = [...LN_INVARIANTS, 'per-channel-order', 'bolt2-shutdown-rules'] as const;

export function buildLnSpec(options: LnScenarioOptions, bugs: ReadonlySet<string>): SimSpec {
  const params = lnParams(options.params);
  // The calm phase outlasts the longest CLTV expiry plus the to_self delay, so everything can settle on-chain.
  const timing = { ...DEFAULT_TIMING, calmPhase: 9_000, ...options.timing };
  const openable = options.opens?.channels ?? [];
  const graph = [...options.channels.map((c) => ({ id: c.id, a: c.a, b: c.b })), ...openable.map((c) => ({ id: c.id, a: c.funder, b: c.fundee }))];
  const behaviour = makeLnNode({ bugs, params, graph, fees: FEES, traceDispatch: options.closes !== undefined });
  const genesis: Tx = {
    txid: 'genesis',
    inputs: [],
    // Funding outputs of the channels, then the funders' wallet coins for channels opened later.
    outputs: [...options.channels.map((c) => ({ value: c.capacity, script: `funding/${c.id}` })), ...openable.map((c) => ({ value: c.coin, script: `wallet/${c.funder}` }))],
    label: 'genesis',
  };
  const disks: Record<string, Record<string, object>> = {};
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
      const monitor = newMonitor({ channel: c.id, holder: self, counterparty: peer, capacity: c.capacity, funding, holderCommitment: channel.localCommit, counterpartyCommitment: channel.remoteCommit, toSelfDelay: TO_SELF_DELAY });
      disks[self][monitorKey(c.id)] = monitor;
      initialWealth[self] += balance;
    }
  });
  const opens: OpenCommand[] = openable.map((c, i) => {
    if (c.coin < c.capacity) throw new Error(`openable channel ${c.id}: coin ${c.coin} is less than the capacity ${c.capacity}`);
    channelPeers[c.id] = [c.funder, c.fundee];
    initialWealth[c.funder] += c.coin;
    return { type: 'open', channel: c.id, peer: c.fundee, capacity: c.capacity, coin: { txid: genesis.txid, vout: options.channels.length + i, value: c.coin } };
  });
  // Values, not text: the kernel freezes them once and every run's disk shares them.
  for (const node of options.nodes) disks[node][MANAGER_KEY] = managers[node];
  const topology: Topology = { channels: channelPeers, initialWealth, toSelfDelay: TO_SELF_DELAY };
  const links = new Map<string, [string, string]>();
  for (const c of options.channels) links.set([c.a, c.b].sort().join('|'), [c.a, c.b]);
  for (const c of openable) if (!links.has([c.funder, c.fundee].sort().join('|'))) links.set([c.funder, c.fundee].sort().join('|'), [c.funder, c.fundee]);
  return {
    nodes: options.nodes.map((id) => ({ id, behaviour, disk: disks[id] })),
    links: [...links.values()],
    genesis: [genesis],
    timing,
    faults: options.faults,
    swarm: options.swarm ?? true,
    checkers: (): Checker[] => [
      monitorSafety(),
      monitorUpdateOrder(),
      noUnrequestedForceClose(),
      noUnconsentedClaim(),
      liveness(),
      noLostHtlc(topology),
      paymentOutcomeConsistent(topology),
      paymentClaimedDelivered(topology),
      penaltyEnforced(topology),
      failBackInTime(topology),
      claimedInTime(),
      upstreamClaimedInTime(),
      balanceConservation(topology),
      ...(options.closes ? [perChannelOrder(), bolt2ShutdownRules()] : []),
    ],
    workload: (choices) => {
      const payments = drawPayments(options.payments, timing, choices);
      if (!options.closes && !options.opens) return payments;
      const closes = options.closes ? drawCloses(options.closes, options.channels, timing, choices) : [];
      const openings = options.opens ? drawOpens(options.opens, opens, timing, choices) : [];
      return [...payments, ...closes, ...openings].sort((a, b) => a.time - b.time);
    },
    maxEvents: options.maxEvents ?? 200_000,
  };
}

function drawPayments(w: PaymentWorkload, timing: Timing, choices: Choices): ScheduledCommand[] {
  const count = w.count[0] + choices.int('workload', w.count[1] - w.count[0] + 1, 'payment count');
  const [minParts, maxParts] = w.parts ?? [1, 1];
  const commands: ScheduledCommand[] = [];
  const paid: { from: string; to: string; paymentId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const [from, to] = w.pairs[choices.int('workload', w.pairs.length, `payment ${i} pair`)];
    const amount = w.amount[0] + choices.int('workload', w.amount[1] - w.amount[0] + 1, `payment ${i} amount`);
    const parts = minParts + choices.int('workload', maxParts - minParts + 1, `payment ${i} parts`);
    // Payments start in the fault phase, leaving at least its last fifth for them to race with faults.
    const time = 1 + choices.int('workload', Math.floor(timing.faultPhase * (w.spread ?? 0.8)), `payment ${i} time`);
    // A second payment to the same receiver with the same hash, from another payer.
    const earlier = w.reuseHash && paid.length > 0 && choices.chance('workload', w.reuseHash, `payment ${i} reuses a hash`) ? paid[choices.int('workload', paid.length, `payment ${i} reused`)] : undefined;
    const reuse = earlier && w.pairs.find(([f, t]) => t === earlier.to && f !== earlier.from);
    const paymentId = reuse ? earlier!.paymentId : `p${i}`;
    const payer = reuse ? reuse[0] : from;
    const payee = reuse ? reuse[1] : to;
    paid.push({ from: payer, to: payee, paymentId });
    commands.push({ time, node: payer, command: { type: 'pay', to: payee, amount, paymentId, parts } });
  }
  return commands.sort((a, b) => a.time - b.time);
}

/** Which openable channels a run opens, and when: in the first 60% of the fault phase, so they race with faults and can still carry payments. */
function drawOpens(w: OpenWorkload, commands: readonly OpenCommand[], timing: Timing, choices: Choices): ScheduledCommand[] {
  const [min, max] = w.count;
  const count = Math.min(commands.length, min + choices.int('workload', max - min + 1, 'open count'));
  const left = [...commands.keys()];
  const out: ScheduledCommand[] = [];
  for (let i = 0; i < count; i++) {
    const index = left.splice(choices.int('workload', left.length, `open ${i} which`), 1)[0];
    const time = 1 + choices.int('workload', Math.floor(timing.faultPhase * 0.6), `open ${commands[index].channel} time`);
    out.push({ time, node: w.channels[index].funder, command: commands[index] });
  }
  return out;
}

function drawCloses(w: CloseWorkload, channels: readonly ChannelSpec[], timing: Timing, choices: Choices): ScheduledCommand[] {
  return w.channels.map((id) => {
    const spec = channels.find((c) => c.id === id);
    if (!spec) throw new Error(`close workload names unknown channel ${id}`);
    const time = 1 + choices.int('workload', Math.floor(timing.faultPhase * 0.8), `close ${id} time`);
    const initiator = choices.int('workload', 2, `close ${id} initiator`) === 0 ? spec.a : spec.b;
    return { time, node: initiator, command: { type: 'close', channel: id } };
  });
}
