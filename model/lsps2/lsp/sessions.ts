// The session manager: routes each intercepted HTLC to the one session of its
// payment hash, refuses what the rules refuse, runs the state machine and
// hands its actions to the executor. Rules (DESIGN 3.5): a part on another
// JIT scid than its session's is refused; a second hash on a scid that is
// already funding is refused; a part for a purchase that already has its
// channel never starts a session; a dead session is removed only if it is
// still the one registered for its hash.
import type { NodeEnv } from '../../../sim/node.ts';
import { BUG } from '../bugs.ts';
import { mandatedCode, type FailureCause } from '../failure-codes.ts';
import type { Endpoint, InHtlc } from '../link.ts';
import { step } from '../session/fsm.ts';
import { htlcKey, isTerminal, type Part, type SessionInput, type SessionState } from '../session/types.ts';
import { finalize, purchaseFunded, readActive, writeActive, type Outcome } from './datastore.ts';
import { execute } from './executor.ts';
import { failIncoming, replyKey, takeReply } from './held.ts';
import { freshSerial, type LspState, type Purchase, type SessionSlot } from './state.ts';

/** The manager's own refusals (not the state machine's): the mandated code for the cause. */
function refuse(state: LspState, env: NodeEnv, part: Part, cause: FailureCause): void {
  const ref = takeReply(state, part.htlc);
  if (ref) failIncoming(state, env, ref, mandatedCode(cause), cause);
}

/** An intercepted HTLC whose next hop may be a JIT scid (new, or replayed after a restart). */
export function onPart(state: LspState, env: NodeEnv, ep: Endpoint, htlc: InHtlc): void {
  const add = htlc.add;
  const part: Part = { htlc: { scid: ep.scid, id: add.id }, amountMsat: add.amountMsat, cltvExpiry: add.cltvExpiry };
  const nextScid = add.onion.nextScid;
  const purchase = nextScid === undefined ? undefined : state.purchases.get(nextScid);
  state.replies.set(replyKey(state, part.htlc), part.htlc);
  env.trace('lsp-hold', { htlc: htlcKey(part.htlc), hash: add.hash, nextScid: nextScid ?? '', amountMsat: add.amountMsat, cltvExpiry: add.cltvExpiry, partId: add.onion.partId });
  if (!purchase) return refuse(state, env, part, 'unknown-scid');
  const expired = env.now >= purchase.params.valid_until;
  if (expired && state.opts.bugs.has(BUG.expireLive)) {
    // cln-expire-live: the expiry check runs before the session lookup and finalizes whatever is active.
    expirePurchase(state, env, purchase, true);
    return refuse(state, env, part, 'offer-expired');
  }
  const slot = state.sessions.get(add.hash);
  if (slot) {
    if (slot.scid !== purchase.scid && !state.opts.bugs.has(BUG.scidMismatch)) return refuse(state, env, part, 'refused');
    if (slot.recovered && state.opts.bugs.has(BUG.recoveryAddPart)) {
      // cln-recovery-addpart: the recovered session drops the replayed part (no reply ever), and the
      // manager, seeing the reply dropped, takes the session for dead and forgets it.
      env.trace('session-dropped-part', { hash: add.hash, htlc: htlcKey(part.htlc) });
      state.sessions.delete(add.hash);
      return;
    }
    return feed(state, env, slot, { kind: 'AddPart', part, now: env.now, height: env.chain.height });
  }
  if (expired) {
    expirePurchase(state, env, purchase, false);
    return refuse(state, env, part, 'offer-expired');
  }
  if (!state.opts.bugs.has(BUG.doubleFund) && purchaseFunded(env, purchase.scid)) return refuse(state, env, part, 'refused');
  if (!state.opts.bugs.has(BUG.scidFund) && liveSessionOn(state, purchase.scid)) return refuse(state, env, part, 'refused');
  const created = createSession(state, env, purchase, add.hash);
  feed(state, env, created, { kind: 'AddPart', part, now: env.now, height: env.chain.height });
}

function liveSessionOn(state: LspState, scid: string): boolean {
  for (const s of state.sessions.values()) if (s.scid === scid && !isTerminal(s.state)) return true;
  return false;
}

/** An expired offer's active entry is finalized, unless a channel hangs on it (cln-expire-live: regardless). */
function expirePurchase(state: LspState, env: NodeEnv, purchase: Purchase, evenIfFunded: boolean): void {
  const entry = readActive(env, purchase.scid);
  if (entry && (entry.channel === undefined || evenIfFunded)) finalize(state, env, entry, 'expired');
}

export function newSlot(state: LspState, env: NodeEnv, purchase: Purchase, hash: string, sessionState: SessionState, recovered: boolean): SessionSlot {
  const serial = freshSerial(state, env.now);
  return {
    serial,
    hash,
    scid: purchase.scid,
    config: { params: purchase.params, paymentSizeMsat: purchase.paymentSizeMsat, maxParts: state.opts.maxParts, cltvSafetyMargin: state.opts.cltvSafetyMargin, bugs: state.opts.bugs },
    state: sessionState,
    recovered,
  };
}

function createSession(state: LspState, env: NodeEnv, purchase: Purchase, hash: string): SessionSlot {
  const slot = newSlot(state, env, purchase, hash, { kind: 'Collecting', parts: [] }, false);
  state.sessions.set(hash, slot);
  writeActive(state, env, { scid: purchase.scid, hash });
  env.trace('session-start', { hash, scid: purchase.scid, serial: slot.serial });
  env.setTimer(state.opts.collectTimeout, 'collect', { hash, serial: slot.serial });
  const untilExpiry = purchase.params.valid_until - env.now;
  if (untilExpiry > 0 && untilExpiry < state.opts.collectTimeout) env.setTimer(untilExpiry, 'collect', { hash, serial: slot.serial });
  return slot;
}

/** Queue an input for a session and run the queue (inputs produced by actions wait their turn). */
export function feed(state: LspState, env: NodeEnv, slot: SessionSlot, input: SessionInput): void {
  state.inbox.push({ slot, input });
  drain(state, env);
}

/** Apply queued inputs in order (unless already doing so further up the stack). */
export function drain(state: LspState, env: NodeEnv): void {
  if (state.draining) return;
  state.draining = true;
  try {
    while (state.inbox.length > 0) {
      const next = state.inbox.shift()!;
      apply(state, env, next.slot, next.input);
    }
  } finally {
    state.draining = false;
  }
}

function apply(state: LspState, env: NodeEnv, slot: SessionSlot, input: SessionInput): void {
  const before = slot.state;
  const result = step(slot.config, before, input);
  if (result.note && !(input.kind === 'NewBlock' && result.note.kind === 'unusual')) {
    env.trace(result.note.kind === 'error' ? 'session-error' : 'session-unusual', { hash: slot.hash, serial: slot.serial, message: result.note.message });
  }
  slot.state = result.state;
  if (result.state.kind !== before.kind) env.trace('session', { hash: slot.hash, scid: slot.scid, serial: slot.serial, from: before.kind, to: result.state.kind, input: input.kind });
  for (const action of result.actions) execute(state, env, slot, action);
  // cln-double-fund: the handle is dropped as soon as the payment settles or a part fails, while the session still runs.
  if (state.opts.bugs.has(BUG.doubleFund) && (input.kind === 'PaymentSettled' || input.kind === 'PaymentFailed')) removeSession(state, slot);
  if (result.state.kind !== before.kind) afterTransition(state, env, slot);
}

function afterTransition(state: LspState, env: NodeEnv, slot: SessionSlot): void {
  const now = slot.state;
  if (!isTerminal(now)) return;
  removeSession(state, slot);
  if (now.kind === 'Succeeded' || now.kind === 'Abandoned') {
    const entry = readActive(env, slot.scid);
    const outcome: Outcome = now.kind === 'Succeeded' ? 'succeeded' : 'abandoned';
    if (entry) finalize(state, env, entry, outcome);
  }
}

/** Forget a dead session, but only if the hash still maps to this very session. */
export function removeSession(state: LspState, slot: SessionSlot): void {
  if (state.sessions.get(slot.hash) === slot) state.sessions.delete(slot.hash);
}

/** Timers the manager set: collect timeout and valid_until. */
export function onCollectTimer(state: LspState, env: NodeEnv, data: { hash: string; serial: number }): void {
  const slot = state.sessions.get(data.hash);
  if (!slot || slot.serial !== data.serial || slot.state.kind !== 'Collecting') return;
  feed(state, env, slot, { kind: 'CollectTimeout', now: env.now });
}

/** The session a JIT channel belongs to, if it is still registered. */
export function sessionOfChannel(state: LspState, channel: string): SessionSlot | undefined {
  for (const s of state.sessions.values()) if (s.channel === channel) return s;
  return undefined;
}
