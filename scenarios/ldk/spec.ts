// Builds the kernel spec of a scenario of real LDK nodes (see build.ts): the
// channels opened by LDK itself in a setup chain before the run
// (model/ldk/network.ts), a drawn payment workload (labels as the model's), a
// fault profile, and the LDK invariants. A module of its own so that only a
// process that runs an LDK scenario loads the LDK model and the Bitcoin
// transaction library (build.ts imports it from the scenario's prepare()).
import type { Choices } from '../../sim/choices.ts';
import type { SimSpec } from '../../sim/runner.ts';
import { DEFAULT_TIMING, type Checker, type ScheduledCommand, type Timing } from '../../sim/world.ts';
import { ldkBalanceConservation } from '../../model/ldk/invariants/balance.ts';
import { ldkMonitorSafety } from '../../model/ldk/invariants/monitor-safety.ts';
import { ldkNoLostHtlc } from '../../model/ldk/invariants/no-lost-htlc.ts';
import { ldkLiveness, ldkPanic, ldkPaymentClaimedDelivered, ldkPaymentOutcomeConsistent } from '../../model/ldk/invariants/payments.ts';
import { buildNetwork } from '../../model/ldk/network.ts';
import { makeLdkNode } from '../../model/ldk/node.ts';
import type { LdkPaymentWorkload, LdkScenarioOptions } from './build.ts';

export function buildLdkSpec(options: LdkScenarioOptions): SimSpec {
  // The calm phase outlasts an HTLC's expiry plus LDK's on-chain resolution, so every payment can resolve.
  const timing = { ...DEFAULT_TIMING, calmPhase: 12_000, ...options.timing };
  const network = buildNetwork(options.nodes, options.channels);
  const behaviour = makeLdkNode({ network, app: options.app, shims: options.shims });
  const channelIds: Record<string, string> = {};
  for (const c of network.channels) channelIds[c.channelId] = channelIds[c.outpoint] = c.id;
  const channelPeers = Object.fromEntries(options.channels.map((c) => [c.id, [c.a, c.b] as const]));
  const links = new Map<string, [string, string]>();
  for (const c of options.channels) links.set([c.a, c.b].sort().join('|'), [c.a, c.b]);
  return {
    nodes: options.nodes.map((id) => ({ id, behaviour, disk: network.disks[id] })),
    links: [...links.values()],
    genesis: network.genesis,
    timing,
    faults: options.faults,
    swarm: options.swarm ?? true,
    checkers: (): Checker[] => [ldkPanic(), ldkMonitorSafety(channelIds), ldkPaymentOutcomeConsistent(), ldkNoLostHtlc(channelPeers, channelIds), ldkLiveness(), ldkPaymentClaimedDelivered(), ldkBalanceConservation(network.channels)],
    workload: (choices) => drawPayments(options.payments, timing, choices),
    maxEvents: options.maxEvents ?? 200_000,
  };
}

/** Payments drawn as the model's workload draws them (same labels, same stream). */
function drawPayments(w: LdkPaymentWorkload, timing: Timing, choices: Choices): ScheduledCommand[] {
  const count = w.count[0] + choices.int('workload', w.count[1] - w.count[0] + 1, 'payment count');
  const [minParts, maxParts] = w.parts ?? [1, 1];
  const commands: ScheduledCommand[] = [];
  for (let i = 0; i < count; i++) {
    const [from, to] = w.pairs[choices.int('workload', w.pairs.length, `payment ${i} pair`)];
    const amount = w.amount[0] + choices.int('workload', w.amount[1] - w.amount[0] + 1, `payment ${i} amount`);
    const parts = minParts + choices.int('workload', maxParts - minParts + 1, `payment ${i} parts`);
    const time = 1 + choices.int('workload', Math.floor(timing.faultPhase * 0.8), `payment ${i} time`);
    commands.push({ time, node: from, command: { type: 'pay', to, amount, paymentId: `p${i}`, parts } });
  }
  return commands.sort((a, b) => a.time - b.time);
}
