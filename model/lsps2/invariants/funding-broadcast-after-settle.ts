// funding-broadcast-after-settle: once the client has released the preimage
// on a withheld JIT channel, that channel's funding transaction is broadcast
// (in the mempool or mined by the end), and never released instead. Judged
// early when it can be: a settle on a channel whose funding is not out yet
// and that no live session owns is a settle nobody will ever act on.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import type { LspNodeState } from '../lsp/node.ts';
import type { Lsps2Roles } from './roles.ts';

export const NAME = 'funding-broadcast-after-settle';
export const DESCRIPTION = 'Once the client has settled a JIT payment (the LSP received the preimage on the withheld channel), that channel is never released and its funding transaction is broadcast by the end of the run.';

export function fundingBroadcastAfterSettle(roles: Lsps2Roles): Checker {
  return new FundingBroadcastAfterSettle(roles);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class FundingBroadcastAfterSettle implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly txids: Map<string, string>;
  declare private readonly settled: Map<string, string>;
  declare private readonly broadcast: Set<string>;

  constructor(private readonly roles: Lsps2Roles) {
    this.name = NAME;
    this.kinds = ['funding-created', 'funding-broadcast', 'lsp-settled', 'funding-released'];
    this.txids = new Map<string, string>();
    this.settled = new Map<string, string>();
    this.broadcast = new Set<string>();
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    if (r.n !== this.roles.lsp) return undefined;
    const d = r.d ?? {};
    if (r.k === 'funding-created') this.txids.set(d.channel as string, d.txid as string);
    else if (r.k === 'funding-broadcast') this.broadcast.add(d.channel as string);
    else if (r.k === 'lsp-settled') {
      const channel = d.channel as string;
      this.settled.set(channel, d.hash as string);
      const lsp = world.state<LspNodeState>(this.roles.lsp);
      const owned = lsp !== undefined && [...lsp.sessions.values()].some((s) => s.channel === channel);
      if (!this.broadcast.has(channel) && !owned) return `the client settled payment ${d.hash} on ${channel}, but no session owns the channel: its funding will never be broadcast`;
    } else if (r.k === 'funding-released' && this.settled.has(d.channel as string)) return `channel ${d.channel} is released (${d.reason}) although the client already settled payment ${this.settled.get(d.channel as string)!} on it`;
    return undefined;
  }

  atEnd(world: World): string | undefined {
    for (const [channel, hash] of this.settled) {
      const txid = this.txids.get(channel);
      if (txid === undefined) continue;
      if (world.chain.confirmedTx(txid) === undefined && !world.chain.inMempool(txid)) return `the client settled payment ${hash} on ${channel} but its funding ${txid} was never broadcast`;
    }
    return undefined;
  }
}
