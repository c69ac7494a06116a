// The step vocabulary of scripted scenarios: `steps: [...]` in defineScenario.
// Each step is a plain object with one key. Steps act through the kernel (disk
// holds, message delivery, crashes, the chain) and through node commands, and
// `expect` judges observable facts (trace records, the node's snapshot, its
// durable disk): nothing here depends on how a node is built, so one script
// drives the model nodes and real-LDK nodes alike.
//
// While steps run nothing random happens: no fault fires, every message takes
// one tick, every write is durable at once unless a hold keeps it pending, and
// the application claims what it is not told to refuse. After each step the
// world runs until nothing is left to happen; then the next step starts.
import type { KeepWrites } from '../../sim/script.ts';

export type { KeepWrites };

/** Which of a node's held writes a completeWrites step makes durable (in issue order). Default 'all'. */
export type WhichWrites = 'oldest' | 'newest' | 'all';

/** How many held messages a deliver or drop step takes: a positive count, or 'all'. Default 1. */
export type MessageCount = number | 'all';

/**
 * N: node ids; C: channel ids (topology and opened); O: the ids `open` steps give their channels (inferred from them,
 * so later steps may name an opened channel).
 */
export type Step<N extends string = string, C extends string = string, O extends string = string> =
  // ---- workload -------------------------------------------------------------
  /** `from` pays `to` `amount` satoshis (split in `parts` over distinct paths where possible). `id` names the payment in later steps. */
  | { readonly pay: { readonly from: N; readonly to: N; readonly amount: number; readonly id: string; readonly parts?: number } }
  /** The payee's application claims a claimable payment now (it need not have handled PaymentClaimable). */
  | { readonly claim: { readonly node: N; readonly payment: string } }
  /** The payee's application refuses a payment: fails it back now if claimable, else when it becomes claimable. */
  | { readonly refuse: { readonly node: N; readonly payment: string } }
  /** The node's application stops handling events: they stay pending (and unpersisted as handled) until handled or released. */
  | { readonly holdEvents: N }
  /** The node's application handles its pending events now, once (a hold stays). */
  | { readonly handleEvents: N }
  /** The node's application handles events again as they come (ends holdEvents). */
  | { readonly releaseEvents: N }
  /** Open a channel during the run, funded from a wallet coin the funder holds from genesis. Later steps may name it. */
  | { readonly open: { readonly channel: O; readonly funder: N; readonly fundee: N; readonly capacity: number } }
  /** `node` starts a cooperative close of `channel`. */
  | { readonly close: { readonly node: N; readonly channel: C } }
  /** `node` force-closes `channel` (broadcasts its latest commitment). */
  | { readonly forceClose: { readonly node: N; readonly channel: C } }
  // ---- persistence ----------------------------------------------------------
  /**
   * From now on the node's writes stay pending (ChannelMonitorUpdateStatus::InProgress) until a step completes them:
   * `monitor: 'ab'` one channel's monitor, `monitor: 'all'` every monitor, `manager: true` the manager.
   */
  | { readonly holdWrites: { readonly node: N; readonly monitor?: C | 'all'; readonly manager?: boolean } }
  /** Make held writes durable: of one channel's monitor (`monitor`) or of the manager (`manager: true`); `which` of them (default all). */
  | { readonly completeWrites: { readonly node: N; readonly monitor?: C; readonly manager?: boolean; readonly which?: WhichWrites } }
  /** Stop holding (as holdWrites names them) and complete whatever is held there. */
  | { readonly releaseWrites: { readonly node: N; readonly monitor?: C | 'all'; readonly manager?: boolean } }
  // ---- network --------------------------------------------------------------
  /** From now on messages from → to wait until a deliver or drop step. */
  | { readonly holdMessages: { readonly from: N; readonly to: N } }
  /** Deliver held messages from → to, oldest first (default one). */
  | { readonly deliver: { readonly from: N; readonly to: N; readonly count?: MessageCount } }
  /** Drop held messages from → to, oldest first (default one), as if never sent. */
  | { readonly drop: { readonly from: N; readonly to: N; readonly count?: MessageCount } }
  /** Stop holding from → to and deliver what is held. */
  | { readonly releaseMessages: { readonly from: N; readonly to: N } }
  /** Drop the connection between two peers (in-flight and held messages are lost); it stays down until reconnect. */
  | { readonly disconnect: readonly [N, N] }
  /** Connect two peers again (they exchange channel_reestablish). */
  | { readonly reconnect: readonly [N, N] }
  // ---- crashes --------------------------------------------------------------
  /** Crash the node. `keep`: which of its pending writes reached the disk anyway: 'none' (default), 'all', or the first N in issue order. */
  | { readonly crash: { readonly node: N; readonly keep?: KeepWrites } }
  /** Restart a crashed node from its disk; it reconnects to its peers (except links a step disconnected). */
  | { readonly restart: N }
  // ---- chain ----------------------------------------------------------------
  /** Mine this many blocks (1..1000). */
  | { readonly mine: number }
  /** Confirm what the mempool holds: mine one block. */
  | { readonly confirm: 'mempool' }
  // ---- checks ---------------------------------------------------------------
  /** Judge the world now; a failure is a violation of 'expect' naming the step and what was seen. */
  | { readonly expect: Expectation<N, C> };

/** What a payment looks like from its payer ('pending', 'succeeded', 'failed') or its payee ('claimable', 'claimed', 'refused'). */
export type PaymentState = 'pending' | 'succeeded' | 'failed' | 'claimable' | 'claimed' | 'refused';

export type Expectation<N extends string = string, C extends string = string> =
  /** The payment's state at `node` (its payer or its payee). */
  | { readonly node: N; readonly payment: string; readonly is: PaymentState }
  /**
   * The node raised (or, with `handled: true`, its application handled) an event of this type, optionally for one payment:
   * at least once, or exactly `count` times (`count: 0`: never).
   */
  | { readonly node: N; readonly event: string; readonly payment?: string; readonly handled?: boolean; readonly count?: number }
  /** The node's channel is open or closed. */
  | { readonly node: N; readonly channel: C; readonly is: 'open' | 'closed' }
  /** The channel monitor as the node's disk holds it durably (what a crash now would load) is at this update id, or at least at it. */
  | { readonly node: N; readonly monitor: C; readonly durableUpdate: number | { readonly atLeast: number } }
  /** Your own predicate over the world: return a message saying what was seen when it fails. */
  | { readonly what: string; readonly check: (world: import('../../sim/world.ts').World) => string | undefined };

/** The name of a step: its one key. */
export type StepKind = Step extends infer S ? (S extends unknown ? keyof S : never) : never;

export const STEP_KINDS: readonly StepKind[] = [
  'pay', 'claim', 'refuse', 'holdEvents', 'handleEvents', 'releaseEvents', 'open', 'close', 'forceClose',
  'holdWrites', 'completeWrites', 'releaseWrites',
  'holdMessages', 'deliver', 'drop', 'releaseMessages', 'disconnect', 'reconnect',
  'crash', 'restart', 'mine', 'confirm', 'expect',
];

/** After the last step: settle (the calm phase at once, then every invariant) or explore (the fault profile's phase from the seed, then calm). */
export type Then = 'settle' | 'explore';
