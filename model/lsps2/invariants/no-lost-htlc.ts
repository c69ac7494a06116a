// no-lost-htlc (this slice's view): no HTLC falls out of the LSP's hands.
// - A part the LSP holds stays answerable: a session never loses track of one.
// - One incoming HTLC backs at most one forward (else the LSP pays out twice).
// - A preimage revealed downstream is claimed upstream, never failed there.
// - The tip never reaches the cltv_expiry of an HTLC the LSP holds unanswered
//   (not failed, fulfilled or forwarded) while it is up: the payer would go
//   on chain (an upstream force-close). An LSP that was down, or got the HTLC
//   only when it was already too late, answers at once when it can.
// - Nor does the LSP keep holding it past the safety margin: once it has seen
//   a block (after it took the HTLC) within CLTV_SAFETY_MARGIN blocks of the
//   expiry, the HTLC must be answered before the next block. The margin is the
//   spec's number (CLN's LSPS2 session FSM, ElementsProject/lightning#8948:
//   fail once fewer than CLTV_SAFETY_BUFFER = 6 blocks remain), a constant
//   here, not the model's configured margin: a model configured or coded with
//   a thinner buffer is caught.
// - After the calm phase every HTLC is resolved on both sides, the same way.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import type { Endpoint } from '../link.ts';
import { endStates, NODE_DOWN, type Lsps2Roles } from './roles.ts';

export const NAME = 'no-lost-htlc';
export const DESCRIPTION = 'Every HTLC is resolved on both sides after the calm phase; the LSP never loses track of a held part, never forwards one incoming HTLC twice, claims upstream every preimage revealed downstream, and never lets the tip reach the cltv_expiry of an HTLC it holds (else the upstream peer force-closes).';

function compare(offerer: Endpoint, receiver: Endpoint | undefined, where: string): string | undefined {
  for (const out of offerer.out.values()) {
    if (!out.committed) continue;
    const mine = out.resolution;
    if (mine === undefined) return `${htlcName(where, offerer, out.add.id)} is still unresolved at its offerer after the calm phase`;
    if (mine.kind === 'timeout') continue;
    const theirs = receiver?.in.get(out.add.id)?.resolution;
    if (theirs === undefined) return `${htlcName(where, offerer, out.add.id)} is resolved (${mine.kind}) at its offerer but still pending at its receiver`;
    if (theirs.kind !== mine.kind) return `${htlcName(where, offerer, out.add.id)} is ${mine.kind}ed at its offerer but ${theirs.kind}ed at its receiver`;
  }
  return undefined;
}

/** How a message names an HTLC (made only for a message: most HTLCs are fine). */
function htlcName(where: string, offerer: Endpoint, id: number): string {
  return `${where} ${offerer.scid}/${id}`;
}

/** Blocks before an HTLC's cltv_expiry by which a held HTLC must be failed (CLN #8948's CLTV_SAFETY_BUFFER). */
export const CLTV_SAFETY_MARGIN = 6;

export function noLostHtlc(roles: Lsps2Roles): Checker {
  return new NoLostHtlc(roles);
}

/**
 * A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance).
 * One method per record kind: only the hot ones get compiled.
 */
class NoLostHtlc implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /** HTLCs the LSP holds unanswered in its current incarnation: their cltv_expiry and the tip when it took them. */
  declare private readonly held: Map<string, { expiry: number; heldAt: number }>;
  declare private forwarded: Set<string>;
  declare private readonly preimageKnown: Set<string>;

  constructor(private readonly roles: Lsps2Roles) {
    this.name = NAME;
    this.kinds = ['block', 'crash', 'lsp-boot', 'lsp-hold', 'lsp-part-unreachable', 'lsp-forward', 'lsp-out-resolved', 'lsp-htlc'];
    this.held = new Map<string, { expiry: number; heldAt: number }>();
    this.forwarded = new Set<string>();
    this.preimageKnown = new Set<string>();
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    // Most blocks find no HTLC held: nothing to judge.
    if (r.k === 'block' && this.held.size === 0) return undefined;
    const d = r.d ?? {};
    if (r.k === 'block' && world.isUp(this.roles.lsp)) return this.block(d.height as number);
    if (r.n !== this.roles.lsp) return undefined;
    switch (r.k) {
      case 'crash':
        this.held.clear();
        return undefined;
      case 'lsp-boot':
        this.forwarded = new Set(d.forwarded as string[]);
        return undefined;
      case 'lsp-hold':
        this.held.set(d.htlc as string, { expiry: d.cltvExpiry as number, heldAt: world.chain.height });
        return undefined;
      case 'lsp-part-unreachable':
        return `part ${d.htlc} of payment ${d.hash as string} can no longer be answered (${d.action}): its HTLC is lost to the session`;
      case 'lsp-forward':
        return this.forward(d);
      case 'lsp-out-resolved':
        if (d.kind === 'fulfill') this.preimageKnown.add(d.in as string);
        return undefined;
      case 'lsp-htlc':
        if (d.action === 'fail' && this.preimageKnown.has(d.htlc as string)) return `the client revealed the preimage for ${d.htlc} but the LSP fails it upstream`;
        this.held.delete(d.htlc as string);
        return undefined;
    }
    return undefined;
  }

  private block(height: number): string | undefined {
    for (const [htlc, { expiry, heldAt }] of this.held) {
      if (height >= expiry) return `the tip reaches ${height}, the cltv_expiry of ${htlc}, which the LSP still holds unanswered: the upstream peer force-closes`;
      // The LSP saw block height-1 after taking the HTLC, and at that block fewer than the margin was left.
      const seen = height - 1;
      if (seen > heldAt && seen + CLTV_SAFETY_MARGIN >= expiry) return `the LSP saw block ${seen}, within ${CLTV_SAFETY_MARGIN} blocks of the cltv_expiry ${expiry} of ${htlc}, and still holds it unanswered: it must fail it before the upstream peer must go on chain`;
    }
    return undefined;
  }

  private forward(d: Readonly<Record<string, unknown>>): string | undefined {
    for (const p of d.parts as { in: string; failedLocally?: boolean }[]) {
      if (p.failedLocally) continue;
      if (this.forwarded.has(p.in)) return `incoming HTLC ${p.in} backs a second forward into ${d.channel}: the LSP pays out twice for it`;
      this.forwarded.add(p.in);
      this.held.delete(p.in);
    }
    return undefined;
  }

  atEnd(world: World): string | undefined {
    const states = endStates(world, this.roles);
    if (!states) return NODE_DOWN;
    const { payer, lsp, client } = states;
    for (const ep of payer.links.values()) {
      const problem = compare(ep, lsp.links.get(ep.scid), 'payer→LSP');
      if (problem) return problem;
    }
    for (const chan of lsp.channels.values()) {
      const ep = lsp.links.get(chan.id);
      if (!ep || ep.closed) continue;
      const problem = compare(ep, client.links.get(chan.id), 'LSP→client');
      if (problem) return problem;
    }
    for (const key of this.preimageKnown) {
      const [scid, id] = key.split('/');
      const r = lsp.links.get(scid)?.in.get(Number(id))?.resolution;
      if (r?.kind !== 'fulfill') return `the client revealed the preimage for ${key} but the LSP never claimed it upstream`;
    }
    return undefined;
  }
}
