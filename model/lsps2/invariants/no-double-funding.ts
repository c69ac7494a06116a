// no-double-funding: at most one funding transaction per JIT channel purchase.
// A purchase may be funded again only if every earlier funding was released
// before any HTLC went into it (recovery's "no forwards ⇒ release" and the
// orphan scan make a purchase unfunded again). Funding inputs are never in two
// live fundings, a released funding is never broadcast, and a funding whose
// session is gone is released (unless the client settled: then it must be
// broadcast, which funding-broadcast-after-settle judges).
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import type { LspNodeState } from '../lsp/node.ts';
import type { Lsps2Roles } from './roles.ts';

export const NAME = 'no-double-funding';
export const DESCRIPTION = 'At most one funding transaction per JIT channel purchase: a purchase is funded again only after its earlier funding was released before carrying any HTLC; funding inputs are never spent twice, released fundings are never broadcast, and abandoned fundings are released.';

interface Funding {
  readonly channel: string;
  readonly purchase: string;
  readonly inputs: readonly string[];
  live: boolean;
  forwarded: boolean;
  broadcast: boolean;
}

export function noDoubleFunding(roles: Lsps2Roles): Checker {
  return new NoDoubleFunding(roles);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class NoDoubleFunding implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  declare private readonly fundings: Map<string, Funding>;
  declare private readonly settled: Set<string>;

  constructor(private readonly roles: Lsps2Roles) {
    this.name = NAME;
    this.kinds = ['lsp-boot', 'funding-created', 'lsp-forward', 'lsp-settled', 'funding-released', 'funding-broadcast'];
    this.fundings = new Map<string, Funding>();
    this.settled = new Set<string>();
  }

  onRecord(r: TraceRecord): string | undefined {
    return r.n === this.roles.lsp ? this.onLsp(r) : undefined;
  }

  atEnd(world: World): string | undefined {
    const lsp = world.state<LspNodeState>(this.roles.lsp);
    if (!lsp) return `the LSP is down at the end of the run`;
    const inUse = new Set<string>();
    for (const s of lsp.sessions.values()) if (s.channel !== undefined) inUse.add(s.channel);
    for (const f of this.fundings.values()) {
      if (f.live && !f.broadcast && !this.settled.has(f.channel) && !inUse.has(f.channel)) return `funding of ${f.channel} (purchase ${f.purchase}) is neither broadcast nor released, and no session will finish it: its coin stays locked`;
    }
    return undefined;
  }

  private onLsp(r: TraceRecord): string | undefined {
    const fundings = this.fundings;
    const d = r.d ?? {};
    switch (r.k) {
      case 'lsp-boot':
        for (const f of fundings.values()) {
          const on = (d.channels as { id: string; state: string; forwards: number }[]).find((c) => c.id === f.channel);
          f.live = on !== undefined && (on.state === 'opening' || on.state === 'withheld');
          f.broadcast ||= on?.state === 'broadcast';
          f.forwarded = (on?.forwards ?? 0) > 0;
        }
        return undefined;
      case 'funding-created': {
        const purchase = d.purchase as string;
        const inputs = d.inputs as string[];
        for (const f of fundings.values()) {
          if (f.purchase === purchase && f.live) return `purchase ${purchase} gets a second live funding (${d.channel}) while ${f.channel} is still live`;
          if (f.purchase === purchase && (f.forwarded || f.broadcast)) return `purchase ${purchase} is funded again (${d.channel}) after channel ${f.channel} carried its payment`;
          const shared = inputs.find((i) => f.live && f.inputs.includes(i));
          if (shared) return `coin ${shared} funds ${d.channel} while live funding ${f.channel} holds it`;
        }
        fundings.set(d.channel as string, { channel: d.channel as string, purchase, inputs, live: true, forwarded: false, broadcast: false });
        return undefined;
      }
      case 'lsp-forward': {
        const f = fundings.get(d.channel as string);
        if (f && (d.parts as { failedLocally?: boolean }[]).some((p) => !p.failedLocally)) f.forwarded = true;
        return undefined;
      }
      case 'lsp-settled':
        this.settled.add(d.channel as string);
        return undefined;
      case 'funding-released': {
        const f = fundings.get(d.channel as string);
        if (f) f.live = false;
        return undefined;
      }
      case 'funding-broadcast': {
        const f = fundings.get(d.channel as string);
        if (!f) return undefined;
        if (!f.live && !f.broadcast) return `funding of ${f.channel} is broadcast after it was released`;
        const other = [...fundings.values()].find((g) => g !== f && g.purchase === f.purchase && g.broadcast);
        if (other) return `purchase ${f.purchase} has a second funding broadcast (${f.channel} after ${other.channel})`;
        if (d.result === 'conflict') return `funding of ${f.channel} conflicts with a spend of its coin already on chain`;
        f.broadcast = true;
        return undefined;
      }
    }
    return undefined;
  }
}
