// fail-back-in-time: a receiver fails back a final-hop HTLC it will not claim
// before its peer has to force-close the channel for it. When the offerer goes
// on-chain because the HTLC nears its expiry (its `force-close` record gives
// the reason `htlc-timeout` and the HTLC), the receiver, if it is running,
// must already have decided: fulfilled or failed it. A receiver that still
// holds it, irrevocably committed and not waiting on its own stalled monitor
// (then it cannot act at all; liveness and no-lost-htlc judge that), cost its
// peer a channel and the chain fees for nothing. A receiver that (re)started
// after the previous block has not yet seen a block of its new life: its
// expiry rules have not run since its disk brought the HTLC back (a decision
// a crash took away), so it is not judged at this block.
//
// Oracles: the offerer's force-close record (the trace), the HTLC being a
// final-hop one from the onion the offerer sent on the wire, and the
// receiver's channel state read as plain data (BOLT 2 state name, removal);
// no model function is called.
import type { TraceRecord } from '../../../sim/trace.ts';
import type { Checker, World } from '../../../sim/world.ts';
import { receivedHtlc } from '../channel.ts';
import { lnState, type Topology } from './ledger.ts';

export const NAME = 'fail-back-in-time';
export const DESCRIPTION =
  'A receiver fails back (or fulfills) a final-hop HTLC before its peer must force-close the channel for it at expiry: when the offerer goes on-chain for an HTLC, the running receiver has already answered it.';

export function failBackInTime(topology: Topology): Checker {
  return new FailBackInTime(topology);
}

/**
 * A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance).
 * The rare force-close is judged in its own method: the hot records compile without it.
 */
class FailBackInTime implements Checker {
  declare readonly name: string;
  declare readonly kinds: readonly string[];
  /** "channel#id>receiver" of HTLCs whose onion ends at the receiver. */
  declare private readonly finalHop: Set<string>;
  /** When each node last (re)started, and when the block before the current one was mined. */
  declare private readonly booted: Map<string, number>;
  declare private previousBlock: number;
  declare private currentBlock: number;

  constructor(private readonly topology: Topology) {
    this.name = NAME;
    this.kinds = ['restart', 'start', 'block', 'send', 'force-close'];
    this.finalHop = new Set<string>();
    this.booted = new Map<string, number>();
    this.previousBlock = -1;
    this.currentBlock = -1;
  }

  onRecord(r: TraceRecord, world: World): string | undefined {
    if ((r.k === 'restart' || r.k === 'start') && r.n) this.booted.set(r.n, r.t);
    if (r.k === 'block') {
      this.previousBlock = this.currentBlock;
      this.currentBlock = r.t;
      return undefined;
    }
    if (r.k === 'send' && r.n) {
      const m = r.d!.message as { type: string; channel: string; id: number; onion?: { paymentId?: string } };
      if (m.type === 'update_add_htlc') {
        const key = `${m.channel}#${m.id}>${r.d!.to as string}`;
        if (m.onion?.paymentId !== undefined) this.finalHop.add(key);
        else this.finalHop.delete(key);
      }
      return undefined;
    }
    if (r.k !== 'force-close' || !r.n || r.d!.reason !== 'htlc-timeout' || r.d!.htlc === undefined) return undefined;
    return this.forceClose(world, r.n, r.d!.channel as string, r.d!.htlc as number);
  }

  private forceClose(world: World, offerer: string, channel: string, id: number): string | undefined {
    const [a, b] = this.topology.channels[channel];
    const receiver = offerer === a ? b : a;
    if (!this.finalHop.has(`${channel}#${id}>${receiver}`)) return undefined;
    if ((this.booted.get(receiver) ?? 0) > this.previousBlock) return undefined;
    const state = lnState(world, receiver);
    const ch = state?.mgr.channels.find((c) => c.id === channel);
    if (!state || state.refused || ch?.status !== 'open') return undefined;
    const htlc = receivedHtlc(ch.htlcs, id);
    // Irrevocably committed to the receiver (BOLT 2), not answered, and not waiting for the receiver's own monitor.
    if (!htlc || htlc.removal || htlc.state !== 'RCVD_ADD_ACK_REVOCATION' || ch.pendingInbound.includes(id)) return undefined;
    return `${receiver} still held final-hop HTLC ${id} on ${channel}, neither claimed nor failed back, when ${offerer} had to force-close for it at height ${world.chain.height} (expiry ${htlc.cltv})`;
  }
}
