// Definition-time checks of a step list: every node, channel, link and payment
// a step names must exist at that point of the script, and every step must be
// able to act (something held to complete, a crashed node to restart...). Each
// mistake is one line naming the step, the field and the fix.
import { STEP_KINDS, type Expectation, type Step, type Then } from './types.ts';
import { suggest } from '../suggest.ts';

export interface StepWorld {
  readonly nodes: readonly string[];
  /** Channels funded at genesis: id → [funder, peer]. */
  readonly channels: ReadonlyMap<string, readonly [string, string]>;
  readonly eventTypes: readonly string[];
}

/** A channel an `open` step declares. */
export interface DeclaredOpen {
  readonly channel: string;
  readonly funder: string;
  readonly fundee: string;
  readonly capacity: number;
}

export interface CheckedSteps {
  readonly steps: readonly Step[];
  readonly then: Then;
  readonly opens: readonly DeclaredOpen[];
  /** Payments by id: who pays whom. */
  readonly payments: ReadonlyMap<string, { readonly from: string; readonly to: string }>;
  readonly hasExpect: boolean;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const PAYER_STATES = ['pending', 'succeeded', 'failed'];
const PAYEE_STATES = ['claimable', 'claimed', 'refused'];

/** Check the steps; `fail(field, problem)` throws the definition's usage error. */
export function checkSteps(steps: unknown, then: unknown, world: StepWorld, fail: (field: string, problem: string) => never): CheckedSteps {
  if (!Array.isArray(steps)) fail('steps', "must be a list of steps, e.g. [{ pay: { from: 'A', to: 'B', amount: 10_000, id: 'p1' } }]");
  if (steps.length === 0) fail('steps', 'is empty: give at least one step, or leave steps out for a random workload');
  if (then !== undefined && then !== 'settle' && then !== 'explore') fail('then', `must be 'settle' (calm phase, then every invariant) or 'explore' (the fault profile's phase, then calm), got ${JSON.stringify(then)}`);
  const channels = new Map(world.channels);
  const opens: DeclaredOpen[] = [];
  const payments = new Map<string, { from: string; to: string }>();
  const down = new Set<string>();
  const severed = new Set<string>();
  const writeHolds = new Set<string>();
  const messageHolds = new Set<string>();
  let hasExpect = false;
  const nodeList = world.nodes.map((n) => `'${n}'`).join(', ');

  steps.forEach((raw: unknown, index: number) => {
    const at = `steps[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(at, `must be an object with one key naming the step (${STEP_KINDS.join(', ')})`);
    const keys = Object.keys(raw);
    if (keys.length !== 1) fail(at, `must have exactly one key naming the step, got ${keys.length === 0 ? 'none' : keys.join(', ')}: split it into one step per key`);
    const kind = keys[0];
    if (!(STEP_KINDS as readonly string[]).includes(kind)) fail(at, `'${kind}' is not a step${suggest(kind, STEP_KINDS)}: the steps are ${STEP_KINDS.join(', ')}`);
    const arg = (raw as Record<string, unknown>)[kind];
    const field = `${at}.${kind}`;
    const obj = (fields: readonly string[], example: string): Record<string, unknown> => {
      if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) fail(field, `must be an object, e.g. ${example}`);
      for (const k of Object.keys(arg)) if (!fields.includes(k)) fail(`${field}.${k}`, `is not a field of ${kind}${suggest(k, fields)}: the fields are ${fields.join(', ')}`);
      return arg as Record<string, unknown>;
    };
    const node = (f: string, value: unknown): string => {
      if (typeof value !== 'string' || !world.nodes.includes(value)) fail(f, `names node ${JSON.stringify(value)}, which is not in topology.nodes [${nodeList}]: fix the name`);
      return value as string;
    };
    const up = (f: string, n: string) => {
      if (down.has(n)) fail(f, `names ${n}, which an earlier step crashed: add { restart: '${n}' } before it`);
    };
    const channel = (f: string, value: unknown, member?: string): string => {
      const ends = typeof value === 'string' ? channels.get(value) : undefined;
      if (!ends) fail(f, `names channel ${JSON.stringify(value)}, which is neither in topology.channels nor opened by an earlier step: known channels are ${[...channels.keys()].map((c) => `'${c}'`).join(', ')}`);
      if (member !== undefined && !ends.includes(member)) fail(f, `names channel '${value}', which is between ${ends[0]} and ${ends[1]}, not ${member}'s: name one of ${member}'s channels`);
      return value as string;
    };
    const linked = (f: string, a: string, b: string) => {
      if (a === b) fail(f, `names ${a} twice: a link joins two different nodes`);
      if (![...channels.values()].some(([x, y]) => (x === a && y === b) || (x === b && y === a))) fail(f, `${a} and ${b} share no channel, so no link: add a channel between them`);
    };
    const payment = (f: string, value: unknown): { from: string; to: string } => {
      const p = typeof value === 'string' ? payments.get(value) : undefined;
      if (!p) fail(f, `names payment ${JSON.stringify(value)}, which no earlier pay step sends${payments.size ? ` (sent so far: ${[...payments.keys()].map((p) => `'${p}'`).join(', ')})` : ''}: add a pay step with that id first`);
      return p;
    };
    const positive = (f: string, value: unknown, max = Number.MAX_SAFE_INTEGER) => {
      if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) fail(f, `must be an integer from 1 to ${max === Number.MAX_SAFE_INTEGER ? 'any size' : max}, got ${JSON.stringify(value)}`);
    };
    const pair = (example: string): [string, string] => {
      if (!Array.isArray(arg) || arg.length !== 2) fail(field, `must be two node ids, e.g. ${example}`);
      return [node(`${field}[0]`, arg[0]), node(`${field}[1]`, arg[1])];
    };
    const holdKeys = (f: string, o: Record<string, unknown>, n: string, allowAll: boolean): string[] => {
      const out: string[] = [];
      if (o.monitor !== undefined) {
        if (o.monitor === 'all' && allowAll) out.push('monitor:all');
        else out.push(`monitor:${channel(`${f}.monitor`, o.monitor, n)}`);
      }
      if (o.manager !== undefined && typeof o.manager !== 'boolean') fail(`${f}.manager`, `must be true or false, got ${JSON.stringify(o.manager)}`);
      if (o.manager === true) out.push('manager');
      if (out.length === 0) fail(f, `names nothing to ${kind === 'holdWrites' ? 'hold' : 'act on'}: give monitor: '<channel>'${allowAll ? " (or 'all')" : ''} and/or manager: true`);
      return out;
    };
    const direction = (o: Record<string, unknown>): [string, string] => {
      const from = node(`${field}.from`, o.from);
      const to = node(`${field}.to`, o.to);
      linked(field, from, to);
      return [from, to];
    };

    switch (kind) {
      case 'pay': {
        const o = obj(['from', 'to', 'amount', 'id', 'parts'], "{ from: 'A', to: 'B', amount: 10_000, id: 'p1' }");
        const from = node(`${field}.from`, o.from);
        const to = node(`${field}.to`, o.to);
        if (from === to) fail(field, `has ${from} pay itself: a payment needs two different nodes`);
        up(`${field}.from`, from);
        positive(`${field}.amount`, o.amount);
        if (typeof o.id !== 'string' || !ID.test(o.id)) fail(`${field}.id`, `${JSON.stringify(o.id)} is not a payment id: use letters, digits, '-' and '_', e.g. 'p1'`);
        if (payments.has(o.id)) fail(`${field}.id`, `'${o.id}' is already the id of an earlier payment: give each pay step its own id`);
        if (o.parts !== undefined) positive(`${field}.parts`, o.parts, o.amount as number);
        if (!connected(channels, from, to)) fail(field, `${from} has no path of channels to ${to}: add a channel that connects them`);
        payments.set(o.id, { from, to });
        return;
      }
      case 'claim':
      case 'refuse': {
        const o = obj(['node', 'payment'], `{ node: 'B', payment: 'p1' }`);
        const n = node(`${field}.node`, o.node);
        const p = payment(`${field}.payment`, o.payment);
        if (p.to !== n) fail(`${field}.node`, `is ${n}, but payment '${o.payment}' is paid to ${p.to}: only its payee can ${kind} it`);
        up(`${field}.node`, n);
        return;
      }
      case 'holdEvents':
      case 'handleEvents':
      case 'releaseEvents':
        up(field, node(field, arg));
        return;
      case 'open': {
        const o = obj(['channel', 'funder', 'fundee', 'capacity'], "{ channel: 'ac', funder: 'A', fundee: 'C', capacity: 500_000 }");
        if (typeof o.channel !== 'string' || !ID.test(o.channel)) fail(`${field}.channel`, `${JSON.stringify(o.channel)} is not a channel id: use letters, digits, '-' and '_'`);
        if (channels.has(o.channel)) fail(`${field}.channel`, `'${o.channel}' is already a channel: give the new channel its own id`);
        const funder = node(`${field}.funder`, o.funder);
        const fundee = node(`${field}.fundee`, o.fundee);
        if (funder === fundee) fail(field, `opens a channel from ${funder} to itself: name two different nodes`);
        positive(`${field}.capacity`, o.capacity);
        up(`${field}.funder`, funder);
        channels.set(o.channel, [funder, fundee]);
        opens.push({ channel: o.channel, funder, fundee, capacity: o.capacity as number });
        return;
      }
      case 'close':
      case 'forceClose': {
        const o = obj(['node', 'channel'], "{ node: 'A', channel: 'ab' }");
        const n = node(`${field}.node`, o.node);
        channel(`${field}.channel`, o.channel, n);
        up(`${field}.node`, n);
        return;
      }
      case 'holdWrites': {
        const o = obj(['node', 'monitor', 'manager'], "{ node: 'B', monitor: 'ab' }");
        const n = node(`${field}.node`, o.node);
        for (const k of holdKeys(field, o, n, true)) writeHolds.add(`${n}|${k}`);
        return;
      }
      case 'completeWrites': {
        const o = obj(['node', 'monitor', 'manager', 'which'], "{ node: 'B', monitor: 'ab', which: 'oldest' }");
        const n = node(`${field}.node`, o.node);
        const keys = holdKeys(field, o, n, false);
        if (keys.length !== 1) fail(field, 'names both a monitor and the manager: complete one of them per step');
        if (o.which !== undefined && !['oldest', 'newest', 'all'].includes(o.which as string)) fail(`${field}.which`, `must be 'oldest', 'newest' or 'all', got ${JSON.stringify(o.which)}`);
        const covered = keys[0] === 'manager' ? writeHolds.has(`${n}|manager`) : writeHolds.has(`${n}|${keys[0]}`) || writeHolds.has(`${n}|monitor:all`);
        if (!covered) fail(field, `completes ${keys[0] === 'manager' ? `${n}'s manager writes` : `${n}'s monitor writes of ${o.monitor}`}, but no earlier holdWrites step holds them, so nothing can be held: add { holdWrites: { node: '${n}', ${keys[0] === 'manager' ? 'manager: true' : `monitor: '${o.monitor}'`} } } before it`);
        up(`${field}.node`, n);
        return;
      }
      case 'releaseWrites': {
        const o = obj(['node', 'monitor', 'manager'], "{ node: 'B', monitor: 'ab' }");
        const n = node(`${field}.node`, o.node);
        for (const k of holdKeys(field, o, n, true)) {
          if (!writeHolds.delete(`${n}|${k}`)) fail(field, `releases a hold (${k.replace(':', ' ')}) that no earlier holdWrites step placed on ${n}: hold it first, or drop this step`);
        }
        return;
      }
      case 'holdMessages': {
        const [from, to] = direction(obj(['from', 'to'], "{ from: 'A', to: 'B' }"));
        messageHolds.add(`${from}>${to}`);
        return;
      }
      case 'deliver':
      case 'drop': {
        const o = obj(['from', 'to', 'count'], "{ from: 'A', to: 'B', count: 1 }");
        const [from, to] = direction(o);
        if (o.count !== undefined && o.count !== 'all') positive(`${field}.count`, o.count);
        if (!messageHolds.has(`${from}>${to}`)) fail(field, `${kind === 'deliver' ? 'delivers' : 'drops'} held messages ${from}→${to}, but no earlier holdMessages step holds them (messages flow at once otherwise): add { holdMessages: { from: '${from}', to: '${to}' } } before it`);
        return;
      }
      case 'releaseMessages': {
        const [from, to] = direction(obj(['from', 'to'], "{ from: 'A', to: 'B' }"));
        if (!messageHolds.delete(`${from}>${to}`)) fail(field, `releases ${from}→${to}, which no earlier holdMessages step holds: hold it first, or drop this step`);
        return;
      }
      case 'disconnect':
      case 'reconnect': {
        const [a, b] = pair("['A', 'B']");
        linked(field, a, b);
        const id = [a, b].sort().join('|');
        if (kind === 'disconnect') {
          if (severed.has(id)) fail(field, `${a} and ${b} are already disconnected by an earlier step: reconnect them first`);
          severed.add(id);
        } else {
          if (!severed.delete(id)) fail(field, `${a} and ${b} were not disconnected by an earlier step (a restart reconnects a node by itself): disconnect them first`);
          up(`${field}[0]`, a);
          up(`${field}[1]`, b);
        }
        return;
      }
      case 'crash': {
        const o = obj(['node', 'keep'], "{ node: 'B', keep: 'none' }");
        const n = node(`${field}.node`, o.node);
        if (down.has(n)) fail(`${field}.node`, `crashes ${n}, which an earlier step already crashed: restart it first`);
        if (o.keep !== undefined && o.keep !== 'all' && o.keep !== 'none' && !(Number.isSafeInteger(o.keep) && (o.keep as number) >= 0)) fail(`${field}.keep`, `must be 'all', 'none' or how many of the pending writes (first ones, in issue order) reached the disk, got ${JSON.stringify(o.keep)}`);
        down.add(n);
        return;
      }
      case 'restart': {
        const n = node(field, arg);
        if (!down.delete(n)) fail(field, `restarts ${n}, which is running: crash it first ({ crash: { node: '${n}' } })`);
        return;
      }
      case 'mine':
        positive(field, arg, 1000);
        return;
      case 'confirm':
        if (arg !== 'mempool') fail(field, `must be 'mempool' (mines one block), got ${JSON.stringify(arg)}`);
        return;
      case 'expect':
        hasExpect = true;
        checkExpectation(field, arg, { node, channel, payment, world, fail });
        return;
    }
  });
  return { steps: steps as Step[], then: (then ?? 'settle') as Then, opens, payments, hasExpect };
}

function checkExpectation(
  field: string,
  arg: unknown,
  h: {
    node: (f: string, v: unknown) => string;
    channel: (f: string, v: unknown, member?: string) => string;
    payment: (f: string, v: unknown) => { from: string; to: string };
    world: StepWorld;
    fail: (field: string, problem: string) => never;
  },
): void {
  const { fail } = h;
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) fail(field, "must be an object, e.g. { node: 'B', payment: 'p1', is: 'claimed' }");
  const e = arg as Record<string, unknown> & Partial<Expectation>;
  const allowed = (fields: string[]) => {
    for (const k of Object.keys(e)) if (!fields.includes(k)) fail(`${field}.${k}`, `is not a field of this expectation${suggest(k, fields)}: the fields are ${fields.join(', ')}`);
  };
  if ('check' in e) {
    allowed(['what', 'check']);
    if (typeof e.check !== 'function') fail(`${field}.check`, 'must be a function (world) => message | undefined');
    if (typeof e.what !== 'string' || e.what.trim() === '') fail(`${field}.what`, 'must say in a few words what the check expects');
    return;
  }
  const n = h.node(`${field}.node`, e.node);
  if ('payment' in e && 'is' in e) {
    allowed(['node', 'payment', 'is']);
    const p = h.payment(`${field}.payment`, e.payment);
    if (p.from !== n && p.to !== n) fail(`${field}.node`, `is ${n}, which neither pays nor receives '${e.payment}' (${p.from} → ${p.to}): name its payer or payee`);
    const states = p.from === n ? PAYER_STATES : PAYEE_STATES;
    if (!states.includes(e.is as string)) fail(`${field}.is`, `${JSON.stringify(e.is)} is not a state ${n} can see as the ${p.from === n ? 'payer' : 'payee'}: choose from ${states.join(', ')}`);
    return;
  }
  if ('event' in e) {
    allowed(['node', 'event', 'payment', 'handled', 'count']);
    if (!h.world.eventTypes.includes(e.event as string)) fail(`${field}.event`, `${JSON.stringify(e.event)} is not an event type${suggest(String(e.event), h.world.eventTypes)}: choose from ${h.world.eventTypes.join(', ')}`);
    if (e.payment !== undefined) h.payment(`${field}.payment`, e.payment);
    if (e.handled !== undefined && typeof e.handled !== 'boolean') fail(`${field}.handled`, `must be true or false, got ${JSON.stringify(e.handled)}`);
    if (e.count !== undefined && !(Number.isSafeInteger(e.count) && (e.count as number) >= 0)) fail(`${field}.count`, `must be a non-negative integer (0: never), got ${JSON.stringify(e.count)}`);
    return;
  }
  if ('channel' in e) {
    allowed(['node', 'channel', 'is']);
    h.channel(`${field}.channel`, e.channel, n);
    if (e.is !== 'open' && e.is !== 'closed') fail(`${field}.is`, `must be 'open' or 'closed', got ${JSON.stringify(e.is)}`);
    return;
  }
  if ('monitor' in e) {
    allowed(['node', 'monitor', 'durableUpdate']);
    h.channel(`${field}.monitor`, e.monitor, n);
    const d = e.durableUpdate as unknown;
    const ok = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
    if (!(ok(d) || (typeof d === 'object' && d !== null && Object.keys(d).length === 1 && ok((d as { atLeast?: unknown }).atLeast)))) fail(`${field}.durableUpdate`, `must be an update id or { atLeast: id }, got ${JSON.stringify(d)}`);
    return;
  }
  fail(field, "says nothing to check: give { node, payment, is }, { node, event }, { node, channel, is }, { node, monitor, durableUpdate } or { what, check }");
}

function connected(channels: ReadonlyMap<string, readonly [string, string]>, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === to) return true;
    for (const [a, b] of channels.values()) {
      const next = a === at ? b : b === at ? a : undefined;
      if (next !== undefined && !seen.has(next)) (seen.add(next), queue.push(next));
    }
  }
  return false;
}

