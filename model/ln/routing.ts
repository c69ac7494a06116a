// Source routing over the scenario's public channel graph: every simple path
// up to a few hops, shortest first, and the per-hop amounts, fees and CLTVs
// of an onion for one of them.
import type { Onion } from './types.ts';

export interface GraphChannel {
  readonly id: string;
  readonly a: string;
  readonly b: string;
}

export interface FeePolicy {
  readonly base: number;
  /** Proportional fee, parts per million of the forwarded amount. */
  readonly ppm: number;
}

export function forwardingFee(amount: number, fees: FeePolicy): number {
  return fees.base + Math.floor((amount * fees.ppm) / 1_000_000);
}

/** A path: the channels from the sender to the destination, in order. */
export type Path = readonly string[];

/** Every simple path of at most maxHops channels, shortest first, then in graph order. */
export function findPaths(graph: readonly GraphChannel[], from: string, to: string, maxHops = 3): Path[] {
  const found: string[][] = [];
  const walk = (node: string, path: string[], visited: Set<string>) => {
    if (node === to && path.length > 0) {
      found.push([...path]);
      return;
    }
    if (path.length === maxHops) return;
    for (const c of graph) {
      const next = c.a === node ? c.b : c.b === node ? c.a : undefined;
      if (next === undefined || visited.has(next)) continue;
      visited.add(next);
      path.push(c.id);
      walk(next, path, visited);
      path.pop();
      visited.delete(next);
    }
  };
  walk(from, [], new Set([from]));
  // Array.prototype.sort is stable: paths of one length stay in the order the walk found them.
  return found.sort((x, y) => x.length - y.length);
}

export interface OnionPlan {
  /** Amount and expiry of the HTLC the sender offers on the first channel. */
  readonly amount: number;
  readonly cltv: number;
  readonly onion: Onion;
  /** Fee each forwarding node earns, in path order. */
  readonly fees: readonly { node: string; fee: number }[];
}

/** Build the onion for one part: the final hop receives `amount`; each forwarder adds its fee and CLTV delta. */
export function planOnion(graph: readonly GraphChannel[], from: string, path: Path, amount: number, payment: { paymentId: string; totalAmount: number }, finalCltv: number, forwardDelta: number, fees: FeePolicy): OnionPlan {
  const nodes = [from];
  for (const id of path) {
    const c = graph.find((g) => g.id === id)!;
    nodes.push(c.a === nodes[nodes.length - 1] ? c.b : c.a);
  }
  let onion: Onion = { paymentId: payment.paymentId, totalAmount: payment.totalAmount };
  let hopAmount = amount;
  let hopCltv = finalCltv;
  const earned: { node: string; fee: number }[] = [];
  // Walk back from the last channel: the node before it forwards onto it.
  for (let k = path.length - 1; k >= 1; k--) {
    const fee = forwardingFee(hopAmount, fees);
    earned.unshift({ node: nodes[k], fee });
    onion = { nextChannel: path[k], forwardAmount: hopAmount, forwardCltv: hopCltv, rest: onion };
    hopAmount += fee;
    hopCltv += forwardDelta;
  }
  return { amount: hopAmount, cltv: hopCltv, onion, fees: earned };
}
