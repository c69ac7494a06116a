// Which node and which event a violation is about, from its message and the
// trace: shared by the replay TUI ('v', --at violation) and the SVG picture.
// Pure; knows only the kernel's record kinds.
import type { TraceRecord } from '../sim/trace.ts';

/** Record kinds of the calm phase's background: never the event a violation is about. */
export const BACKGROUND_KINDS: ReadonlySet<string> = new Set(['block', 'timer', 'end', 'violation', 'tick']);

/** The node ids a violation message names, in the order it names them (whole words only). */
export function nodesNamed(message: string, nodes: readonly string[]): string[] {
  const found = nodes
    .map((id) => ({ id, at: new RegExp(`(?<![\\w-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).exec(message)?.index ?? -1 }))
    .filter((f) => f.at >= 0)
    .sort((a, b) => a.at - b.at);
  return found.map((f) => f.id);
}

/**
 * Where `v` lands: the node the violation message names first (else the node of the record the checker
 * judged), and, for a violation found after the run ended, the last event of that node before the end that
 * mentions something else the message names (a payment, a channel), else its last event: not the
 * violation row after the calm phase's block rows. A violation found during the run lands on itself.
 */
export function violationFocus(records: readonly TraceRecord[], nodes: readonly string[], violation: number): { cursor: number; node: number } {
  const cached = focusCache.get(records);
  if (cached?.violation === violation) return cached.focus;
  const focus = findViolationFocus(records, nodes, violation);
  focusCache.set(records, { violation, focus });
  return focus;
}

/** violationFocus per trace: the view asks on every frame. */
const focusCache = new WeakMap<readonly TraceRecord[], { violation: number; focus: { cursor: number; node: number } }>();

function findViolationFocus(records: readonly TraceRecord[], nodes: readonly string[], violation: number): { cursor: number; node: number } {
  const message = String(records[violation]?.d?.message ?? '');
  const named = nodesNamed(message, nodes)[0] ?? records[violation - 1]?.n;
  const node = named === undefined ? -1 : nodes.indexOf(named);
  if (records[violation - 1]?.k !== 'end' || named === undefined) return { cursor: violation, node };
  // Words of the message that look like ids (p4, ab, ch-2, a hash prefix), other than node ids.
  const words = new Set((message.match(/[A-Za-z0-9_-]+/g) ?? []).filter((w) => /\d/.test(w) || w.length <= 3).filter((w) => !nodes.includes(w)).map((w) => w.toLowerCase()));
  // The latest of the node's events that mentions the most of those words.
  let last: number | undefined;
  let best: { cursor: number; score: number } | undefined;
  for (let i = violation - 1; i >= 0; i--) {
    const r = records[i];
    if (r.n !== named || BACKGROUND_KINDS.has(r.k)) continue;
    last ??= i;
    const tokens = new Set((JSON.stringify(r.d ?? {}).toLowerCase().match(/[a-z0-9_-]+/g) ?? []));
    const score = [...words].filter((w) => tokens.has(w)).length;
    if (score > 0 && (best === undefined || score > best.score)) best = { cursor: i, score };
  }
  return { cursor: best?.cursor ?? last ?? violation, node };
}
