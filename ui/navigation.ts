// The replay view's state and how actions change it: a pure reducer over the
// trace (no terminal, no simulation), so every key's effect is testable alone.
import type { TraceRecord } from '../sim/trace.ts';
import { violationFocus } from '../reports/violation-focus.ts';

export { nodesNamed, violationFocus } from '../reports/violation-focus.ts';

export type Mode = 'normal' | 'search' | 'help';

export interface NavState {
  /** Index of the selected trace record. */
  readonly cursor: number;
  /** Index of the node whose panel is shown first. */
  readonly node: number;
  readonly mode: Mode;
  /** The search text being typed. */
  readonly query: string;
  /** The last search submitted (n / N repeat it). */
  readonly lastQuery: string;
  /** Manual scroll of the node panels, in lines (reset by moving the cursor). */
  readonly scroll: number;
  /** One-line feedback for the last action ('' for none). */
  readonly status: string;
  readonly quit: boolean;
}

/** Kinds each jump looks for. */
export const JUMP_KINDS = {
  crash: ['crash', 'restart'],
  persist: ['write', 'durable', 'rename'],
  message: ['send', 'deliver', 'drop'],
  step: ['step', 'script-end'],
} as const;

export type JumpTarget = keyof typeof JUMP_KINDS | 'node';

export type NavAction =
  | { readonly type: 'step'; readonly delta: number }
  | { readonly type: 'page'; readonly direction: 1 | -1 }
  | { readonly type: 'first' }
  | { readonly type: 'last' }
  | { readonly type: 'jump'; readonly target: JumpTarget; readonly direction: 1 | -1 }
  | { readonly type: 'violation' }
  | { readonly type: 'selectNode'; readonly index: number }
  | { readonly type: 'cycleNode'; readonly direction: 1 | -1 }
  | { readonly type: 'searchOpen' }
  | { readonly type: 'searchType'; readonly text: string }
  | { readonly type: 'searchBackspace' }
  | { readonly type: 'searchSubmit' }
  | { readonly type: 'searchCancel' }
  | { readonly type: 'searchNext'; readonly direction: 1 | -1 }
  | { readonly type: 'help' }
  | { readonly type: 'closeHelp' }
  | { readonly type: 'scroll'; readonly delta: number }
  | { readonly type: 'quit' };

export interface NavContext {
  readonly records: readonly TraceRecord[];
  readonly nodes: readonly string[];
  /** Trace index of the violation record, if the run failed. */
  readonly violation: number | undefined;
  /** Rows the timeline shows (a page). */
  readonly pageSize: number;
  /** The searchable text of record i, lower-cased. */
  text(i: number): string;
}

export function initialNav(): NavState {
  return { cursor: 0, node: 0, mode: 'normal', query: '', lastQuery: '', scroll: 0, status: '', quit: false };
}

export function navigate(state: NavState, action: NavAction, ctx: NavContext): NavState {
  const last = Math.max(0, ctx.records.length - 1);
  const moveTo = (cursor: number, status = ''): NavState => ({ ...state, cursor: clamp(cursor, 0, last), scroll: 0, status });
  switch (action.type) {
    case 'step':
      return moveTo(state.cursor + action.delta);
    case 'page':
      return moveTo(state.cursor + action.direction * Math.max(1, ctx.pageSize - 1));
    case 'first':
      return moveTo(0);
    case 'last':
      return moveTo(last);
    case 'jump': {
      const found = findFrom(ctx, state.cursor, action.direction, matcherFor(action.target, ctx.nodes[state.node]));
      const what = action.target === 'node' ? `event of ${ctx.nodes[state.node] ?? 'the node'}` : action.target;
      return found === undefined ? { ...state, status: `no ${action.direction > 0 ? 'later' : 'earlier'} ${what}` } : moveTo(found);
    }
    case 'violation': {
      if (ctx.violation === undefined) return { ...state, status: 'this run has no violation' };
      const focus = violationFocus(ctx.records, ctx.nodes, ctx.violation);
      const node = focus.node < 0 ? state.node : focus.node;
      // An end-of-run violation lands on the event it is about; 'v' there goes on to the violation row itself.
      if (focus.cursor === ctx.violation || state.cursor === focus.cursor) return { ...moveTo(ctx.violation, 'at the violation'), node };
      return { ...moveTo(focus.cursor, `${ctx.nodes[node]}'s event behind the end-of-run violation (#${ctx.violation}): v again shows the violation row`), node };
    }
    case 'selectNode':
      return action.index >= 0 && action.index < ctx.nodes.length ? { ...state, node: action.index, scroll: 0, status: '' } : { ...state, status: `no node ${action.index + 1}` };
    case 'cycleNode':
      return ctx.nodes.length === 0 ? state : { ...state, node: (state.node + action.direction + ctx.nodes.length) % ctx.nodes.length, scroll: 0, status: '' };
    case 'searchOpen':
      return { ...state, mode: 'search', query: '', status: '' };
    case 'searchType':
      return { ...state, query: state.query + action.text };
    case 'searchBackspace':
      return { ...state, query: state.query.slice(0, -1) };
    case 'searchCancel':
      return { ...state, mode: 'normal', query: '', status: '' };
    case 'searchSubmit': {
      const query = state.query.trim();
      if (query === '') return { ...state, mode: 'normal', status: '' };
      return search({ ...state, mode: 'normal', lastQuery: query, query: '' }, query, 1, ctx, true);
    }
    case 'searchNext':
      return state.lastQuery === '' ? { ...state, status: "no search yet: press '/' to search" } : search(state, state.lastQuery, action.direction, ctx, false);
    case 'help':
      return { ...state, mode: 'help' };
    case 'closeHelp':
      return { ...state, mode: 'normal' };
    case 'scroll':
      return { ...state, scroll: Math.max(-10_000, Math.min(10_000, state.scroll + action.delta)) };
    case 'quit':
      return { ...state, quit: true };
  }
}

function matcherFor(target: JumpTarget, node: string | undefined): (r: TraceRecord) => boolean {
  if (target === 'node') return (r) => r.n === node || (r.d !== undefined && (r.d.a === node || r.d.b === node));
  const kinds: readonly string[] = JUMP_KINDS[target];
  return (r) => kinds.includes(r.k);
}

function findFrom(ctx: NavContext, from: number, direction: 1 | -1, match: (r: TraceRecord) => boolean): number | undefined {
  for (let i = from + direction; i >= 0 && i < ctx.records.length; i += direction) if (match(ctx.records[i])) return i;
  return undefined;
}

/**
 * The next match after the cursor (before it for -1), wrapping around once. `inclusive` also accepts the
 * cursor itself last. The status says which match it is of how many ("/crash: 2 of 5").
 */
function search(state: NavState, query: string, direction: 1 | -1, ctx: NavContext, inclusive: boolean): NavState {
  const needle = query.toLowerCase();
  const n = ctx.records.length;
  for (let step = 1; step <= n; step++) {
    const i = (((state.cursor + direction * step) % n) + n) % n;
    if (i === state.cursor && !inclusive) break;
    if (ctx.text(i).includes(needle)) {
      const wrapped = direction > 0 ? i <= state.cursor : i >= state.cursor;
      let count = 0;
      let rank = 0;
      for (let j = 0; j < n; j++) {
        if (!ctx.text(j).includes(needle)) continue;
        count++;
        if (j === i) rank = count;
      }
      return { ...state, cursor: i, scroll: 0, status: `/${query}: ${rank} of ${count}${wrapped ? ' (wrapped)' : ''}` };
    }
  }
  return { ...state, status: `/${query}: not found` };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
