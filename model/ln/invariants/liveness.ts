// liveness: once faults stop, every node is up and running, every payment has
// an outcome, every event was handled, and every open channel is back to
// normal operation (nothing in flight, nothing held, peers reestablished, a
// new channel usable), every channel opening has ended one way or the other,
// and every cooperative close a node committed to has finished.
import type { Checker, World } from '../../../sim/world.ts';
import { lnState } from './ledger.ts';

export function liveness(): Checker {
  return new Liveness();
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class Liveness implements Checker {
  declare readonly name: string;

  constructor() {
    this.name = 'liveness';
  }

  atEnd(world: World): string | undefined {
    for (const node of world.nodeIds()) {
      const state = lnState(world, node);
      if (!state) return `${node} is still down after the calm phase`;
      if (state.refused) return `${node} refused to start: ${state.refused}`;
      for (const ch of state.mgr.channels) {
        if (ch.status !== 'open') continue;
        if (ch.inFlight.length > 0) return `${node}'s channel ${ch.id} is frozen with monitor update(s) ${ch.inFlight.map((u) => u.id).join(',')} in flight`;
        if ((state.outbox[ch.id] ?? []).length > 0) return `${node}'s channel ${ch.id} still holds ${state.outbox[ch.id].map((m) => m.type).join(',')}`;
        if (!state.reestablished[ch.id]) return `${node}'s channel ${ch.id} never reestablished with ${ch.peer}`;
        if (ch.awaitingRevoke) return `${node}'s channel ${ch.id} still awaits revoke_and_ack`;
        if (ch.opening && ch.opening.stage !== 'ready') return `${node}'s new channel ${ch.id} never became usable (${ch.opening.role}, ${ch.opening.stage}, channel_ready ${ch.opening.readySent ? 'sent' : 'not sent'}, peer's ${ch.opening.peerReady ? 'received' : 'not received'})`;
        if (ch.close?.intent) return `${node}'s cooperative close of ${ch.id} never finished (${ch.htlcs.length} HTLC(s) left, shutdown ${ch.close.sentShutdown ? 'sent' : 'not sent'}, peer's ${ch.close.receivedShutdown ? 'received' : 'not received'})`;
      }
      if (state.negotiations.length > 0) return `${node}'s opening of ${state.negotiations[0].channel} never finished (${state.negotiations[0].role}, ${state.negotiations[0].stage})`;
      // Loops, not .find with an arrow made per node.
      const outbound = state.mgr.outbound;
      for (let i = 0; i < outbound.length; i++) if (outbound[i].status === 'pending') return `${node}'s payment ${outbound[i].paymentId} never got an outcome`;
      const claimable = state.mgr.claimable;
      for (let i = 0; i < claimable.length; i++) if (claimable[i].status !== 'claimed') return `${node}'s inbound payment ${claimable[i].paymentId} is stuck ${claimable[i].status}`;
      if (state.mgr.events.length > 0) return `${node} has ${state.mgr.events.length} unhandled event(s): ${state.mgr.events.map((e) => e.event.type).join(', ')}`;
    }
    return undefined;
  }
}
