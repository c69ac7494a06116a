// The authoring API for Lightning scenarios: a protocol developer describes a
// topology, a payment workload, a fault profile and the invariants to check,
// and gets a Scenario that `lnsim run`, `checkScenario` and the sweep engine
// run like any built-in one. Node names are checked at compile time (a channel
// or payment pair naming a node that is not in `topology.nodes` does not type
// check) and every definition is validated at run time, each mistake becoming
// one UsageError that names the field and the fix.
import { UsageError } from '../api.ts';
import { suggest } from './suggest.ts';

export { suggest };
import { INVARIANTS } from '../model/index.ts';
import { DEFAULT_PARAMS, type LnParams } from '../model/ln/node.ts';
import type { FaultProfile, Intensity } from '../sim/faults.ts';
import { FAULT_KINDS } from '../sim/faults.ts';
import { runSim, type SimSpec } from '../sim/runner.ts';
import { SCRIPT_INVARIANT } from '../sim/script.ts';
import { DEFAULT_TIMING, type Checker, type Timing } from '../sim/world.ts';
import { buildLnSpec, LN_INVARIANTS, type ChannelSpec, type LnScenarioOptions } from './ln/build.ts';
import { definitionChecks } from './definition-checks.ts';
import type { Scenario } from './scenario.ts';
import { compileScript, EXPECT_INVARIANT } from './steps/compile.ts';
import { LN_EVENTS, lnStepBackend } from './steps/ln-backend.ts';
import type { Step, Then } from './steps/types.ts';
import { checkSteps, type CheckedSteps } from './steps/validate.ts';

/** The invariants the Lightning model checks (see `lnsim list`). */
export type LnInvariantName = (typeof LN_INVARIANTS)[number];

/**
 * Fault actions the Lightning node model offers (FaultProfile.actions keys).
 * Kept here until the model exports its own list; an unknown key would never fire.
 */
export const LN_FAULT_ACTIONS = ['force-close', 'force-close-inflight'] as const;
export type LnFaultAction = (typeof LN_FAULT_ACTIONS)[number];

/** Violations the kernel itself reports, whatever the scenario checks. */
const KERNEL_INVARIANTS = ['step-limit', 'model-assertion', EXPECT_INVARIANT, SCRIPT_INVARIANT] as const;

/** One value, or a [min, max] range (inclusive) that each run draws from. */
export type Range = number | readonly [min: number, max: number];

export interface ChannelDefinition<N extends string, C extends string = string> {
  /** Unique channel id: names the channel in traces, monitors, force-close actions and steps. */
  readonly id: C;
  /** The two peers. The first is the funder: it opens the channel with `capacity - push` on its side. */
  readonly between: readonly [funder: N, peer: N];
  /** Channel capacity in satoshis (the genesis funding output). A positive integer. */
  readonly capacity: number;
  /** Satoshis the funder gives its peer at opening (BOLT 2 push_msat), so the peer can pay back. 0 ≤ push ≤ capacity. Default 0. */
  readonly push?: number;
}

export interface PaymentsDefinition<N extends string> {
  /** Payments per run (a non-negative integer or a range): each run draws how many. */
  readonly count: Range;
  /** Satoshis per payment (a positive integer or a range): each payment draws its amount. */
  readonly amount: Range;
  /** Who may pay whom, as [payer, payee]; each payment draws one pair. Every pair needs a path of channels (payments are forwarded along it). */
  readonly pairs: readonly (readonly [payer: N, payee: N])[];
  /** Parts per payment (a positive integer or a range): more than one makes it a multi-part payment over distinct paths where there are several. Default 1. */
  readonly parts?: Range;
  /** Chance (0..1) that a payment reuses an earlier payment's hash from another payer: a second payment to an already-used hash. Default 0. */
  readonly reuseHash?: number;
}

/** The fault kinds of the kernel (documented on each field), plus the Lightning model's fault actions and node names. */
export type LnFaultProfile<N extends string = string> = Omit<FaultProfile, 'actions' | 'nodes'> & {
  /**
   * Model-defined fault actions, by kind, with their chance per fault tick.
   * `force-close`: a node force-closes one of its open channels (the peer must settle on chain).
   */
  readonly actions?: Readonly<Partial<Record<LnFaultAction, Intensity>>>;
  /**
   * Node faults (crash, the persist kinds, keyStall, torn writes) strike only these nodes; the others run on
   * reliable hardware. Focuses the search on the node whose races matter. Default: every node.
   */
  readonly nodes?: readonly N[];
};

/** What a custom invariant's checker does; the invariant's name is added by defineScenario. */
export type InvariantCheck = Omit<Checker, 'name'>;

/** An invariant the scenario adds to the catalog's: one checker, built fresh for every run. */
export interface CustomInvariant {
  /** Its name in reports and repro files (letters, digits, '-' and '_'); must not clash with a catalog invariant. */
  readonly name: string;
  /** One sentence: what must hold. */
  readonly description: string;
  /**
   * A fresh checker for one run. It may keep per-run state in its closure.
   * `onRecord(record, world)` judges each trace record as it happens (safety);
   * `atEnd(world)` judges the end state after the calm phase (liveness).
   * Either returns a message when the invariant is broken, else undefined.
   */
  readonly checker: () => InvariantCheck;
}

export interface ScenarioDefinition<N extends string, C extends string = string, O extends string = never> {
  /** How the CLI, reports and repro files name the scenario: letters, digits, '-' and '_'. */
  readonly name: string;
  /** One paragraph: what the scenario exercises and which races it is after. */
  readonly description: string;
  readonly topology: {
    /** Node ids (letters, digits, '-' and '_'). Every node runs the LDK-style Lightning node. */
    readonly nodes: readonly N[];
    /** Channels funded at genesis. */
    readonly channels: readonly ChannelDefinition<NoInfer<N>, C>[];
  };
  /** The random workload. Optional when `steps` are given (then its payments start after the last step, with `then: 'explore'`). */
  readonly workload?: {
    readonly payments: PaymentsDefinition<NoInfer<N>>;
  };
  /**
   * A script that drives the world exactly before anything random happens (see scenarios/steps/types.ts and the
   * tutorial in scenarios/README.md): payments, claims, holds on monitor and manager writes, message delivery, crashes,
   * blocks and `expect` checks.
   */
  readonly steps?: readonly Step<NoInfer<N>, NoInfer<C | O>, O>[];
  /**
   * After the last step: 'settle' (default) starts the calm phase at once and then judges every invariant; 'explore'
   * runs the fault profile's phase (faults, the random workload and timings drawn from the seed), then the calm phase,
   * so a sweep of seeds explores around the scripted prefix.
   */
  readonly then?: Then;
  /** Which faults the runs may inject and how hard (each run switches each kind on or off, see `swarm`). `{}`: no faults. */
  readonly faults: LnFaultProfile<NoInfer<N>>;
  /** Catalog invariants to check. Default: every Lightning invariant. */
  readonly invariants?: readonly LnInvariantName[];
  /** Invariants of your own, checked after the catalog ones. */
  readonly customInvariants?: readonly CustomInvariant[];
  /** Phase lengths and delays in ticks (defaults: DEFAULT_TIMING in sim/world.ts). */
  readonly timing?: Partial<Timing>;
  /** Swarm testing: each run switches each fault kind on or off (default true). Off: every kind in `faults` is on in every run. */
  readonly swarm?: boolean;
  /** Part of the default sweep (`lnsim run` without --scenario). Default false. */
  readonly inDefaultMix?: boolean;
  /** Lightning node parameters (CLTV deltas, background-processor delay...; defaults: DEFAULT_PARAMS in model/ln/node.ts). */
  readonly params?: Partial<LnParams>;
  /** Runaway guard: a run with more trace records than this fails as 'step-limit'. Default 200,000. */
  readonly maxEvents?: number;
}

/** A scenario made by defineScenario. */
export interface DefinedScenario extends Scenario {
  /** The module file defineScenario was called from (absolute path), when the call stack shows it: replay commands name it. */
  readonly definedIn: string | undefined;
  /** The definition it was made from (`lnsim export` writes a failing script back as steps). */
  readonly definition: ScenarioDefinition<string>;
}

/**
 * Define a Lightning scenario. Validates the definition (throwing a UsageError
 * that names the field and the fix) and returns a Scenario to export.
 */
export function defineScenario<const N extends string, const C extends string = string, const O extends string = never>(definition: ScenarioDefinition<N, C, O>): DefinedScenario {
  const definedIn = callerModule();
  const checked = validate(definition as unknown as ScenarioDefinition<string>);
  const options: LnScenarioOptions = toLnOptions(checked);
  const invariants = [...checked.lnInvariants, ...checked.custom.map((c) => c.name), ...(checked.steps?.hasExpect ? [EXPECT_INVARIANT] : [])];
  const script = checked.steps ? compileScript(checked.steps, lnStepBackend(options)) : undefined;
  const build = (bugs: ReadonlySet<string>): SimSpec => {
    const spec = restrictCheckers(checked.name, buildLnSpec(options, bugs), checked.lnInvariants, checked.custom);
    return script ? { ...spec, script } : spec;
  };
  if (checked.steps && definitionChecks.dryRunScripts) dryRun(checked.name, build);
  return {
    name: checked.name,
    description: checked.description,
    invariants,
    inDefaultMix: checked.inDefaultMix,
    definedIn,
    definition: definition as unknown as ScenarioDefinition<string>,
    build,
  };
}

/**
 * Run the script once on the correct model (it draws nothing, so one run stands for every seed): a step that cannot
 * act there (nothing held to complete, nothing to deliver) is a definition error, not a finding.
 */
function dryRun(name: string, build: (bugs: ReadonlySet<string>) => SimSpec): void {
  const run = runSim(build(new Set()), { seed: 0, stopAfterScript: true });
  if (run.violation?.invariant !== SCRIPT_INVARIANT) return;
  const match = /^step (\d+) \((.*)\): (.*)$/.exec(run.violation.message);
  const where = match ? `steps[${Number(match[1]) - 1}] (${match[2]})` : 'steps';
  throw new UsageError(`defineScenario('${name}'): ${where} cannot act when the script runs: ${match ? match[3] : run.violation.message}; fix the step or the steps before it`);
}

// ---- building ---------------------------------------------------------------

function toLnOptions(d: Validated): LnScenarioOptions {
  const channels: ChannelSpec[] = d.channels.map((c) => ({ id: c.id, a: c.between[0], b: c.between[1], capacity: c.capacity, aBalance: c.capacity - (c.push ?? 0) }));
  const opens = d.steps?.opens ?? [];
  return {
    // Channels `open` steps declare: a wallet coin at genesis, opened only by their step (never by the random workload).
    ...(opens.length > 0 ? { opens: { channels: opens.map((o) => ({ id: o.channel, funder: o.funder, fundee: o.fundee, capacity: o.capacity, coin: o.capacity })), count: [0, 0] as const } } : {}),
    nodes: d.nodes,
    channels,
    payments: {
      count: asRange(d.payments.count),
      amount: asRange(d.payments.amount),
      pairs: d.payments.pairs,
      ...(d.payments.parts !== undefined ? { parts: asRange(d.payments.parts) } : {}),
      ...(d.payments.reuseHash !== undefined ? { reuseHash: d.payments.reuseHash } : {}),
    },
    faults: d.faults,
    timing: d.timing,
    params: d.params,
    swarm: d.swarm,
    maxEvents: d.maxEvents,
  };
}

/**
 * Keep the Lightning checkers the scenario selected, in catalog order, and
 * append its custom ones. (buildLnSpec always builds every Lightning checker.)
 */
function restrictCheckers(scenario: string, spec: SimSpec, selected: readonly string[], custom: readonly CustomInvariant[]): SimSpec {
  const keep = new Set(selected);
  const built = new Set(spec.checkers().map((c) => c.name));
  const missing = selected.filter((name) => !built.has(name));
  if (missing.length > 0) throw new Error(`scenario '${scenario}': the Lightning model builds no checker for ${missing.map((m) => `'${m}'`).join(', ')} (LN_INVARIANTS and buildLnSpec disagree)`);
  return {
    ...spec,
    checkers: () => [...spec.checkers().filter((c) => keep.has(c.name)), ...custom.map(instantiate)],
  };
}

function instantiate(invariant: CustomInvariant): Checker {
  const check = invariant.checker();
  return {
    name: invariant.name,
    onRecord: check.onRecord?.bind(check),
    atEnd: check.atEnd?.bind(check),
  };
}

const asRange = (r: Range): readonly [number, number] => (typeof r === 'number' ? [r, r] : [r[0], r[1]]);

// ---- validation -------------------------------------------------------------

interface Validated {
  readonly name: string;
  readonly description: string;
  readonly nodes: readonly string[];
  readonly channels: readonly ChannelDefinition<string>[];
  readonly payments: PaymentsDefinition<string>;
  readonly faults: FaultProfile;
  readonly lnInvariants: readonly LnInvariantName[];
  readonly custom: readonly CustomInvariant[];
  readonly timing: Partial<Timing> | undefined;
  readonly params: Partial<LnParams> | undefined;
  readonly swarm: boolean;
  readonly inDefaultMix: boolean;
  readonly maxEvents: number | undefined;
  readonly steps: CheckedSteps | undefined;
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const TOP_FIELDS = ['name', 'description', 'topology', 'workload', 'steps', 'then', 'faults', 'invariants', 'customInvariants', 'timing', 'swarm', 'inDefaultMix', 'params', 'maxEvents'];
const FAULT_FIELDS = [...FAULT_KINDS, 'actions', 'keyStall', 'nodes', 'aim'];
const AIM_FIELDS = ['runs', 'stallTarget', 'stallChance', 'crashTrigger', 'occurrences', 'delay'];

function validate(d: ScenarioDefinition<string>): Validated {
  const label = typeof d === 'object' && d !== null && typeof d.name === 'string' && d.name !== '' ? `'${d.name}'` : '';
  const fail: Fail = (field, problem) => {
    throw new UsageError(`defineScenario(${label}): ${field} ${problem}`);
  };
  if (typeof d !== 'object' || d === null || Array.isArray(d)) fail('the definition', 'must be an object: defineScenario({ name, description, topology, workload, faults })');
  knownFields(d, TOP_FIELDS, '', fail);

  if (typeof d.name !== 'string' || d.name.trim() === '') fail('name', "is empty: give the scenario a name such as 'my-payments' (it names repro files and --scenario)");
  if (!IDENTIFIER.test(d.name)) fail('name', `'${d.name}' may hold only letters, digits, '-' and '_' (it names repro files and --scenario): e.g. '${slug(d.name)}'`);
  if (typeof d.description !== 'string' || d.description.trim() === '') fail('description', 'is empty: say in a sentence what the scenario exercises');

  // Topology.
  if (typeof d.topology !== 'object' || d.topology === null) fail('topology', 'is missing: give { nodes: [...], channels: [...] }');
  knownFields(d.topology, ['nodes', 'channels'], 'topology.', fail);
  const nodes = d.topology.nodes;
  if (!Array.isArray(nodes) || nodes.length < 2) fail('topology.nodes', "needs at least two node ids, e.g. ['A', 'B']");
  nodes.forEach((node, i) => {
    if (typeof node !== 'string' || !IDENTIFIER.test(node)) fail(`topology.nodes[${i}]`, `${JSON.stringify(node)} is not a node id: use letters, digits, '-' and '_'`);
    if (nodes.indexOf(node) !== i) fail(`topology.nodes[${i}]`, `'${node}' is listed twice: list each node once`);
  });
  const nodeList = `[${nodes.map((n) => `'${n}'`).join(', ')}]`;
  const knownNode = (field: string, node: unknown) => {
    if (!nodes.includes(node as string)) fail(field, `names node ${JSON.stringify(node)}, which is not in topology.nodes ${nodeList}: add it there or fix the name`);
  };
  const channels = d.topology.channels;
  if (!Array.isArray(channels) || channels.length === 0) fail('topology.channels', "is empty: add at least one channel, e.g. { id: 'ab', between: ['A', 'B'], capacity: 1_000_000, push: 500_000 }");
  const channelIds = new Set<string>();
  channels.forEach((c, i) => {
    const at = `topology.channels[${i}]`;
    if (typeof c !== 'object' || c === null) fail(at, 'must be { id, between: [funder, peer], capacity, push? }');
    knownFields(c, ['id', 'between', 'capacity', 'push'], `${at}.`, fail);
    if (typeof c.id !== 'string' || !IDENTIFIER.test(c.id)) fail(`${at}.id`, `${JSON.stringify(c.id)} is not a channel id: use letters, digits, '-' and '_', e.g. 'ab'`);
    if (channelIds.has(c.id)) fail(`${at}.id`, `'${c.id}' is used by an earlier channel: give each channel its own id`);
    channelIds.add(c.id);
    if (!Array.isArray(c.between) || c.between.length !== 2) fail(`${at}.between`, "must be two node ids, [funder, peer], e.g. ['A', 'B']");
    knownNode(`${at}.between[0]`, c.between[0]);
    knownNode(`${at}.between[1]`, c.between[1]);
    if (c.between[0] === c.between[1]) fail(`${at}.between`, `joins '${c.between[0]}' to itself: a channel needs two different nodes`);
    if (!isPositiveInteger(c.capacity)) fail(`${at}.capacity`, `must be a positive integer number of satoshis, got ${JSON.stringify(c.capacity)}`);
    if (c.push !== undefined && !(Number.isSafeInteger(c.push) && c.push >= 0)) fail(`${at}.push`, `must be a non-negative integer number of satoshis, got ${JSON.stringify(c.push)}`);
    if ((c.push ?? 0) > c.capacity) fail(`${at}.push`, `(${c.push}) is more than the capacity (${c.capacity}): the funder can push at most the whole channel`);
  });

  // Steps (a scripted prefix), checked against the topology; a scripted scenario needs no random workload.
  const steps = d.steps === undefined ? undefined : checkSteps(d.steps, d.then, { nodes, channels: new Map(channels.map((c) => [c.id, [c.between[0], c.between[1]] as const])), eventTypes: LN_EVENTS }, fail);
  if (d.then !== undefined && steps === undefined) fail('then', "says what follows the steps, but there are none: add steps, or drop 'then'");
  const workload = d.workload ?? (steps ? { payments: { count: 0, amount: 1, pairs: [] } } : undefined);

  // Workload.
  if (typeof workload !== 'object' || workload === null) fail('workload', 'is missing: give { payments: { count, amount, pairs } } (or script the run with steps)');
  knownFields(workload, ['payments'], 'workload.', fail);
  const payments = workload.payments;
  if (typeof payments !== 'object' || payments === null) fail('workload.payments', 'is missing: give { count, amount, pairs }');
  knownFields(payments, ['count', 'amount', 'pairs', 'parts', 'reuseHash'], 'workload.payments.', fail);
  const [, maxCount] = checkRange('workload.payments.count', payments.count, 0, fail);
  const [minAmount, maxAmount] = checkRange('workload.payments.amount', payments.amount, 1, fail);
  if (payments.parts !== undefined) {
    const [, maxParts] = checkRange('workload.payments.parts', payments.parts, 1, fail);
    if (maxParts > minAmount) fail('workload.payments.parts', `reaches ${maxParts} parts, more than the smallest amount (${minAmount}) can be split into: lower parts or raise amount`);
  }
  if (payments.reuseHash !== undefined && !(typeof payments.reuseHash === 'number' && payments.reuseHash >= 0 && payments.reuseHash <= 1)) {
    fail('workload.payments.reuseHash', `is a chance per payment and must lie in [0, 1], got ${JSON.stringify(payments.reuseHash)}`);
  }
  const largest = Math.max(...channels.map((c) => c.capacity));
  if (maxAmount > largest) fail('workload.payments.amount', `reaches ${maxAmount}, more than any channel can carry (largest capacity ${largest}): lower it or add capacity`);
  if (!Array.isArray(payments.pairs)) fail('workload.payments.pairs', "must be a list of [payer, payee] pairs, e.g. [['A', 'B'], ['B', 'A']]");
  if (payments.pairs.length === 0 && maxCount > 0) fail('workload.payments.pairs', "is empty but payments are made: add [payer, payee] pairs, e.g. [['A', 'B']]");
  const graph = adjacency(nodes, channels);
  payments.pairs.forEach((pair, i) => {
    const at = `workload.payments.pairs[${i}]`;
    if (!Array.isArray(pair) || pair.length !== 2) fail(at, "must be [payer, payee], e.g. ['A', 'B']");
    knownNode(`${at}[0]`, pair[0]);
    knownNode(`${at}[1]`, pair[1]);
    if (pair[0] === pair[1]) fail(at, `has '${pair[0]}' pay itself: a pair needs two different nodes`);
    if (!connected(graph, pair[0], pair[1])) fail(at, `['${pair[0]}', '${pair[1]}'] has no path of channels between them: add a channel that connects them, or drop the pair`);
  });

  // Faults.
  if (typeof d.faults !== 'object' || d.faults === null || Array.isArray(d.faults)) fail('faults', 'is missing: give a fault profile such as { crash: [0.001, 0.02], persistDelay: [0.1, 0.8] }, or {} for none');
  knownFields(d.faults, FAULT_FIELDS, 'faults.', fail);
  for (const kind of FAULT_KINDS) if (d.faults[kind] !== undefined) checkIntensity(`faults.${kind}`, d.faults[kind], fail);
  const actions = d.faults.actions;
  if (actions !== undefined) {
    if (typeof actions !== 'object' || actions === null) fail('faults.actions', "must map action kinds to intensities, e.g. { 'force-close': [0.002, 0.01] }");
    for (const [kind, intensity] of Object.entries(actions)) {
      if (!(LN_FAULT_ACTIONS as readonly string[]).includes(kind)) fail(`faults.actions`, `has unknown action '${kind}': the Lightning model offers ${LN_FAULT_ACTIONS.map((a) => `'${a}'`).join(', ')}`);
      checkIntensity(`faults.actions['${kind}']`, intensity as Intensity, fail);
    }
  }
  const faultNodes = d.faults.nodes;
  if (faultNodes !== undefined) {
    if (!Array.isArray(faultNodes) || faultNodes.length === 0) fail('faults.nodes', `must list the nodes that faults may strike, e.g. ['${nodes[0]}'] (leave it out for every node)`);
    faultNodes.forEach((node, i) => {
      knownNode(`faults.nodes[${i}]`, node);
      if (faultNodes.indexOf(node) !== i) fail(`faults.nodes[${i}]`, `'${node}' is listed twice: list each node once`);
    });
  }
  const keyStall = d.faults.keyStall;
  if (keyStall !== undefined) {
    if (typeof keyStall !== 'object' || keyStall === null || Array.isArray(keyStall)) fail('faults.keyStall', "must map disk key prefixes to intensities, e.g. { manager: [0.02, 0.3] }");
    for (const [prefix, intensity] of Object.entries(keyStall)) {
      if (prefix === '') fail('faults.keyStall', "has an empty key prefix, which would stall every write: name a prefix such as 'manager'");
      checkIntensity(`faults.keyStall['${prefix}']`, intensity, fail);
    }
  }

  const aim = d.faults.aim;
  if (aim !== undefined) {
    if (typeof aim !== 'object' || aim === null || Array.isArray(aim)) fail('faults.aim', 'must be an aim profile such as {} (the defaults) or { runs: 0.75 }');
    knownFields(aim, AIM_FIELDS, 'faults.aim.', fail);
    for (const field of ['runs', 'stallTarget', 'crashTrigger', 'stallChance'] as const) if (aim[field] !== undefined) checkIntensity(`faults.aim.${field}`, aim[field], fail);
    for (const field of ['occurrences', 'delay'] as const) if (aim[field] !== undefined && !isPositiveInteger(aim[field])) fail(`faults.aim.${field}`, `must be a positive integer, got ${JSON.stringify(aim[field])}`);
  }

  // Invariants.
  if (d.invariants !== undefined && !Array.isArray(d.invariants)) fail('invariants', `must be a list of invariant names from: ${LN_INVARIANTS.join(', ')}`);
  const lnInvariants = d.invariants ?? LN_INVARIANTS;
  lnInvariants.forEach((name, i) => {
    if (!(LN_INVARIANTS as readonly string[]).includes(name)) {
      const elsewhere = INVARIANTS.some((inv) => inv.name === name);
      fail(`invariants[${i}]`, elsewhere
        ? `'${name}' is not checked by the Lightning model (another part of lnsim owns it): choose from ${LN_INVARIANTS.join(', ')}`
        : `'${name}' is not a catalog invariant${suggest(name, LN_INVARIANTS)}: choose from ${LN_INVARIANTS.join(', ')} (or add it as a customInvariant)`);
    }
    if (lnInvariants.indexOf(name) !== i) fail(`invariants[${i}]`, `'${name}' is listed twice: list each invariant once`);
  });
  const custom = d.customInvariants ?? [];
  if (!Array.isArray(custom)) fail('customInvariants', 'must be a list of { name, description, checker }');
  const taken = new Set<string>([...INVARIANTS.map((inv) => inv.name), ...LN_INVARIANTS, ...KERNEL_INVARIANTS]);
  custom.forEach((inv, i) => {
    const at = `customInvariants[${i}]`;
    if (typeof inv !== 'object' || inv === null) fail(at, 'must be { name, description, checker: () => ({ onRecord?, atEnd? }) }');
    knownFields(inv, ['name', 'description', 'checker'], `${at}.`, fail);
    if (typeof inv.name !== 'string' || !IDENTIFIER.test(inv.name)) fail(`${at}.name`, `${JSON.stringify(inv.name)} is not an invariant name: use letters, digits, '-' and '_'`);
    if (taken.has(inv.name)) fail(`${at}.name`, `'${inv.name}' is already an invariant's name (catalog, kernel or an earlier custom one): choose another name`);
    taken.add(inv.name);
    if (typeof inv.description !== 'string' || inv.description.trim() === '') fail(`${at}.description`, 'is empty: say in a sentence what must hold');
    if (typeof inv.checker !== 'function') fail(`${at}.checker`, 'must be a function returning a fresh checker { onRecord?, atEnd? } for each run');
    const sample: unknown = inv.checker();
    const s = sample as InvariantCheck | undefined;
    if (typeof s !== 'object' || s === null || (typeof s.onRecord !== 'function' && typeof s.atEnd !== 'function')) {
      fail(`${at}.checker`, 'returned no onRecord or atEnd function: return { onRecord(record, world) {...} } and/or { atEnd(world) {...} }');
    }
  });
  if (lnInvariants.length === 0 && custom.length === 0) fail('invariants', 'is empty and there are no customInvariants: a scenario must check at least one invariant');

  // Timing, node parameters, switches.
  if (d.timing !== undefined) {
    if (typeof d.timing !== 'object' || d.timing === null) fail('timing', `must be an object of tick counts (${Object.keys(DEFAULT_TIMING).join(', ')})`);
    knownFields(d.timing, Object.keys(DEFAULT_TIMING), 'timing.', fail);
    for (const [key, value] of Object.entries(d.timing)) {
      if (!isPositiveInteger(value)) fail(`timing.${key}`, `must be a positive integer number of ticks, got ${JSON.stringify(value)}`);
    }
    if (d.timing.faultPhase !== undefined && d.timing.faultPhase < 2) fail('timing.faultPhase', 'must be at least 2 ticks: payments start inside the fault phase');
  }
  if (d.params !== undefined) {
    if (typeof d.params !== 'object' || d.params === null) fail('params', `must be an object of Lightning node parameters (${Object.keys(DEFAULT_PARAMS).join(', ')})`);
    knownFields(d.params, Object.keys(DEFAULT_PARAMS), 'params.', fail);
    for (const [key, value] of Object.entries(d.params)) {
      if (!(Number.isSafeInteger(value) && (value as number) >= 0)) fail(`params.${key}`, `must be a non-negative integer, got ${JSON.stringify(value)}`);
    }
  }
  if (d.swarm !== undefined && typeof d.swarm !== 'boolean') fail('swarm', `must be true or false, got ${JSON.stringify(d.swarm)}`);
  if (d.inDefaultMix !== undefined && typeof d.inDefaultMix !== 'boolean') fail('inDefaultMix', `must be true or false, got ${JSON.stringify(d.inDefaultMix)}`);
  if (d.maxEvents !== undefined && !isPositiveInteger(d.maxEvents)) fail('maxEvents', `must be a positive integer, got ${JSON.stringify(d.maxEvents)}`);

  return {
    name: d.name,
    description: d.description,
    nodes: [...nodes],
    channels: channels.map((c) => ({ ...c, between: [c.between[0], c.between[1]] as const })),
    payments: { ...payments, pairs: payments.pairs.map((p) => [p[0], p[1]] as const) },
    faults: d.faults as FaultProfile,
    lnInvariants: [...lnInvariants],
    custom: [...custom],
    timing: d.timing,
    params: d.params,
    swarm: d.swarm ?? true,
    inDefaultMix: d.inDefaultMix ?? false,
    maxEvents: d.maxEvents,
    steps,
  };
}

type Fail = (field: string, problem: string) => never;

/** A field that is not part of the definition is almost always a typo: name it and the likely intended field. */
function knownFields(value: object, known: readonly string[], prefix: string, fail: Fail): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(`${prefix}${key}`, `is not a field here${suggest(key, known)}: the fields are ${known.join(', ')}`);
  }
}

function checkRange(field: string, range: unknown, min: number, fail: Fail): readonly [number, number] {
  const example = min === 0 ? '5 or [3, 12]' : '10_000 or [1_000, 60_000]';
  const ok = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= min;
  if (typeof range === 'number') {
    if (!ok(range)) fail(field, `must be an integer ≥ ${min} or a [min, max] range, e.g. ${example}; got ${range}`);
    return [range, range];
  }
  if (!Array.isArray(range) || range.length !== 2) fail(field, `must be an integer or a [min, max] range, e.g. ${example}`);
  const [lo, hi] = range as unknown[];
  if (!ok(lo) || !ok(hi)) fail(field, `must hold integers ≥ ${min}, got ${JSON.stringify(range)}`);
  if ((lo as number) > (hi as number)) fail(field, `range [${lo}, ${hi}] has min above max: write [${hi}, ${lo}]`);
  return [lo as number, hi as number];
}

function checkIntensity(field: string, intensity: Intensity, fail: Fail): void {
  const ok = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
  if (typeof intensity === 'number') {
    if (!ok(intensity)) fail(field, `is a probability per opportunity and must lie in [0, 1], got ${intensity}`);
    return;
  }
  if (!Array.isArray(intensity) || intensity.length !== 2) fail(field, 'must be a probability or a [min, max] pair of probabilities, e.g. [0.01, 0.1]');
  const [lo, hi] = intensity;
  if (!ok(lo) || !ok(hi)) fail(field, `holds probabilities that must lie in [0, 1], got ${JSON.stringify(intensity)}`);
  if (lo > hi) fail(field, `range [${lo}, ${hi}] has min above max: write [${hi}, ${lo}]`);
}

function isPositiveInteger(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) > 0;
}

function adjacency(nodes: readonly string[], channels: readonly ChannelDefinition<string>[]): Map<string, string[]> {
  const graph = new Map(nodes.map((n) => [n, [] as string[]]));
  for (const c of channels) {
    graph.get(c.between[0])!.push(c.between[1]);
    graph.get(c.between[1])!.push(c.between[0]);
  }
  return graph;
}

function connected(graph: Map<string, string[]>, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === to) return true;
    for (const next of graph.get(node) ?? []) if (!seen.has(next)) (seen.add(next), queue.push(next));
  }
  return false;
}

function slug(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'my-scenario';
}


/**
 * The file that called defineScenario, read from the call stack (V8 frames,
 * with or without a file:// URL). Only a hint for replay commands: undefined
 * when the stack does not show it.
 */
function callerModule(): string | undefined {
  const here = import.meta.url;
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  for (const frame of frames) {
    const match = /((?:file:\/\/)?\/[^\s()]+?\.(?:[cm]?[jt]sx?)):\d+:\d+\)?\s*$/.exec(frame);
    if (!match) continue;
    const file = match[1].startsWith('file://') ? decodeURIComponent(new URL(match[1]).pathname) : match[1];
    if (here.endsWith(file) || file.includes('/node_modules/')) continue;
    return file;
  }
  return undefined;
}
