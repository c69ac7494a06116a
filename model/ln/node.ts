// An LDK-style Lightning node: a ChannelManager persisted as one blob by a
// background processor, a ChannelMonitor per channel persisted update by
// update (each persist may complete now or later: Completed / InProgress),
// channel messages held while any monitor update of the channel is in flight,
// RAA-blocking actions, forwarding and multi-part payments, restart that
// reconciles the manager with the monitors, and events delivered at least
// once to an application that claims what it can.
//
// This file is the entry point; the model lives in node/, one concern a file. Every step is a plain function
// taking an LnNode (node/state.ts): the configuration, the node's memory, and the current callback's env.
//   behaviour.ts          the NodeBehaviour: dispatches messages, durable writes, timers, blocks, commands
//   boot.ts               boot and restart reconciliation
//   background.ts         the background processor: startup updates, event handling, manager writes
//   manager.ts            events, the dirty flag, manager writes and their durability
//   monitor-updates.ts    monitor updates: held, deferred, persisted, completed, snapshotted
//   completion.ts         what waits on durable monitor updates
//   blockers.ts           RAA-blocking actions
//   channel-io.ts         the channel state machine's outbox and monitor updates; what gates a channel
//   pump.ts               let every channel do what it may now
//   messages.ts           channel message dispatch and handling
//   payments.ts           send, receive and claim, replay at restart
//   settle-inbound.ts     fail back or claim one inbound HTLC
//   forwarding.ts         forward an inbound HTLC; settle its upstream edge when the downstream one settles
//   opening.ts            channel opening
//   closing.ts            force and cooperative close as the manager records it; watching the chain
//   cooperative-close.ts  shutdown and closing_signed
//   blocks.ts             per block: expiries, stalled openings
//   archiving.ts          archiving fully resolved monitors
//   params.ts, state.ts   parameters, configuration and memory
export { makeLnNode } from './node/behaviour.ts';
export { DEFAULT_PARAMS, lnParams, type LnParams } from './node/params.ts';
export type { PayCommand } from './node/payments.ts';
export { emptyManager, MANAGER_KEY, nodeContext, type LnNode, type LnNodeConfig, type LnState, type StartupUpdate } from './node/state.ts';
