// HTLC states through the BOLT 2 commitment dance, seen from one side of a
// channel. An HTLC we offered walks the SENT_ADD… path and, once the peer
// settles it, the RCVD_REMOVE… path; one we received walks RCVD_ADD… then
// SENT_REMOVE…. Four protocol events move every HTLC at once: we send or
// receive commitment_signed, we send or receive revoke_and_ack. Which
// commitment (ours: "local", theirs: "remote") contains an HTLC follows from
// its state alone.

export const HTLC_STATES = [
  // offered by us
  'SENT_ADD_HTLC', 'SENT_ADD_COMMIT', 'RCVD_ADD_REVOCATION', 'RCVD_ADD_ACK_COMMIT', 'SENT_ADD_ACK_REVOCATION',
  'RCVD_REMOVE_HTLC', 'RCVD_REMOVE_COMMIT', 'SENT_REMOVE_REVOCATION', 'SENT_REMOVE_ACK_COMMIT', 'RCVD_REMOVE_ACK_REVOCATION',
  // offered by the peer
  'RCVD_ADD_HTLC', 'RCVD_ADD_COMMIT', 'SENT_ADD_REVOCATION', 'SENT_ADD_ACK_COMMIT', 'RCVD_ADD_ACK_REVOCATION',
  'SENT_REMOVE_HTLC', 'SENT_REMOVE_COMMIT', 'RCVD_REMOVE_REVOCATION', 'RCVD_REMOVE_ACK_COMMIT', 'SENT_REMOVE_ACK_REVOCATION',
] as const;
export type HtlcState = (typeof HTLC_STATES)[number];

export type DanceStep = 'sendCommit' | 'recvCommit' | 'sendRevoke' | 'recvRevoke';

const TRANSITIONS: Record<DanceStep, Partial<Record<HtlcState, HtlcState>>> = {
  // Our commitment_signed covers our new updates and the peer's updates we already revoked for.
  sendCommit: {
    SENT_ADD_HTLC: 'SENT_ADD_COMMIT',
    SENT_REMOVE_HTLC: 'SENT_REMOVE_COMMIT',
    SENT_ADD_REVOCATION: 'SENT_ADD_ACK_COMMIT',
    SENT_REMOVE_REVOCATION: 'SENT_REMOVE_ACK_COMMIT',
  },
  recvCommit: {
    RCVD_ADD_HTLC: 'RCVD_ADD_COMMIT',
    RCVD_REMOVE_HTLC: 'RCVD_REMOVE_COMMIT',
    RCVD_ADD_REVOCATION: 'RCVD_ADD_ACK_COMMIT',
    RCVD_REMOVE_REVOCATION: 'RCVD_REMOVE_ACK_COMMIT',
  },
  sendRevoke: {
    RCVD_ADD_COMMIT: 'SENT_ADD_REVOCATION',
    RCVD_REMOVE_COMMIT: 'SENT_REMOVE_REVOCATION',
    RCVD_ADD_ACK_COMMIT: 'SENT_ADD_ACK_REVOCATION',
    RCVD_REMOVE_ACK_COMMIT: 'SENT_REMOVE_ACK_REVOCATION',
  },
  recvRevoke: {
    SENT_ADD_COMMIT: 'RCVD_ADD_REVOCATION',
    SENT_REMOVE_COMMIT: 'RCVD_REMOVE_REVOCATION',
    SENT_ADD_ACK_COMMIT: 'RCVD_ADD_ACK_REVOCATION',
    SENT_REMOVE_ACK_COMMIT: 'RCVD_REMOVE_ACK_REVOCATION',
  },
};

export function advance(state: HtlcState, step: DanceStep): HtlcState {
  return TRANSITIONS[step][state] ?? state;
}

/** Whether the HTLC is an output of our latest commitment. */
export function inLocalCommit(state: HtlcState): boolean {
  switch (state) {
    case 'RCVD_ADD_ACK_COMMIT':
    case 'SENT_ADD_ACK_REVOCATION':
    case 'RCVD_REMOVE_HTLC':
    case 'RCVD_ADD_COMMIT':
    case 'SENT_ADD_REVOCATION':
    case 'SENT_ADD_ACK_COMMIT':
    case 'RCVD_ADD_ACK_REVOCATION':
    case 'SENT_REMOVE_HTLC':
    case 'SENT_REMOVE_COMMIT':
    case 'RCVD_REMOVE_REVOCATION':
      return true;
    default:
      return false;
  }
}

/** Whether the HTLC is an output of the peer's latest commitment (the one we signed last). */
export function inRemoteCommit(state: HtlcState): boolean {
  switch (state) {
    case 'SENT_ADD_COMMIT':
    case 'RCVD_ADD_REVOCATION':
    case 'RCVD_ADD_ACK_COMMIT':
    case 'SENT_ADD_ACK_REVOCATION':
    case 'RCVD_REMOVE_HTLC':
    case 'RCVD_REMOVE_COMMIT':
    case 'SENT_REMOVE_REVOCATION':
    case 'SENT_ADD_ACK_COMMIT':
    case 'RCVD_ADD_ACK_REVOCATION':
    case 'SENT_REMOVE_HTLC':
      return true;
    default:
      return false;
  }
}

/** The HTLC is gone from both commitments for good. */
export function isFinalRemoved(state: HtlcState): boolean {
  return state === 'RCVD_REMOVE_ACK_REVOCATION' || state === 'SENT_REMOVE_ACK_REVOCATION';
}

/** An HTLC the peer offered that is now irrevocably in both commitments: we may forward or claim it. */
export function isIrrevocablyReceived(state: HtlcState): boolean {
  return state === 'RCVD_ADD_ACK_REVOCATION';
}

/** Our updates still waiting for a commitment_signed of ours. */
export function isPendingSend(state: HtlcState): boolean {
  return state === 'SENT_ADD_HTLC' || state === 'SENT_REMOVE_HTLC';
}

/** States in which we owe the peer a commitment_signed for changes of theirs we already revoked for. */
export function needsOurSignature(state: HtlcState): boolean {
  return state === 'SENT_ADD_HTLC' || state === 'SENT_REMOVE_HTLC' || state === 'SENT_ADD_REVOCATION' || state === 'SENT_REMOVE_REVOCATION';
}
