// A deterministic Router over the scenario's channel graph (LDK asks its
// Router for a route; ours builds it by hand): the shortest paths from payer
// to payee by channel count, ties broken by channel order; a multi-part
// payment takes distinct paths where there are several, and splits the amount
// evenly. Fees and CLTV deltas are those every node's ChannelConfig sets.
import { FINAL_CLTV, FORWARD_CLTV, forwardFee } from './config.ts';
import { fromHex, toHex } from './bytes.ts';
import type { LdkChannelInfo, LdkNetwork } from './network.ts';
import type * as ldk from 'lightningdevkit';
import { L } from './wasm.ts';

/** Paths of channels (as [channel, next node] steps) from `from` to `to`, shortest first, at most `limit`. */
export function paths(network: LdkNetwork, from: string, to: string, limit: number): LdkChannelInfo[][] {
  const found: LdkChannelInfo[][] = [];
  const walk = (node: string, path: LdkChannelInfo[], seen: Set<string>) => {
    if (node === to) return void found.push([...path]);
    if (path.length >= 4) return;
    for (const c of network.channels) {
      const next = c.a === node ? c.b : c.b === node ? c.a : undefined;
      if (next === undefined || seen.has(next)) continue;
      seen.add(next);
      path.push(c);
      walk(next, path, seen);
      path.pop();
      seen.delete(next);
    }
  };
  walk(from, [], new Set([from]));
  return found.sort((x, y) => x.length - y.length).slice(0, limit);
}

/** A route part as plain data (the payer's `pay` record carries it, so the balance invariant knows who earned which fee). */
export interface RoutePart {
  /** Channel names, payer first. */
  readonly path: readonly string[];
  /** What the payee receives on this part (msat, decimal). */
  readonly amountMsat: string;
  /** Fee each forwarding node keeps (msat, decimal). */
  readonly fees: readonly { readonly node: string; readonly feeMsat: string }[];
}

const noRoute = (why: string) => L.Result_RouteLightningErrorZ.constructor_err(L.LightningError.constructor_new(why, L.ErrorAction.constructor_ignore_error()));

/**
 * Build LDK's Route for a payment of `params` in `parts` parts. `firstHops`: the payer's usable channels; a path
 * whose first channel is not among them is not offered (LDK would refuse it). `onRoute` hears the route as plain data.
 */
export function findRoute(network: LdkNetwork, payer: string, params: ldk.RouteParameters, firstHops: readonly ldk.ChannelDetails[] | null, parts: number, onRoute?: (route: RoutePart[]) => void): ldk.Result_RouteLightningErrorZ {
  const payee = params.get_payment_params().get_payee();
  if (!(payee instanceof L.Payee_Clear)) return noRoute('only clear payees are routed');
  const payeeName = network.names[toHex(payee.node_id)];
  if (payeeName === undefined) return noRoute('unknown payee');
  const usable = new Set((firstHops ?? []).filter((d) => d.get_is_usable()).map((d) => toHex(d.get_channel_id().get_a())));
  const candidates = paths(network, payer, payeeName, Math.max(1, parts)).filter((p) => usable.has(p[0].channelId));
  if (candidates.length === 0) return noRoute('no usable first hop');
  const total = params.get_final_value_msat();
  const count = BigInt(Math.max(1, parts));
  const features = L.NodeFeatures.constructor_empty();
  const plain: RoutePart[] = [];
  const built = Array.from({ length: Number(count) }, (_, i) => {
    const path = candidates[i % candidates.length];
    const amount = total / count + (BigInt(i) < total % count ? 1n : 0n);
    // Walk back from the payee: the last hop carries the amount, each earlier hop the next node's fee.
    const nodes = [payer];
    for (const c of path) nodes.push(c.a === nodes[nodes.length - 1] ? c.b : c.a);
    const hops: ldk.RouteHop[] = [];
    const fees: { node: string; feeMsat: string }[] = [];
    let forwarded = amount;
    for (let h = path.length - 1; h >= 0; h--) {
      const last = h === path.length - 1;
      const fee = last ? amount : forwardFee(forwarded);
      hops.unshift(L.RouteHop.constructor_new(fromHex(network.nodeIds[nodes[h + 1]]), features, path[h].scid, L.ChannelFeatures.constructor_empty(), fee, last ? FINAL_CLTV : FORWARD_CLTV, false));
      if (!last) {
        forwarded += fee;
        fees.unshift({ node: nodes[h + 1], feeMsat: fee.toString() });
      }
    }
    plain.push({ path: path.map((c) => c.id), amountMsat: amount.toString(), fees });
    return L.Path.constructor_new(hops, null);
  });
  onRoute?.(plain);
  return L.Result_RouteLightningErrorZ.constructor_ok(L.Route.constructor_new(built, params));
}
