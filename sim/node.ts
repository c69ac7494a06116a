// The contract between the kernel and a simulated node. The kernel knows
// nothing of what a node does; a node knows nothing of faults. A node sees
// only its NodeEnv (disk, peers, chain, timers) and is driven by the inputs
// below. Memory is whatever `boot` returns; a crash throws it away and the
// next `boot` must rebuild it from disk alone.
import type { DiskView } from './disk.ts';
import type { Block, BroadcastResult, OutPoint, Tx, TxOutput } from './chain.ts';

/** A peer message: plain JSON data with a type. */
export interface Message {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Read-only view of the chain. */
export interface ChainView {
  readonly height: number;
  /** Changes whenever the mempool or the confirmed transactions change (Chain.revision); absent: unknown, assume it changed. */
  readonly revision?: number;
  confirmations(txid: string): number;
  confirmedTx(txid: string): Tx | undefined;
  spender(outpoint: OutPoint): string | undefined;
  output(outpoint: OutPoint): TxOutput | undefined;
  inMempool(txid: string): boolean;
  /** Blocks after `height` (a node that was down catches up with these). */
  blocksAfter(height: number): readonly Block[];
}

export interface NodeEnv {
  readonly id: string;
  /** Virtual time. */
  readonly now: number;
  /**
   * A script drives the world right now (scripted scenario steps): the application leaves nothing to chance (it takes
   * its default decisions; `draw` answers 0 without drawing) and the steps decide. Optional: absent means false.
   */
  readonly scripted?: boolean;
  readonly chain: ChainView;
  readonly disk: DiskView;
  /** Send to a peer over the ordered transport; dropped if not connected. */
  send(to: string, message: Message): void;
  isConnected(peer: string): boolean;
  broadcast(tx: Tx): BroadcastResult;
  /** Call `onTimer(tag, data)` after `delay` ticks, unless the node crashes first. */
  setTimer(delay: number, tag: string, data?: unknown): void;
  /**
   * Which of n ready work items to run next (scheduler nondeterminism inside a node:
   * independent goroutines, queues). 0 unless the run enables reordering.
   */
  pick(n: number, label: string): number;
  /** A decision of the node's simulated environment that is not a fault (application behaviour), drawn from the 'app' stream. */
  draw(n: number, label: string): number;
  /** Append a model event to the trace (payment claimed, event handled...). */
  trace(kind: string, data?: Record<string, unknown>): void;
}

/** A fault the node offers to suffer (peer force-close, broadcast of a revoked state...), chosen by the fault plan. */
export interface FaultAction {
  /** Matches a key of FaultProfile.actions. */
  readonly kind: string;
  readonly label: string;
  readonly command: unknown;
}

export interface NodeBehaviour<S = unknown> {
  /** Start (or restart after a crash) from disk. */
  boot(env: NodeEnv): S;
  onMessage(state: S, env: NodeEnv, from: string, message: Message): void;
  /** A pending write tagged `tag` became durable. */
  onDurable(state: S, env: NodeEnv, tag: string): void;
  onTimer(state: S, env: NodeEnv, tag: string, data: unknown): void;
  onBlock(state: S, env: NodeEnv, block: Block): void;
  onConnect(state: S, env: NodeEnv, peer: string): void;
  onDisconnect(state: S, env: NodeEnv, peer: string): void;
  /** Workload and fault-action commands. */
  onCommand(state: S, env: NodeEnv, command: unknown): void;
  /** Calm phase begins: the node stops anything that only a fault phase allows. */
  onCalm?(state: S, env: NodeEnv): void;
  faultActions?(state: S, env: NodeEnv): FaultAction[];
  /** Plain-data picture of memory, for the TUI and failure reports. */
  snapshot?(state: S): unknown;
}
