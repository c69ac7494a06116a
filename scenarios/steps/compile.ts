// Steps become kernel actions (sim/script.ts): holds and completions on disk
// keys the backend names, message delivery, crashes, the chain, and node
// commands. `expect` judges what the run has shown so far (its trace records)
// and what the backend reads from a node (snapshot, durable disk).
import type { Script, ScriptStep, ScriptedWorld } from '../../sim/script.ts';
import type { TraceRecord } from '../../sim/trace.ts';
import type { StepBackend } from './backend.ts';
import { nodeCommands } from './commands.ts';
import type { CheckedSteps } from './validate.ts';
import type { Expectation, Step } from './types.ts';

/** The violation a failing `expect` step is reported as. */
export const EXPECT_INVARIANT = 'expect';

/** What a run has shown so far, per node: events raised and handled, payments refused. */
class Observed {
  readonly raised: TraceRecord[] = [];
  readonly handled: TraceRecord[] = [];
  readonly refused = new Set<string>();
  observe(r: TraceRecord): void {
    if (r.k === 'event') this.raised.push(r);
    else if (r.k === 'handled') this.handled.push(r);
    else if (r.k === 'refuse') this.refused.add(`${r.n}|${String(r.d?.paymentId)}`);
  }
}

/** A fresh script for each run. */
export function compileScript(checked: CheckedSteps, backend: StepBackend): () => Script {
  return () => {
    const seen = new Observed();
    const heldEvents = new Set<string>();
    const steps: ScriptStep[] = checked.steps.map((step, i) => ({ label: describeStep(step), run: (w) => act(step, i + 1, w, backend, checked, seen, heldEvents) }));
    return {
      steps,
      then: checked.then,
      observe: (r) => seen.observe(r),
      // The application goes back to handling events when the script hands the world over.
      epilogue: (w) => {
        for (const node of heldEvents) if (w.isUp(node)) w.command(node, nodeCommands.releaseEvents());
      },
    };
  };
}

function act(step: Step, n: number, w: ScriptedWorld, backend: StepBackend, checked: CheckedSteps, seen: Observed, heldEvents: Set<string>): string | undefined {
  const s = step as Record<string, any>;
  if ('pay' in s) return w.command(s.pay.from, nodeCommands.pay(s.pay.to, s.pay.amount, s.pay.id, s.pay.parts ?? 1));
  if ('claim' in s) return w.command(s.claim.node, nodeCommands.claim(s.claim.payment));
  if ('refuse' in s) return w.command(s.refuse.node, nodeCommands.refuse(s.refuse.payment));
  if ('holdEvents' in s) {
    heldEvents.add(s.holdEvents);
    return w.command(s.holdEvents, nodeCommands.holdEvents());
  }
  if ('handleEvents' in s) return w.command(s.handleEvents, nodeCommands.handleEvents());
  if ('releaseEvents' in s) {
    heldEvents.delete(s.releaseEvents);
    return w.command(s.releaseEvents, nodeCommands.releaseEvents());
  }
  if ('open' in s) return w.command(s.open.funder, backend.openCommand(s.open.channel));
  if ('close' in s) return w.command(s.close.node, nodeCommands.close(s.close.channel));
  if ('forceClose' in s) return w.command(s.forceClose.node, nodeCommands.forceClose(s.forceClose.channel));
  if ('holdWrites' in s) {
    for (const [id, matches] of holdTargets(s.holdWrites, backend)) w.holdWrites(s.holdWrites.node, id, matches);
    return undefined;
  }
  if ('releaseWrites' in s) {
    for (const [id, matches] of holdTargets(s.releaseWrites, backend)) {
      w.unholdWrites(s.releaseWrites.node, id);
      for (const write of w.heldWrites(s.releaseWrites.node, matches)) w.completeWrite(s.releaseWrites.node, write);
    }
    return undefined;
  }
  if ('completeWrites' in s) {
    const c = s.completeWrites;
    const [[, matches]] = holdTargets(c, backend);
    const held = w.heldWrites(c.node, matches);
    const what = c.manager ? `${c.node}'s manager` : `${c.node}'s monitor of ${c.monitor}`;
    if (held.length === 0) return `nothing of ${what} is held (every write so far already completed, or a crash lost it)`;
    const which = c.which ?? 'all';
    const chosen = which === 'oldest' ? [held[0]] : which === 'newest' ? [held[held.length - 1]] : held;
    for (const write of chosen) w.completeWrite(c.node, write);
    return undefined;
  }
  if ('holdMessages' in s) return (w.holdMessages(s.holdMessages.from, s.holdMessages.to), undefined);
  if ('releaseMessages' in s) return (w.releaseMessages(s.releaseMessages.from, s.releaseMessages.to), undefined);
  if ('deliver' in s || 'drop' in s) {
    const d = s.deliver ?? s.drop;
    const count = d.count === 'all' ? Infinity : (d.count ?? 1);
    const available = w.heldMessageTypes(d.from, d.to).length;
    if (available === 0) return `no message ${d.from}→${d.to} is held`;
    if (count !== Infinity && available < count) return `only ${available} message(s) ${d.from}→${d.to} are held (${w.heldMessageTypes(d.from, d.to).join(', ')}), not ${count}`;
    if ('deliver' in s) w.deliverHeld(d.from, d.to, count);
    else w.dropHeld(d.from, d.to, count);
    return undefined;
  }
  if ('disconnect' in s) return w.disconnectLink(s.disconnect[0], s.disconnect[1]);
  if ('reconnect' in s) return w.reconnectLink(s.reconnect[0], s.reconnect[1]);
  if ('crash' in s) return w.crashNode(s.crash.node, s.crash.keep ?? 'none', describeStep(step));
  if ('restart' in s) {
    const problem = w.restartNode(s.restart);
    // The application's hold on events outlives a restart of the node.
    if (problem === undefined && heldEvents.has(s.restart) && w.isUp(s.restart)) w.command(s.restart, nodeCommands.holdEvents());
    return problem;
  }
  if ('mine' in s) return (w.mine(s.mine), undefined);
  if ('confirm' in s) return (w.mine(1), undefined);
  if ('expect' in s) {
    const failure = judge(s.expect as Expectation, w, backend, checked, seen);
    if (failure !== undefined) w.fail(EXPECT_INVARIANT, `step ${n} (${describeStep(step)}): ${failure}`);
    return undefined;
  }
  return `unknown step ${Object.keys(s)[0]}`;
}

function holdTargets(o: { node: string; monitor?: string; manager?: boolean }, backend: StepBackend): [string, (key: string) => boolean][] {
  const out: [string, (key: string) => boolean][] = [];
  if (o.monitor === 'all') out.push(['monitor:all', backend.anyMonitorKey]);
  else if (o.monitor !== undefined) out.push([`monitor:${o.monitor}`, backend.monitorKeys(o.monitor)]);
  if (o.manager) out.push(['manager', backend.managerKey]);
  return out;
}

/** undefined when the expectation holds, else what was seen. */
function judge(e: Expectation, w: ScriptedWorld, backend: StepBackend, checked: CheckedSteps, seen: Observed): string | undefined {
  if ('check' in e) return e.check(w);
  const node = e.node;
  if ('payment' in e && 'is' in e) {
    const p = checked.payments.get(e.payment)!;
    const state = p.from === node ? payerState(node, e.payment, seen) : payeeState(node, e.payment, backend.paymentHash(e.payment), seen);
    return state === e.is ? undefined : `saw ${state}`;
  }
  if ('event' in e) {
    const list = e.handled ? seen.handled : seen.raised;
    const hash = e.payment !== undefined ? backend.paymentHash(e.payment) : undefined;
    const count = list.filter((r) => r.n === node && r.d?.type === e.event && (e.payment === undefined || r.d?.paymentId === e.payment || r.d?.hash === hash)).length;
    const ok = e.count === undefined ? count > 0 : count === e.count;
    return ok ? undefined : `saw it ${count} time(s)`;
  }
  if ('channel' in e) {
    if (!w.isUp(node)) return `${node} is down`;
    const status = backend.channelStatus(w, node, e.channel);
    return status === e.is ? undefined : `saw ${status ?? 'no such channel in its memory'}`;
  }
  if ('monitor' in e) {
    const id = backend.durableMonitorUpdate(w, node, e.monitor);
    const want = e.durableUpdate;
    const ok = id !== undefined && (typeof want === 'number' ? id === want : id >= want.atLeast);
    return ok ? undefined : `the durable monitor is ${id === undefined ? 'missing' : `at update ${id}`}`;
  }
  return 'nothing to check';
}

function payerState(node: string, payment: string, seen: Observed): string {
  const events = seen.raised.filter((r) => r.n === node && r.d?.paymentId === payment);
  if (events.some((r) => r.d?.type === 'PaymentSent')) return 'succeeded';
  if (events.some((r) => r.d?.type === 'PaymentFailed')) return 'failed';
  return 'pending';
}

function payeeState(node: string, payment: string, hash: string, seen: Observed): string {
  const events = seen.raised.filter((r) => r.n === node && (r.d?.paymentId === payment || r.d?.hash === hash));
  if (events.some((r) => r.d?.type === 'PaymentClaimed')) return 'claimed';
  if (seen.refused.has(`${node}|${payment}`)) return 'refused';
  if (events.some((r) => r.d?.type === 'PaymentClaimable')) return 'claimable';
  return 'not yet claimable';
}

/** One line per step: how the trace, the TUI and errors name it. */
export function describeStep(step: Step): string {
  const s = step as Record<string, any>;
  const kind = Object.keys(s)[0];
  const a = s[kind];
  switch (kind) {
    case 'pay':
      return `${a.from} pays ${a.to} ${a.amount} (${a.id}${a.parts && a.parts > 1 ? `, ${a.parts} parts` : ''})`;
    case 'claim':
      return `${a.node} claims ${a.payment}`;
    case 'refuse':
      return `${a.node} refuses ${a.payment}`;
    case 'holdEvents':
      return `${a} holds its events`;
    case 'handleEvents':
      return `${a} handles its pending events`;
    case 'releaseEvents':
      return `${a} handles events again`;
    case 'open':
      return `${a.funder} opens ${a.channel} to ${a.fundee} (${a.capacity})`;
    case 'close':
      return `${a.node} closes ${a.channel} cooperatively`;
    case 'forceClose':
      return `${a.node} force-closes ${a.channel}`;
    case 'holdWrites':
    case 'releaseWrites':
      return `${a.node} ${kind === 'holdWrites' ? 'holds' : 'releases'} its ${writesOf(a)}`;
    case 'completeWrites':
      return `${a.node} completes ${a.which === 'oldest' || a.which === 'newest' ? `the ${a.which} held write` : 'every held write'} of its ${writesOf(a)}`;
    case 'holdMessages':
      return `hold messages ${a.from}→${a.to}`;
    case 'releaseMessages':
      return `release messages ${a.from}→${a.to}`;
    case 'deliver':
    case 'drop':
      return `${kind} ${a.count === 'all' ? 'every held message' : `${a.count ?? 1} message(s)`} ${a.from}→${a.to}`;
    case 'disconnect':
      return `disconnect ${a[0]} and ${a[1]}`;
    case 'reconnect':
      return `reconnect ${a[0]} and ${a[1]}`;
    case 'crash':
      return `crash ${a.node} keeping ${a.keep === undefined || a.keep === 'none' ? 'none' : a.keep === 'all' ? 'all' : `the first ${a.keep}`} of its pending writes`;
    case 'restart':
      return `restart ${a}`;
    case 'mine':
      return `mine ${a} block(s)`;
    case 'confirm':
      return 'confirm the mempool';
    case 'expect':
      return `expect ${describeExpectation(a)}`;
  }
  return kind;
}

function writesOf(a: { monitor?: string; manager?: boolean }): string {
  const parts: string[] = [];
  if (a.monitor === 'all') parts.push('monitor writes');
  else if (a.monitor !== undefined) parts.push(`monitor writes of ${a.monitor}`);
  if (a.manager) parts.push('manager writes');
  return parts.join(' and ');
}

function describeExpectation(e: Expectation): string {
  if ('check' in e) return e.what;
  if ('payment' in e && 'is' in e) return `${e.node} sees ${e.payment} ${e.is}`;
  if ('event' in e) return `${e.node} ${e.handled ? 'handled' : 'raised'} ${e.event}${e.payment ? ` for ${e.payment}` : ''}${e.count !== undefined ? ` ${e.count} time(s)` : ''}`;
  if ('channel' in e) return `${e.node}'s channel ${e.channel} ${e.is}`;
  if ('monitor' in e) return `${e.node}'s durable monitor of ${e.monitor} at update ${typeof e.durableUpdate === 'number' ? e.durableUpdate : `≥ ${e.durableUpdate.atLeast}`}`;
  return 'something';
}
