// The wiring: the NodeBehaviour the simulator drives, dispatching each callback (message, durable write, timer,
// block, connection, command) to the model, plus the fault actions it offers and the snapshot the UI shows.
import type { Block } from '../../../sim/chain.ts';
import type { FaultAction, NodeBehaviour, NodeEnv } from '../../../sim/node.ts';
import * as chan from '../channel.ts';
import { cheat, cheatActions, type CheatCommand } from '../cheat.ts';
import * as close from '../close.ts';
import * as open from '../open.ts';
import { applicationCommand } from './application.ts';
import { archiveDue, removeLiveMonitor } from './archiving.ts';
import { background } from './background.ts';
import { describeBlocker } from './blockers.ts';
import { checkExpiries, openingBlock, quietUntil } from './blocks.ts';
import { boot } from './boot.ts';
import { closeChannel, watch } from './closing.ts';
import { closeIntentDurable, intendToClose } from './cooperative-close.ts';
import { managerDurable, scheduleBackground } from './manager.ts';
import { drainFanOut, onMessage } from './messages.ts';
import { bootSnapshotDone, persisted, snapshotDone } from './monitor-updates.ts';
import { abandonNegotiation, startOpen } from './opening.ts';
import { pay, type PayCommand } from './payments.ts';
import { pump } from './pump.ts';
import { channelOf, type LnNodeConfig, type LnState, nodeContext } from './state.ts';

/**
 * state.quiet (QuietBlocks, state.ts), per node: what the last block left: the chain's `revision` then, whether its
 * pump `settled`, and `until`, the first height at which a block could make the node act (quietUntil, blocks.ts):
 * UNKNOWN until the next block asks (a node that hears from anything in between, most often, never needs it), 0 once
 * any other callback ran (it may change anything: the next block runs in full) unless it ended settled (see settled)
 * or changes only what quietUntil reads (onDisconnect: UNKNOWN) or nothing a block reads (onConnect).
 * One record per node, changed in place, held by the state itself (not looked up in a WeakMap at every block).
 */
const UNKNOWN = -1;

function stir(state: LnState): void {
  const q = state.quiet;
  if (q !== undefined) q.until = 0;
}

/** The node's state changed only in what quietUntil reads: ask it again at the next block (unless stirred already). */
function reask(state: LnState): void {
  const q = state.quiet;
  if (q !== undefined && q.until !== 0) q.until = UNKNOWN;
}

/**
 * A callback that stirred the node ended with a pump that moved nothing: the node is then as a block that settled
 * would leave it, so the next block may be skipped on the same terms (quietUntil is a function of the node's state and
 * the chain as they are, and the chain's revision is the one now). A pump that moved leaves the next block to run.
 */
function settled(state: LnState, env: NodeEnv, pumpSettled: boolean): void {
  if (!pumpSettled) return;
  const q = state.quiet;
  const revision = env.chain.revision;
  if (q === undefined || revision === undefined) return;
  q.revision = revision;
  q.settled = true;
  q.until = UNKNOWN;
}

/** The part of a tag after its '/' at `at` (-1: no such '/', no part) up to the next '/' at `next` (-1: the end). */
function tagPart(tag: string, at: number, next: number): string | undefined {
  if (at < 0) return undefined;
  return next < 0 ? tag.slice(at + 1) : tag.slice(at + 1, next);
}

/** The Lightning node the simulator runs: every callback builds the step's context and hands it to the model. */
export function makeLnNode(config: LnNodeConfig): NodeBehaviour<LnState> {
  return {
    boot(env) {
      const { state, settled } = boot(config, env);
      // A boot ends with a pump too: settled, the first block may be skipped on the same terms as after a callback.
      const revision = env.chain.revision;
      if (settled && revision !== undefined) state.quiet = { revision, settled, until: UNKNOWN };
      return state;
    },
    onMessage(state, env, from, message) {
      stir(state);
      settled(state, env, onMessage(nodeContext(config, state, env), from, message));
    },
    onDurable(state, env, tag) {
      stir(state);
      if (state.refused) return;
      const node = nodeContext(config, state, env);
      // kind/channel/id: tag.split('/')'s first three parts, without building its array (every async write lands here).
      const first = tag.indexOf('/');
      const second = first < 0 ? -1 : tag.indexOf('/', first + 1);
      const kind = first < 0 ? tag : tag.slice(0, first);
      const channel = tagPart(tag, first, second) as string;
      const idText = tagPart(tag, second, second < 0 ? -1 : tag.indexOf('/', second + 1));
      if (kind === 'mon') persisted(node, channel, Number(idText));
      else if (kind === 'snap') snapshotDone(node, channel, Number(idText));
      else if (kind === 'boot') bootSnapshotDone(node, channel, Number(idText));
      else if (kind === 'mgr') managerDurable(state, tag);
      else if (kind === 'shut') closeIntentDurable(state, channel);
      else if (kind === 'first') persisted(node, channel, 0);
      else if (kind === 'arch') removeLiveMonitor(env, channel);
      settled(state, env, pump(node));
    },
    onTimer(state, env, tag, data) {
      stir(state);
      if (state.refused) return;
      const node = nodeContext(config, state, env);
      if (tag === 'background') settled(state, env, background(node));
      else if (tag === 'dispatch') drainFanOut(node, data as string);
    },
    onBlock(state, env, _block: Block) {
      if (state.refused) return;
      const chain = env.chain;
      const q = state.quiet;
      // Nothing but blocks since the last one: the node is as that block left it.
      const current = chain.revision;
      if (q !== undefined && q.until !== 0 && current !== undefined) {
        // New transactions since: asked again, with the chain as it is now. Only the chain watches, archiving and
        // openings read transactions, and quietUntil reads them afresh; a settled pump stays settled (the one chain
        // read it makes, of an opening not ready, keeps every block in full anyway).
        if (q.revision !== current) {
          q.revision = current;
          q.until = UNKNOWN;
        }
        if (q.until === UNKNOWN) q.until = quietUntil(nodeContext(config, state, env), q.settled);
        if (chain.height < q.until) return;
      }
      const node = nodeContext(config, state, env);
      // The list is replaced, never changed in place, when a monitor goes (archiving), and only grows at the end:
      // walking it as it was, up to its length then, visits what a copy would.
      const monitors = state.monitors;
      for (let i = 0, n = monitors.length; i < n; i++) watch(node, monitors[i]);
      checkExpiries(node);
      openingBlock(node);
      if (archiveDue(node)) scheduleBackground(node);
      const settled = pump(node);
      // Without a revision (a chain view that does not count its changes) nothing is skipped.
      const revision = chain.revision;
      if (revision === undefined) return;
      if (q === undefined) state.quiet = { revision, settled, until: UNKNOWN };
      else {
        q.revision = revision;
        q.settled = settled;
        q.until = UNKNOWN;
      }
    },
    onConnect(state, env, peer) {
      // No stir: the node stays as quiet as it was. Its channels with this peer wait for the peer's reestablish (the
      // pump passes them by, as it did while they were disconnected), and no block rule reads connections.
      if (state.refused) return;
      for (const ch of state.mgr.channels) {
        if (ch.peer !== peer || ch.status !== 'open') continue;
        state.reestablished[ch.id] = false;
        state.outbox[ch.id] = [];
        env.send(peer, chan.reestablishMessage(ch));
      }
    },
    onDisconnect(state, env, peer) {
      // What changes here (the channels' uncommitted HTLCs, negotiations) only block rules read: quietUntil is asked
      // again. The pump stays as settled as it was: it passes the channels with this peer by (not connected), and
      // nothing it reads of the others, nor their blockers, changes.
      reask(state);
      const node = nodeContext(config, state, env);
      // Openings without a monitor die with the connection (LDK drops unfunded channels on disconnect).
      for (const n of state.negotiations.filter((x) => x.peer === peer)) abandonNegotiation(node, n, 'disconnected');
      for (const ch of state.mgr.channels) {
        if (ch.peer !== peer) continue;
        state.reestablished[ch.id] = false;
        state.outbox[ch.id] = [];
        delete state.fanOut[ch.id];
        if (ch.close) close.resetConnection(ch.close);
        if (ch.status === 'open') chan.onDisconnect(ch);
      }
    },
    onCommand(state, env, command) {
      stir(state);
      if (state.refused) return;
      const node = nodeContext(config, state, env);
      const c = command as { type: string; [k: string]: unknown };
      if (c.type === 'pay') pay(node, c as unknown as PayCommand);
      else if (c.type === 'open') startOpen(node, c as unknown as open.OpenCommand);
      else if (c.type === 'force-close') {
        const ch = channelOf(state, c.channel as string);
        if (ch) closeChannel(node, ch, 'requested');
      } else if (c.type === 'cheat') {
        cheat({ id: state.id, channels: state.mgr.channels, monitors: state.monitors }, env, c as unknown as CheatCommand);
      } else if (c.type === 'close') {
        const ch = channelOf(state, c.channel as string);
        if (ch?.status === 'open') intendToClose(node, ch);
      } else applicationCommand(node, c);
      settled(state, env, pump(node));
    },
    faultActions(state, env) {
      // Reads only: a quiet node stays quiet.
      if (state.refused) return [];
      // The adversarial counterparty: offered here, chosen (or not) by the fault plan.
      const actions: FaultAction[] = cheatActions({ id: state.id, channels: state.mgr.channels, monitors: state.monitors }, env);
      const channels = state.mgr.channels;
      for (let i = 0; i < channels.length; i++) {
        const ch = channels[i];
        if (ch.status === 'open' && open.usable(ch)) actions.push({ kind: 'force-close', label: `${state.id} force-closes ${ch.id}`, command: { type: 'force-close', channel: ch.id } });
      }
      // The same, aimed at the moments that matter: HTLCs in flight end up settled on-chain.
      for (let i = 0; i < channels.length; i++) {
        const ch = channels[i];
        if (ch.status === 'open' && ch.htlcs.length > 0 && open.usable(ch)) actions.push({ kind: 'force-close-inflight', label: `${state.id} force-closes ${ch.id} with ${ch.htlcs.length} HTLC(s) in flight`, command: { type: 'force-close', channel: ch.id } });
      }
      return actions;
    },
    snapshot(state) {
      return {
        refused: state.refused,
        channels: state.mgr.channels.map((ch) => ({
          id: ch.id,
          peer: ch.peer,
          status: ch.status,
          closeReason: ch.closeReason,
          local: `#${ch.localCommit.number} ${ch.localCommit.toHolder}/${ch.localCommit.toCounterparty}`,
          remote: `#${ch.remoteCommit.number} ${ch.remoteCommit.toHolder}/${ch.remoteCommit.toCounterparty}`,
          awaitingRevoke: ch.awaitingRevoke,
          htlcs: ch.htlcs.map((h) => `${h.offered ? 'out' : 'in'}#${h.id} ${h.amount} ${h.state}${h.removal ? ' ' + h.removal.kind : ''}`),
          monitorUpdate: ch.latestMonitorUpdateId,
          inFlight: ch.inFlight.map((u) => `${u.id}:${u.kind}`),
          blocked: ch.blocked.map((b) => b.kind),
          blockers: ch.blockers.map(describeBlocker),
          held: (state.outbox[ch.id] ?? []).map((m) => m.type),
          reestablished: state.reestablished[ch.id] ?? false,
          ...(ch.close ? { close: { ...ch.close } } : {}),
          ...(ch.opening ? { opening: { role: ch.opening.role, stage: ch.opening.stage, readySent: ch.opening.readySent, peerReady: ch.opening.peerReady } } : {}),
        })),
        ...(state.negotiations.length > 0 ? { negotiations: state.negotiations.map((n) => `${n.channel} ${n.role} ${n.stage} with ${n.peer}`) } : {}),
        archived: state.archived,
        monitors: state.monitors.map((m) => ({ channel: m.channel, updateId: m.updateId, holder: m.holderCommitment.number, closed: m.closed, preimages: Object.keys(m.preimages).length, persisting: state.persisting[m.channel] ?? [] })),
        outbound: state.mgr.outbound.map((p) => `${p.paymentId} ${p.amount}→${p.destination} ${p.status}`),
        claimable: state.mgr.claimable.map((p) => `${p.paymentId} ${p.status} parts=${p.parts.length}`),
        events: state.mgr.events.map((e) => e.event.type),
        startupUpdates: state.startupUpdates.map((e) => `${e.channel} ${e.update.id}:${e.update.kind}`),
      };
    },
  };
}
