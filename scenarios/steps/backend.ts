// What the step vocabulary needs from a node backend (the LDK-style model, a
// real-LDK node...): which disk keys are a channel's monitor or the manager, a
// few observable facts for `expect`, and the command that opens a channel.
// Everything else a step does goes through the kernel or the node command
// contract (commands.ts), which every backend accepts.
import type { World } from '../../sim/world.ts';

export interface StepBackend {
  /** Matches the disk keys of one channel's monitor (its snapshot and its update files). */
  monitorKeys(channel: string): (key: string) => boolean;
  /** Matches the disk keys of any monitor. */
  readonly anyMonitorKey: (key: string) => boolean;
  /** Matches the disk keys of the manager. */
  readonly managerKey: (key: string) => boolean;
  /** The event types nodes raise (PaymentClaimed...), for validating `expect` steps. */
  readonly eventTypes: readonly string[];
  /** The payment hash of a payment id (events such as PaymentClaimed carry only the hash). */
  paymentHash(paymentId: string): string;
  /** The channel's status in the node's memory; undefined when the node is down or does not know the channel. */
  channelStatus(world: World, node: string, channel: string): 'open' | 'closed' | undefined;
  /** The update id of the channel's monitor as the node's durable disk holds it (what a crash now would load). */
  durableMonitorUpdate(world: World, node: string, channel: string): number | undefined;
  /** The command that makes the funder of a channel declared by an `open` step open it. */
  openCommand(channel: string): unknown;
}
