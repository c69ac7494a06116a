// Planted bugs and invariants of the Lightning node model (channels, monitors, manager).
import type { BugEntry, InvariantEntry } from '../catalog.ts';
import * as penalty from './invariants/penalty-enforced.ts';

export const invariants: readonly InvariantEntry[] = [
  { name: 'payment-claimed-delivered', description: 'Every payment whose receiver revealed the preimage gets PaymentClaimed handled by its application; never one it did not claim.' },
  { name: 'payment-outcome-consistent', description: 'No PaymentFailed for a payment whose preimage reached the sender; never both outcomes; every payment the node knows ends in an outcome its application saw.' },
  { name: 'no-unconsented-claim', description: "A receiver reveals a preimage only for HTLCs its application claimed (or a restart's replay of such a claim)." },
  { name: 'monitor-safety', description: 'Never send revoke_and_ack or commitment_signed for a state whose monitor update is not durable; never send funding_signed or broadcast a funding transaction before the new channel\'s monitor is durable; never broadcast a revoked commitment.' },
  { name: 'monitor-update-order', description: 'A monitor applies updates strictly in update_id order, none twice, across restarts.' },
  { name: 'no-unrequested-force-close', description: 'No channel force-closes unless asked to, an HTLC needs it, a restart found the manager stale, or the peer misbehaved.' },
  { name: 'no-lost-htlc', description: 'After the calm phase every HTLC is resolved on both sides (off-chain or on-chain), and no node that revealed a preimage lost the HTLC it revealed it for.' },
  { name: penalty.NAME, description: penalty.DESCRIPTION },
  { name: 'balance-conservation', description: 'Every commitment spends exactly the channel capacity; after the calm phase every node holds its starting funds less what it paid plus what it was paid (the two nodes of a channel whose revoked commitment confirmed are judged by penalty-enforced; the total is still conserved).' },
  { name: 'liveness', description: 'Once faults stop, every node runs, every payment has an outcome, every event is handled, every open channel is back to normal operation (a new one usable), every channel opening has ended, and every cooperative close a node committed to has finished.' },
  { name: 'per-channel-order', description: "Each channel's peer messages take effect in the order the node received them (wire order); messages pending when the connection drops or the node crashes are dropped, never applied late." },
  { name: 'bolt2-shutdown-rules', description: 'No new update_add_htlc on a channel after the node sent shutdown there; after a reconnect, shutdown is resent before closing_signed.' },
];

const ldk = (pr: string) => `rust-lightning #${pr} (shared/seeds/ldk-async-persistence-todos.txt)`;

// DESIGN 5.1's ldk-3928 (the restart replay of an MPP claim drops the blockers of parts already claimed) is absent on
// purpose: a part whose blocker is dropped loses its preimage only if the other parts' preimage updates are also missing
// from the manager's in-flight record at the next reload, and the correct model keeps them there (restart rule: replay
// in-flight updates). Losing that record is ldk-4377, planted below; ldk-3928 alone swept 10,000 seeds with no violation.
export const bugs: readonly BugEntry[] = [
  {
    id: 'ln-early-raa',
    title: 'revoke_and_ack sent before the monitor update holding the new commitment completes',
    reference: 'ChannelMonitorUpdateStatus::InProgress contract (shared/seeds/ldk-channel-monitor-update-status.txt)',
    invariant: 'monitor-safety',
    scenario: 'two-node-payments',
    maxSeeds: 500,
  },
  {
    id: 'ln-fail-credit',
    title: 'a failed HTLC is settled in both commitments as if fulfilled (both peers agree, so no signature check notices)',
    reference: 'BOLT 2 commitment construction: removed HTLCs return to the offerer when failed',
    invariant: 'balance-conservation',
    scenario: 'two-node-payments',
    maxSeeds: 2000,
  },
  {
    id: 'ln-closed-preimage-ignored',
    title: 'a preimage given to the monitor of an already closed channel is not used to claim on-chain',
    reference: 'rust-lightning #3414 area (claims against closed channels), shared/seeds/ldk-async-persistence-todos.txt',
    invariant: 'no-lost-htlc',
    scenario: 'two-node-payments',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-3113',
    title: 'channel resumes by matching the completed update id instead of "no update in flight" when async and sync completions mix',
    reference: 'rust-lightning #3113',
    invariant: 'liveness',
    scenario: 'two-node-payments',
    maxSeeds: 2000,
  },
  {
    id: 'ldk-2112',
    title: "the sender's RAA update is not held until PaymentSent is handled, and the outbound preimage is not kept in the monitor",
    reference: ldk('2112'),
    invariant: 'payment-outcome-consistent',
    scenario: 'sender-restart',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-2169',
    title: "a forwarding node lets the downstream channel's RAA update complete while the upstream preimage update is still in progress",
    reference: ldk('2169'),
    invariant: 'no-lost-htlc',
    scenario: 'forward-async-persist',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-3120',
    title: "MPP claim: one part's channel completes its dance (pruning the preimage) while another part's preimage update is in progress; after a crash with a stale manager the claim is forgotten",
    reference: ldk('3120'),
    invariant: 'payment-claimed-delivered',
    scenario: 'mpp-part-prune',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-3414',
    title: "a claim written to an already closed channel's monitor is treated as complete at once (never tracked as in flight, so a restart finds the monitor behind a manager with no record to replay)",
    reference: ldk('3414'),
    invariant: 'liveness',
    scenario: 'closed-channel-claim',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-3988',
    title: 'the final RAA is not held on an unhandled PaymentClaimed: the channel prunes the preimage, and after a crash with a stale manager the event is never delivered',
    reference: ldk('3988'),
    invariant: 'payment-claimed-delivered',
    scenario: 'claim-event-restart',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-3450',
    title: 'a fully resolved monitor is archived while a monitor event it raised (a preimage seen on chain) is still pending: a crash before the upstream claim is durable leaves no one to replay it',
    reference: 'rust-lightning #3450 (Ensure monitors are not archived if they have a preimage we need)',
    invariant: 'no-lost-htlc',
    scenario: 'onchain-claim-archive',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-3021',
    title: 'after a restart, held monitor updates the monitor already applied are released again',
    reference: ldk('3021'),
    invariant: 'monitor-update-order',
    scenario: 'forward-async-persist',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-3989',
    title: 'an HTLC forwarded into a channel whose revocation update is held is signed into that held update; when the channel force-closes it is in neither the monitor nor the holding cell, so it is never failed back',
    reference: ldk('3989'),
    invariant: 'no-lost-htlc',
    scenario: 'forward-close-held',
    maxSeeds: 5000,
  },
  {
    id: 'ldk-1678',
    title: "a new channel's first monitor write is still in progress when the manager, already recording the channel, is persisted and the node crashes: the restart refuses to load instead of dropping the never-broadcast channel",
    reference: 'rust-lightning #1678 (Handle async initial ChannelMonitor persistence failing on restart)',
    invariant: 'liveness',
    scenario: 'channel-open-restart',
    maxSeeds: 1000,
  },
  {
    id: 'ldk-4377',
    title: 'at startup, an in-flight monitor update moved into the background queue is dropped from the in-flight record; a manager written before the queue runs, then a second crash, leaves the monitor behind with nothing to replay',
    reference: 'rust-lightning #4377 (hold in-flight monitor updates until background event processing)',
    invariant: 'liveness',
    scenario: 'forward-async-persist',
    maxSeeds: 1000,
  },
  {
    id: 'ldk-same-hash',
    title: 'a second payment with an already claimed hash is auto-claimed by the restart replay (open upstream)',
    reference: 'shared/seeds/ldk-async-persistence-todos.txt ("a second payment comes in with the same payment hash")',
    invariant: 'no-unconsented-claim',
    scenario: 'same-hash-replay',
    maxSeeds: 5000,
  },
  {
    id: 'lnd-8393',
    title: "per-channel messages fanned out to independent subsystem queues (link, closer), so shutdown can take effect before an earlier update_add_htlc/commitment_signed (add while flushing ⇒ force-close)",
    reference: 'lnd #8393 (shared/seeds/lnd-8393-link-message-ordering.txt)',
    invariant: 'per-channel-order',
    scenario: 'coop-close-inflight',
    maxSeeds: 5000,
  },
  {
    id: 'lnd-8145',
    title: 'as closing responder, shutdown is sent at once, ahead of our own held updates, and the link is never told to stop adding HTLCs',
    reference: 'lnd #8145 (coop close with HTLCs in flight; shared/seeds/lnd-8393-link-message-ordering.txt)',
    invariant: 'bolt2-shutdown-rules',
    scenario: 'coop-close-inflight',
    maxSeeds: 5000,
  },
];
