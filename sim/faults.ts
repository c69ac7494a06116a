// The fault plan. Swarm testing: at the start of a run each fault kind the
// scenario allows is switched on or off, and given an intensity, by the seed;
// a run therefore explores a few kinds hard rather than all kinds thinly.
// After `faultPhaseEnds` the calm phase begins: no new faults, and the world
// must converge (liveness). Every decision is a labelled draw on the 'faults'
// stream, and 0 always means "no fault".
import { Aim, drawAimSettings, type AimProfile, type AimSettings } from './aim.ts';
import type { Choices } from './choices.ts';
import { hasPrefix } from './disk.ts';
import type { TraceRecord } from './trace.ts';

/** Probability range per opportunity; the run draws its intensity inside it. */
export type Intensity = number | readonly [min: number, max: number];

export interface FaultProfile {
  /** Crash a node: at an event boundary, or right after one of its disk writes (so between two persists of one operation). Chance per opportunity. */
  crash?: Intensity;
  /** A disk write completes after a delay instead of at once (async persistence, InProgress). Chance per write. */
  persistDelay?: Intensity;
  /** A disk write stalls until the next crash or the calm phase (a persister that never answers). Chance per write. */
  persistStall?: Intensity;
  /** At a crash, chance that each still-pending write had nevertheless reached the disk. */
  crashKeepsPending?: Intensity;
  /** At a crash, chance that a pending multi-part write is left torn. */
  tornWrite?: Intensity;
  /** Disconnect a peer connection (drops what is in flight), reconnect later. Chance per fault tick. */
  disconnect?: Intensity;
  /** Within a node, hand work to independent queues in an order the simulation picks (the model asks via `pick`). Chance per pick that it is not the first. */
  reorder?: Intensity;
  /** Mine several blocks at once. Chance per fault tick. */
  blockBurst?: Intensity;
  /** Model-defined actions (peer force-close, broadcast of a revoked commitment...), by kind. Chance per fault tick. */
  actions?: Readonly<Record<string, Intensity>>;
  /**
   * Stalls aimed at one kind of file: a write whose key starts with the prefix stalls (until the next crash or the
   * calm phase) with this chance, on top of persistStall. E.g. `{ manager: [0.05, 0.3] }` leaves a node's manager
   * stale while its monitors stay current.
   */
  keyStall?: Readonly<Record<string, Intensity>>;
  /**
   * Node faults (crash, the persist kinds, keyStall, torn writes) strike only these nodes; others run on
   * reliable hardware. Focuses the search on the node whose races matter (a forwarder, a receiver).
   * Default: every node.
   */
  nodes?: readonly string[];
  /**
   * Aimed faults (sim/aim.ts): per run, stall targets chosen among the key classes the run writes, and crashes
   * triggered by chosen trace records (a crash right after a given write, during a replay, after a restart).
   * Strikes only `nodes`; stalls only if persistStall or keyStall is allowed, crashes only if crash is.
   */
  aim?: AimProfile;
}

/** Built-in kinds, in the order their switches are drawn (append only, so old seeds keep their meaning). */
export const FAULT_KINDS = ['crash', 'persistDelay', 'persistStall', 'crashKeepsPending', 'tornWrite', 'disconnect', 'reorder', 'blockBurst'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSettings {
  /** Nodes that node faults may strike (undefined: all). */
  readonly nodes?: readonly string[];
  /** Chance per opportunity for each enabled kind (absent: off). */
  readonly kinds: Readonly<Partial<Record<FaultKind, number>>>;
  readonly actions: Readonly<Record<string, number>>;
  /** Per key prefix, the chance a write stalls. */
  readonly keyStall: Readonly<Record<string, number>>;
  /** Present when the run aims its faults. */
  readonly aim?: AimSettings;
}

/** A kind a profile allows, as each run draws it: its name, its intensity and its draws' labels, made once per profile. */
interface Allowed {
  readonly name: string;
  readonly intensity: Intensity;
  readonly enableLabel: string;
  readonly intensityLabel: string;
}

/** What drawFaultSettings draws for a profile, in draw order. */
interface DrawPlan {
  readonly kinds: readonly Allowed[];
  readonly actions: readonly Allowed[];
  readonly keyStall: readonly Allowed[];
  readonly allows: { readonly stalls: boolean; readonly crashes: boolean };
}

/**
 * Per profile, its draw plan: a sweep draws from one profile thousands of times, and reading its kinds by name, sorting
 * its actions and building the labels each time was a measurable share of a run's setup. A profile is not changed once
 * runs draw from it (scenarios build it once, with their spec).
 */
const drawPlans = new WeakMap<FaultProfile, DrawPlan>();

function drawPlanOf(profile: FaultProfile): DrawPlan {
  let plan = drawPlans.get(profile);
  if (plan === undefined) {
    const allowed = (name: string, label: string, intensity: Intensity): Allowed => ({ name, intensity, enableLabel: `swarm enable ${label}`, intensityLabel: `swarm intensity ${label}` });
    const kinds: Allowed[] = [];
    for (const kind of FAULT_KINDS) {
      const intensity = profile[kind];
      if (intensity !== undefined) kinds.push(allowed(kind, kind, intensity));
    }
    const actions = Object.keys(profile.actions ?? {})
      .sort()
      .map((name) => allowed(name, `action:${name}`, profile.actions![name]));
    const keyStall = Object.keys(profile.keyStall ?? {})
      .sort()
      .map((prefix) => allowed(prefix, `keyStall:${prefix}`, profile.keyStall![prefix]));
    const allows = { stalls: profile.persistStall !== undefined || profile.keyStall !== undefined, crashes: profile.crash !== undefined };
    plan = { kinds, actions, keyStall, allows };
    drawPlans.set(profile, plan);
  }
  return plan;
}

/** Draw which kinds are on in this run, and how hard. Each allowed kind: on with chance 1/2, intensity one of 8 levels of its range. */
export function drawFaultSettings(profile: FaultProfile, choices: Choices, swarm: boolean): FaultSettings {
  const plan = drawPlanOf(profile);
  const kinds: Partial<Record<FaultKind, number>> = {};
  for (let i = 0; i < plan.kinds.length; i++) {
    const p = drawIntensity(plan.kinds[i], choices, swarm);
    if (p > 0) kinds[plan.kinds[i].name as FaultKind] = p;
  }
  const actions: Record<string, number> = {};
  for (let i = 0; i < plan.actions.length; i++) {
    const p = drawIntensity(plan.actions[i], choices, swarm);
    if (p > 0) actions[plan.actions[i].name] = p;
  }
  const keyStall: Record<string, number> = {};
  for (let i = 0; i < plan.keyStall.length; i++) {
    const p = drawIntensity(plan.keyStall[i], choices, swarm);
    if (p > 0) keyStall[plan.keyStall[i].name] = p;
  }
  // Drawn last and on its own stream: a profile without aim draws exactly what it drew before aiming existed.
  const aim = drawAimSettings(profile.aim, plan.allows, choices);
  return aim ? { kinds, actions, keyStall, nodes: profile.nodes, aim } : { kinds, actions, keyStall, nodes: profile.nodes };
}

function drawIntensity(allowed: Allowed, choices: Choices, swarm: boolean): number {
  if (swarm && !choices.chance('faults', 0.5, allowed.enableLabel)) return 0;
  // No array and no destructuring (an iterator) per kind and run.
  const intensity = allowed.intensity;
  const min = typeof intensity === 'number' ? intensity : intensity[0];
  const max = typeof intensity === 'number' ? intensity : intensity[1];
  if (max <= min) return max;
  const level = choices.int('faults', 8, allowed.intensityLabel);
  return min + ((max - min) * (level + 1)) / 8;
}

/**
 * What a draw decides, for the draw labels: text, or a function making it. Labels are kept only when the run records
 * them (replay, shrink, TUI), so sweeps never build them.
 */
export type Label = string | (() => string);

export class FaultPlan {
  private calm = false;
  /** While a script drives the world (sim/script.ts) no fault fires and nothing is drawn for one. */
  private suspended = false;
  private readonly aim: Aim | undefined;
  /**
   * The settings the hot path reads, in objects of one shape for every run (the settings' own objects get their
   * keys by which kinds the run switched on: a different hidden class from run to run).
   */
  private readonly chances: Record<FaultKind, number | undefined>;
  private readonly nodes: readonly string[] | undefined;
  /**
   * The keyStall prefixes in for-in order (Object.keys' order: the same for a plain object) and their chances:
   * asked at every write, and the settings' object has a hidden class of its own per set of prefixes.
   */
  private readonly keyStallPrefixes: readonly string[];
  private readonly keyStallChances: readonly number[];
  /** The model actions this run may fire, in the settings' order (asked at every fault tick). */
  readonly actionNames: readonly string[];
  /** Their chances (the settings' object has a hidden class of its own per set of actions). */
  private readonly actionChances = new Map<string, number>();
  constructor(
    readonly settings: FaultSettings,
    private readonly choices: Choices,
  ) {
    this.aim = settings.aim ? new Aim(settings.aim, choices) : undefined;
    const k = settings.kinds;
    this.chances = {
      crash: k.crash,
      persistDelay: k.persistDelay,
      persistStall: k.persistStall,
      crashKeepsPending: k.crashKeepsPending,
      tornWrite: k.tornWrite,
      disconnect: k.disconnect,
      reorder: k.reorder,
      blockBurst: k.blockBurst,
    };
    this.nodes = settings.nodes;
    this.actionNames = Object.keys(settings.actions);
    for (const name of this.actionNames) this.actionChances.set(name, settings.actions[name]);
    this.keyStallPrefixes = Object.keys(settings.keyStall);
    const chances: number[] = [];
    for (const prefix of this.keyStallPrefixes) chances.push(settings.keyStall[prefix]);
    this.keyStallChances = chances;
  }

  get isCalm(): boolean {
    return this.calm;
  }

  enterCalm(): void {
    this.calm = true;
  }

  get isSuspended(): boolean {
    return this.suspended;
  }

  /** Scripted steps run with every fault off; `resume` hands the world back to the fault plan. */
  suspend(): void {
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
  }

  /** No fault can fire now: the calm phase, or a script is running. */
  get quiet(): boolean {
    return this.calm || this.suspended;
  }

  /** Whether node faults may strike `node` at all. */
  targets(node: string): boolean {
    return this.nodes === undefined || this.nodes.includes(node);
  }

  /** Whether a fault of `kind` happens at this opportunity (at `node`, for node faults). No draw at all when the kind is off and nothing aims there. */
  fires(kind: FaultKind, label: Label, node?: string): boolean {
    if (this.quiet) return false;
    if (kind === 'crash' && node !== undefined && this.aim?.crashes(node, this.text(label))) return true;
    const p = this.chanceOf(kind);
    if (p === undefined) return false;
    return this.choices.chance('faults', p, this.labelled ? `${kind} ${this.text(label)}` : '');
  }

  /**
   * The run's chance of `kind` (undefined: off). A switch, the most frequent kinds first, not `this.chances[kind]`:
   * a read by a key that varies is a megamorphic lookup, which was the costliest line of fires.
   */
  private chanceOf(kind: FaultKind): number | undefined {
    const chances = this.chances;
    switch (kind) {
      case 'crash':
        return chances.crash;
      case 'persistStall':
        return chances.persistStall;
      case 'persistDelay':
        return chances.persistDelay;
      case 'reorder':
        return chances.reorder;
      case 'disconnect':
        return chances.disconnect;
      case 'blockBurst':
        return chances.blockBurst;
      case 'crashKeepsPending':
        return chances.crashKeepsPending;
      case 'tornWrite':
        return chances.tornWrite;
      default:
        // A kind added to FAULT_KINDS without a case here fails to compile, instead of never firing.
        return unknownKind(kind);
    }
  }

  actionFires(name: string, label: string): boolean {
    if (this.quiet) return false;
    const p = this.actionChances.get(name);
    if (p === undefined) return false;
    return this.choices.chance('faults', p, this.labelled ? `action ${name} ${label}` : '');
  }

  /** Whether a write to `key` stalls because a keyStall prefix aims at it. No draw when none matches. */
  keyStalls(key: string, label: Label, node?: string): boolean {
    if (this.quiet) return false;
    if (node !== undefined && this.aim?.stalls(node, key, this.text(label))) return true;
    const prefixes = this.keyStallPrefixes;
    for (let i = 0; i < prefixes.length; i++) {
      if (hasPrefix(key, prefixes[i])) return this.choices.chance('faults', this.keyStallChances[i], this.labelled ? `keyStall ${this.text(label)}` : '');
    }
    return false;
  }

  /** Whether this run keeps draw labels (when it does not, no label is ever built). */
  get labelled(): boolean {
    return this.choices.labels !== undefined;
  }

  /** A label's text, made only when the run keeps labels ('' otherwise: nobody reads it). */
  text(label: Label): string {
    return this.choices.labels === undefined ? '' : typeof label === 'string' ? label : label();
  }

  /** Every trace record, as it is appended: aimed crash triggers watch them. */
  observe(record: TraceRecord): void {
    if (this.calm || this.aim === undefined || record.n === undefined || !this.targets(record.n)) return;
    this.aim.observe(record);
  }

  /** A draw that belongs to a fault already decided (which node, how long): 0 is the smallest. */
  pick(n: number, label: Label): number {
    return this.choices.int('faults', n, this.text(label));
  }
}

/** Unreachable while chanceOf has a case for every FaultKind (the compiler proves it). */
function unknownKind(kind: never): never {
  throw new Error(`fault kind ${String(kind)} has no case in chanceOf`);
}
