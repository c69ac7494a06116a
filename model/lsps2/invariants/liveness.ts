// liveness (this slice's view): once faults stop, everything converges.
// Every payment the payer started has an outcome, every LSP session has ended
// (a session that waits past the calm phase waits for something that will
// never come), no active datastore entry holds a channel no session will
// finish, and every purchase the client started got its answer.
import type { Checker, World } from '../../../sim/world.ts';
import { ACTIVE_PREFIX, decodeEntry } from '../lsp/datastore.ts';
import { unfinishedPurchases } from '../nodes/client.ts';
import { unresolvedPayments } from '../nodes/payer.ts';
import { endStates, NODE_DOWN, type Lsps2Roles } from './roles.ts';

export const NAME = 'liveness';
export const DESCRIPTION = 'Once faults stop, every payment resolves and every node is back to normal within the calm phase: LSPS2 sessions all ended, no datastore entry left active with a channel nobody will finish, every purchase answered.';

export function liveness(roles: Lsps2Roles): Checker {
  return new Liveness(roles);
}

/** A class, members made in its constructor: its compiled methods outlive the run (docs/DESIGN.md, Performance). */
class Liveness implements Checker {
  declare readonly name: string;

  constructor(private readonly roles: Lsps2Roles) {
    this.name = NAME;
  }

  atEnd(world: World): string | undefined {
    const states = endStates(world, this.roles);
    if (!states) return NODE_DOWN;
    const { payer, lsp, client } = states;
    const unpaid = unresolvedPayments(payer);
    if (unpaid.length > 0) return `payment ${unpaid[0]} has no outcome after the calm phase`;
    const waiting = [...lsp.sessions.values()][0];
    if (waiting) return `the session for ${waiting.hash} on ${waiting.scid} is still ${waiting.state.kind} after the calm phase`;
    const live = new Set([...lsp.sessions.values()].map((s) => s.hash));
    const disk = world.disk(this.roles.lsp);
    for (const key of disk.keys(ACTIVE_PREFIX)) {
      const entry = decodeEntry(disk.read(key)!);
      if (entry?.channel !== undefined && !live.has(entry.hash)) return `datastore entry ${key} still holds channel ${entry.channel} but no session will finish it (recovered again at every restart)`;
    }
    const unanswered = unfinishedPurchases(client);
    if (unanswered.length > 0) return `the client's purchase ${unanswered[0]} never got an answer`;
    return undefined;
  }
}
