// Planted bugs and invariants of the Lightning node model (channels, monitors, manager).
import type { BugEntry, InvariantEntry } from '../catalog.ts';

export const invariants: readonly InvariantEntry[] = [
  { name: 'monitor-safety', description: 'Never send revoke_and_ack or commitment_signed for a state whose monitor update is not durable; never broadcast a revoked commitment.' },
  { name: 'monitor-update-order', description: 'A monitor applies updates strictly in update_id order, none twice, across restarts.' },
  { name: 'no-unrequested-force-close', description: 'No channel force-closes unless asked to, an HTLC needs it, a restart found the manager stale, or the peer misbehaved.' },
  { name: 'no-lost-htlc', description: 'After the calm phase every HTLC is resolved on both sides (off-chain or on-chain), and no node that revealed a preimage lost the HTLC it revealed it for.' },
  { name: 'balance-conservation', description: 'Every commitment spends exactly the channel capacity; after the calm phase every node holds its starting funds less what it paid plus what it was paid.' },
  { name: 'liveness', description: 'Once faults stop, every node runs, every payment has an outcome, every event is handled, and every open channel is back to normal operation.' },
];

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
];
