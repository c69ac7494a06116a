// Aimed faults: swarm testing over WHERE faults land, not only which kinds.
// Plain swarm testing draws per run which kinds are on and how hard; every
// write and every handler is then an equal opportunity, so a window that needs
// several faults in one place (a manager that stays stale while one channel's
// monitor moves on; a crash right between a monitor write and the manager
// write; a second crash while a restart replays a claim) comes up rarely.
//
// An aimed run picks its targets from what it sees, the first time it sees it:
// - stall targets: at the first write to each key class (the key without its
//   trailing digits: `manager`, `monitor-update/ab/`, `monitor/ac`) on a node
//   faults may strike, a draw decides whether writes of that class stall in
//   this run (until the node's next crash or the calm phase);
// - crash triggers: at the first trace record of each signature at such a
//   node (kind plus what it is about: `write monitor-update/ab/`,
//   `deliver update_fulfill_htlc`, `restart`, `replay-claim`...), a draw
//   decides whether it is a trigger; a trigger fires at its k-th occurrence
//   and crashes the node within a few crash opportunities after it.
// Knows nothing of Lightning: classes and signatures come from keys and trace
// records. Every decision is a draw on the 'aim' stream, drawn when first
// needed, so a seed or a tape replays it exactly, 0 always means "not aimed"
// (a zeroed tape aims nowhere: shrinking removes aims like other faults), and
// scenarios that do not ask for aiming draw nothing at all.
import type { Choices } from './choices.ts';
import type { Intensity } from './faults.ts';
import type { TraceRecord } from './trace.ts';

export interface AimProfile {
  /** Chance that a run aims at all (swarm over aiming: the other runs are plain). Default 0.5. */
  readonly runs?: number;
  /** At the first write to a key class on a node faults may strike: chance the class becomes a stall target. Default 0.25. */
  readonly stallTarget?: number;
  /** Chance that a write to a stall target stalls; the run draws one of 8 levels in the range. Default [0.3, 1]. */
  readonly stallChance?: Intensity;
  /** At the first record of each signature at a node faults may strike: chance it becomes a crash trigger. Default 0.04. */
  readonly crashTrigger?: number;
  /** A trigger fires at one of its first `occurrences` occurrences (drawn). Default 4. */
  readonly occurrences?: number;
  /** Once fired, the crash strikes at one of the next `delay` crash opportunities of the node (drawn; 1 = the very next). Default 3. */
  readonly delay?: number;
}

/** The aiming a scenario gets when a search turns it on and the scenario names none. */
export const DEFAULT_AIM: AimProfile = {};

/** What one run drew: plain data (reports show it). Absent from FaultSettings when the run does not aim. */
export interface AimSettings {
  readonly stallTarget: number;
  readonly stallChance: number;
  readonly crashTrigger: number;
  readonly occurrences: number;
  readonly delay: number;
  /** Aimed stalls: only where the scenario allows stalls at all (persistStall or keyStall). */
  readonly stalls: boolean;
  /** Aimed crashes: only where the scenario allows crashes at all. */
  readonly crashes: boolean;
}

/** Draw whether this run aims, and how hard. No draw at all when the profile has no aim. */
export function drawAimSettings(aim: AimProfile | undefined, allows: { stalls: boolean; crashes: boolean }, choices: Choices): AimSettings | undefined {
  if (aim === undefined || !(allows.stalls || allows.crashes)) return undefined;
  if (!choices.chance('aim', aim.runs ?? 0.5, 'aim this run')) return undefined;
  const [min, max] = intensityRange(aim.stallChance ?? [0.3, 1]);
  const level = max > min ? choices.int('aim', 8, 'aim stall intensity') : 7;
  return {
    stallTarget: aim.stallTarget ?? 0.25,
    stallChance: min + ((max - min) * (level + 1)) / 8,
    crashTrigger: aim.crashTrigger ?? 0.04,
    occurrences: Math.max(1, Math.floor(aim.occurrences ?? 4)),
    delay: Math.max(1, Math.floor(aim.delay ?? 3)),
    stalls: allows.stalls,
    crashes: allows.crashes,
  };
}

function intensityRange(intensity: Intensity): readonly [number, number] {
  return typeof intensity === 'number' ? [intensity, intensity] : intensity;
}

/** The class a key belongs to for stall aims: the key without its trailing digits (`monitor-update/ab/17` → `monitor-update/ab/`). */
export function keyClass(key: string): string {
  // As key.replace(/\d+$/, '') does, without a regular expression (asked at every write of an aimed run).
  let end = key.length;
  while (end > 0) {
    const c = key.charCodeAt(end - 1);
    if (c < 0x30 || c > 0x39) break;
    end--;
  }
  return end === key.length ? key : key.slice(0, end);
}

/** What a record is about, for crash triggers: its kind, refined by the key class, message type, timer tag or command. */
export function recordSignature(record: TraceRecord): string {
  const detail = signatureDetail(record);
  return detail === undefined ? record.k : `${record.k} ${detail}`;
}

/** What refines a record's kind in its signature (the kind's own, spaceless name comes first); undefined: nothing. */
function signatureDetail(record: TraceRecord): string | undefined {
  const d = record.d;
  switch (record.k) {
    case 'write':
    case 'durable':
      return keyClass(String(d?.key));
    case 'rename':
      return keyClass(String(d?.to));
    case 'deliver':
      return String(d?.type);
    case 'send':
      return String((d?.message as { type?: unknown } | undefined)?.type);
    case 'timer':
      return String(d?.tag);
    case 'command': {
      const command = d?.command as Record<string, unknown> | undefined;
      return String(command?.type ?? command?.kind ?? '');
    }
    default:
      return undefined;
  }
}

/** Records that never trigger: the kernel's own bookkeeping, and what a crash itself records. */
const NO_TRIGGER = new Set(['crash', 'violation', 'end', 'calm', 'drop', 'disconnect', 'connect', 'command-skipped']);

interface Trigger {
  /** Occurrences still to let pass before firing (-1 once fired). */
  skip: number;
  /** Crash opportunities of the node to let pass once fired. */
  readonly delay: number;
}

/**
 * A node's triggers, by signature, kept without building the signature: a signature with a space by what comes
 * before its first space and what follows it (a refined kind and its detail, or a model kind with a space in it),
 * one without by itself. Two signatures are equal exactly when their parts are: the refined kinds have no space.
 */
interface NodeTriggers {
  readonly plain: Map<string, Trigger | null>;
  readonly split: Map<string, Map<string, Trigger | null>>;
}

/** One run's aiming state: targets are decided at first sight, crashes armed by triggers. */
export class Aim {
  /** Per `node|class` (split at its first '|', see stalls): whether writes of the class are a stall target. */
  private readonly stallTargets = new Map<string, Map<string, boolean>>();
  /** Per node, then signature: the trigger, or null when the signature was judged not to be one. */
  private readonly triggers = new Map<string, NodeTriggers>();
  /** Per node: crash opportunities to let pass before the aimed crash. */
  private readonly armed = new Map<string, number>();

  constructor(
    readonly settings: AimSettings,
    private readonly choices: Choices,
  ) {}

  /** A write to `key` at `node` (a node faults may strike): whether an aim stalls it. */
  stalls(node: string, key: string, label: string): boolean {
    if (!this.settings.stalls) return false;
    // The target of `${node}|${class}`, looked up by that string's parts around its first '|' (no string built
    // per write): the node and the class, unless the node's id holds a '|' itself.
    const cls = keyClass(key);
    const bar = node.indexOf('|');
    const head = bar < 0 ? node : node.slice(0, bar);
    const tail = bar < 0 ? cls : `${node.slice(bar + 1)}|${cls}`;
    let byTail = this.stallTargets.get(head);
    if (byTail === undefined) this.stallTargets.set(head, (byTail = new Map()));
    let target = byTail.get(tail);
    if (target === undefined) {
      target = this.choices.chance('aim', this.settings.stallTarget, `aim stall target ${node}|${cls}`);
      byTail.set(tail, target);
    }
    return target && this.choices.chance('aim', this.settings.stallChance, `aimed stall ${label}`);
  }

  /** A record at a node faults may strike: decide at first sight whether its signature is a trigger; arm the crash when one fires. */
  observe(record: TraceRecord): void {
    const node = record.n;
    if (!this.settings.crashes || node === undefined) return;
    const k = record.k;
    // A crash ends the node's memory: an armed crash that has not struck is dropped (a restart may arm another).
    if (k === 'crash') this.armed.delete(node);
    if (NO_TRIGGER.has(k)) return;
    // recordSignature(record), as its two parts (see NodeTriggers): looked up without building the string (every
    // record of an aimed run comes here; building and hashing a fresh string each time was most of the cost).
    let head = k;
    let tail = signatureDetail(record);
    if (tail === undefined) {
      const space = k.indexOf(' ');
      if (space >= 0) {
        head = k.slice(0, space);
        tail = k.slice(space + 1);
      }
    }
    let triggers = this.triggers.get(node);
    if (triggers === undefined) this.triggers.set(node, (triggers = { plain: new Map(), split: new Map() }));
    let byTail: Map<string, Trigger | null> | undefined;
    let trigger: Trigger | null | undefined;
    if (tail === undefined) trigger = triggers.plain.get(k);
    else {
      byTail = triggers.split.get(head);
      if (byTail === undefined) triggers.split.set(head, (byTail = new Map()));
      trigger = byTail.get(tail);
    }
    if (trigger === undefined) {
      const at = `${node}|${tail === undefined ? k : `${head} ${tail}`}`;
      trigger = null;
      if (this.choices.chance('aim', this.settings.crashTrigger, `aim crash trigger ${at}`)) {
        const skip = this.choices.int('aim', this.settings.occurrences, `aim trigger occurrence ${at}`);
        const delay = this.choices.int('aim', this.settings.delay, `aim trigger delay ${at}`);
        trigger = { skip, delay };
      }
      if (byTail === undefined) triggers.plain.set(k, trigger);
      else byTail.set(tail!, trigger);
    }
    if (trigger === null || trigger.skip < 0) return;
    if (trigger.skip > 0) {
      trigger.skip--;
      return;
    }
    trigger.skip = -1;
    if (!this.armed.has(node)) this.armed.set(node, trigger.delay);
  }

  /** A crash opportunity at `node`: whether an armed aim crashes it here. */
  crashes(node: string, label: string): boolean {
    const left = this.armed.get(node);
    if (left === undefined) return false;
    if (left > 0) {
      this.armed.set(node, left - 1);
      return false;
    }
    this.armed.delete(node);
    return this.choices.chance('aim', 0.99, `aimed crash ${label}`);
  }
}
