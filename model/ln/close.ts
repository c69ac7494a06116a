// Cooperative close (BOLT 2 "Channel Close"), as plain data and pure
// predicates over a Channel. The node drives it: it asks these functions
// whether it may add, send `shutdown`, or negotiate, and acts.
//
// Rules kept: once we intend to close we offer no new HTLC; `shutdown` goes
// out only when none of our updates is still missing from the peer's
// commitment, and only once our intent is durable (a restart must not forget
// it and start adding again); on receiving `shutdown` we stop adding too and
// reply once our own updates are flushed; HTLCs in flight settle normally;
// `closing_signed` is exchanged once no HTLC is left; both sides then
// broadcast the same closing transaction. Everything learned on a connection
// (their shutdown, the negotiation) is forgotten on disconnect: after
// `channel_reestablish` each side resends `shutdown` if it intends to close.
import type { Tx } from '../../sim/chain.ts';
import type { Message } from '../../sim/node.ts';
import { isPendingSend } from './htlc.ts';
import { packedMap } from './packed.ts';
import type { Channel, CoopClose } from './types.ts';

/** The closing fee both sides agree on: zero, so the closing transaction pays out exactly the channel's balances. */
export const CLOSING_FEE = 0;

export function newClose(): CoopClose {
  return { intent: false, intentDurable: false, sentShutdown: false, receivedShutdown: false, sentClosingSigned: false, peerProposal: undefined };
}

/** Disk keys under this prefix record our intent to close a channel, one key per channel. */
export const SHUTDOWN_PREFIX = 'shutdown/';

export function shutdownKey(channel: string): string {
  return `${SHUTDOWN_PREFIX}${channel}`;
}

/** Forget what belonged to the connection (on disconnect and at boot); the intent stays. */
export function resetConnection(c: CoopClose): void {
  c.sentShutdown = false;
  c.receivedShutdown = false;
  c.sentClosingSigned = false;
  c.peerProposal = undefined;
}

/**
 * Whether we may offer a new HTLC on the channel. `linkTracksPeerShutdown`
 * false is the lnd-8145 deviation: the link is not told of the peer's shutdown.
 */
export function acceptsAdds(ch: Channel, linkTracksPeerShutdown = true): boolean {
  const c = ch.close;
  if (!c) return true;
  return !c.intent && !(linkTracksPeerShutdown && c.receivedShutdown);
}

/** None of our updates waits for a commitment_signed of ours (BOLT 2: shutdown only then). */
export function ourUpdatesFlushed(ch: Channel): boolean {
  return !ch.htlcs.some((h) => isPendingSend(h.state));
}

/** We may send `shutdown` now (connection and monitor readiness are the node's to check). */
export function shutdownDue(ch: Channel): boolean {
  const c = ch.close;
  return c !== undefined && c.intent && c.intentDurable && !c.sentShutdown && ourUpdatesFlushed(ch);
}

/** Both shutdowns crossed, no HTLC left, no signature owed either way: the balances are final. */
export function readyToNegotiate(ch: Channel, changesToSign: boolean): boolean {
  const c = ch.close;
  return (
    c !== undefined &&
    c.sentShutdown &&
    c.receivedShutdown &&
    ch.htlcs.length === 0 &&
    !ch.awaitingRevoke &&
    !changesToSign &&
    ch.localCommit.toHolder === ch.remoteCommit.toCounterparty &&
    ch.localCommit.toCounterparty === ch.remoteCommit.toHolder
  );
}

export function shutdownMessage(ch: Channel): Message {
  return { type: 'shutdown', channel: ch.id };
}

/** Our proposal: each side's balance of the final commitment, less the (fixed) fee. */
export function closingSignedMessage(ch: Channel): Message {
  return { type: 'closing_signed', channel: ch.id, toSender: ch.localCommit.toHolder, toReceiver: ch.localCommit.toCounterparty, fee: CLOSING_FEE };
}

/** The peer's proposal matches ours exactly (a fixed-fee agreement: anything else is a protocol error). */
export function proposalAgrees(ch: Channel, p: NonNullable<CoopClose['peerProposal']>): boolean {
  return p.fee === CLOSING_FEE && p.toSender === ch.localCommit.toCounterparty && p.toReceiver === ch.localCommit.toHolder;
}

/** The closing transaction: the same bytes on both sides (outputs in node-id order), each side paid its balance. */
export function closingTx(ch: Channel, us: string): Tx {
  const shares = [
    { node: us, value: ch.localCommit.toHolder },
    { node: ch.peer, value: ch.localCommit.toCounterparty },
  ]
    .filter((s) => s.value > 0)
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return {
    txid: `close/${ch.id}`,
    inputs: [ch.funding],
    outputs: packedMap(shares, (s) => ({ value: s.value, script: `wallet/${s.node}` })),
    label: 'closing',
  };
}
