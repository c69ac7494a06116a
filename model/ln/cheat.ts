// The adversarial counterparty (docs/DESIGN.md 3.8), as fault actions a node offers
// and the fault plan chooses: the model decides nothing here on its own.
//
// - broadcast-revoked: the node broadcasts one of its own commitments it has
//   revoked (it kept its old states: Channel.revokedLocal), at any moment the
//   fault plan picks, whatever its peer is doing (down, its monitor writes
//   stalled).
// - broadcast-stale: right after a restart from a stale manager (the monitor
//   is ahead of it by two commitments or more, so the manager's commitment is
//   surely revoked), the node broadcasts the manager's commitment instead of
//   the monitor's: an old state, as a node restored from a stale copy would.
//
// Either way the peer's monitor must punish it within the CSV window
// (penalty-enforced). The cheater's own monitor then treats the confirmed
// commitment like any of its own older ones: its HTLC claims take the
// second-stage delay (monitor.ts), so the penalty can still win them.
import type { Tx } from '../../sim/chain.ts';
import type { FaultAction, NodeEnv } from '../../sim/node.ts';
import { commitmentTx } from './onchain.ts';
import type { Channel, Commitment, Monitor } from './types.ts';

export const BROADCAST_REVOKED = 'broadcast-revoked';
export const BROADCAST_STALE = 'broadcast-stale';

export interface CheatCommand {
  readonly type: 'cheat';
  readonly kind: typeof BROADCAST_REVOKED | typeof BROADCAST_STALE;
  readonly channel: string;
  readonly number: number;
}

/** What a node needs to offer and carry out a cheat. */
export interface CheatView {
  readonly id: string;
  readonly channels: readonly Channel[];
  readonly monitors: readonly Monitor[];
}

/** The cheats this node can commit now: each revoked commitment it kept, and a stale manager commitment after a restart. */
export function cheatActions(view: CheatView, env: NodeEnv): FaultAction[] {
  const actions: FaultAction[] = [];
  for (const ch of view.channels) {
    // Once the funding is spent (or a close is already in the mempool) the race is over.
    if (env.chain.spender(ch.funding) !== undefined) continue;
    for (const c of ch.revokedLocal ?? []) {
      if (c.number > ch.localRevokedUpTo) continue;
      const command: CheatCommand = { type: 'cheat', kind: BROADCAST_REVOKED, channel: ch.id, number: c.number };
      actions.push({ kind: BROADCAST_REVOKED, label: `${view.id} broadcasts its revoked commitment ${c.number} of ${ch.id}`, command });
    }
    const m = view.monitors.find((x) => x.channel === ch.id);
    if (m && ch.localCommit.number + 2 <= m.holderCommitment.number) {
      const command: CheatCommand = { type: 'cheat', kind: BROADCAST_STALE, channel: ch.id, number: ch.localCommit.number };
      actions.push({ kind: BROADCAST_STALE, label: `${view.id} broadcasts the stale commitment ${ch.localCommit.number} of ${ch.id} its manager restored`, command });
    }
  }
  return actions;
}

/** The commitment a cheat command names, as a transaction (undefined: no longer available). */
export function cheatTx(view: CheatView, command: CheatCommand): Tx | undefined {
  const ch = view.channels.find((c) => c.id === command.channel);
  if (!ch) return undefined;
  const candidates: Commitment[] = command.kind === BROADCAST_REVOKED ? (ch.revokedLocal ?? []) : [ch.localCommit];
  const c = candidates.find((x) => x.number === command.number);
  return c && commitmentTx(ch.id, view.id, ch.peer, ch.funding, c);
}

/** Carry out a cheat: trace it, then broadcast the old commitment. */
export function cheat(view: CheatView, env: NodeEnv, command: CheatCommand): void {
  const tx = cheatTx(view, command);
  if (!tx) return;
  env.trace('cheat', { kind: command.kind, channel: command.channel, number: command.number, txid: tx.txid });
  env.broadcast(tx);
}
