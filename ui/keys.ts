// Keys to actions. Pure: the ink app feeds it useInput's (input, key) and
// hands the action to the navigation reducer. The help overlay is built from
// KEY_HELP, so what it says is what the keys do.
import type { Key } from 'ink';
import type { Mode, NavAction } from './navigation.ts';

/** The subset of ink's Key this mapping reads (tests build it partially). */
export type KeyInfo = Partial<Pick<Key, 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'ctrl' | 'shift' | 'tab' | 'backspace' | 'delete' | 'meta'>>;

export const KEY_HELP: readonly (readonly [keys: string, what: string])[] = [
  ['↓ j / ↑ k', 'next / previous event'],
  ['PgDn space / PgUp b', 'page down / up'],
  ['g Home / G End', 'first / last event'],
  ['→ ] / ← [', "next / previous event of the selected node"],
  ['Tab / S-Tab, 1-9', 'select the next / previous node, node N'],
  ['c / C', 'next / previous crash or restart'],
  ['p / P', 'next / previous persist (write, durable, rename)'],
  ['m / M', 'next / previous message (send, deliver, drop)'],
  ['s / S', 'next / previous scripted step (where each step of a script starts)'],
  ['v', 'jump to the violation'],
  ['/ text Enter', 'search the events (Esc cancels)'],
  ['n / N', 'next / previous match'],
  ['d / u', 'scroll the node panels down / up'],
  ['?', 'this help (any key closes it)'],
  ['q Ctrl-C', 'quit'],
];

export function keyToAction(input: string, key: KeyInfo, mode: Mode): NavAction | undefined {
  if (key.ctrl && input === 'c') return { type: 'quit' };
  if (mode === 'help') return { type: 'closeHelp' };
  if (mode === 'search') {
    if (key.escape) return { type: 'searchCancel' };
    if (key.return) return { type: 'searchSubmit' };
    if (key.backspace || key.delete) return { type: 'searchBackspace' };
    if (input && !key.ctrl && !key.meta && !key.tab && !/[\x00-\x1f\x7f]/.test(input)) return { type: 'searchType', text: input };
    return undefined;
  }
  if (key.downArrow) return { type: 'step', delta: 1 };
  if (key.upArrow) return { type: 'step', delta: -1 };
  if (key.pageDown) return { type: 'page', direction: 1 };
  if (key.pageUp) return { type: 'page', direction: -1 };
  if (key.home) return { type: 'first' };
  if (key.end) return { type: 'last' };
  if (key.rightArrow) return { type: 'jump', target: 'node', direction: 1 };
  if (key.leftArrow) return { type: 'jump', target: 'node', direction: -1 };
  if (key.tab) return { type: 'cycleNode', direction: key.shift ? -1 : 1 };
  if (key.ctrl || key.meta) return undefined;
  switch (input) {
    case 'j':
      return { type: 'step', delta: 1 };
    case 'k':
      return { type: 'step', delta: -1 };
    case ' ':
      return { type: 'page', direction: 1 };
    case 'b':
      return { type: 'page', direction: -1 };
    case 'g':
      return { type: 'first' };
    case 'G':
      return { type: 'last' };
    case ']':
      return { type: 'jump', target: 'node', direction: 1 };
    case '[':
      return { type: 'jump', target: 'node', direction: -1 };
    case 'c':
      return { type: 'jump', target: 'crash', direction: 1 };
    case 'C':
      return { type: 'jump', target: 'crash', direction: -1 };
    case 'p':
      return { type: 'jump', target: 'persist', direction: 1 };
    case 'P':
      return { type: 'jump', target: 'persist', direction: -1 };
    case 'm':
      return { type: 'jump', target: 'message', direction: 1 };
    case 'M':
      return { type: 'jump', target: 'message', direction: -1 };
    case 's':
      return { type: 'jump', target: 'step', direction: 1 };
    case 'S':
      return { type: 'jump', target: 'step', direction: -1 };
    case 'v':
      return { type: 'violation' };
    case '/':
      return { type: 'searchOpen' };
    case 'n':
      return { type: 'searchNext', direction: 1 };
    case 'N':
      return { type: 'searchNext', direction: -1 };
    case 'd':
      return { type: 'scroll', delta: 5 };
    case 'u':
      return { type: 'scroll', delta: -5 };
    case '?':
      return { type: 'help' };
    case 'q':
      return { type: 'quit' };
  }
  if (/^[1-9]$/.test(input)) return { type: 'selectNode', index: Number(input) - 1 };
  return undefined;
}

/**
 * Text that arrives in one chunk (a paste, fast typing, tmux send-keys) comes
 * to useInput as one string: split it into single key presses, with Enter,
 * Backspace, Tab and Escape recognised, so "/crash⏎" searches for "crash".
 */
export function splitInput(input: string, key: KeyInfo): [string, KeyInfo][] {
  const special = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.ctrl || key.meta;
  if ([...input].length <= 1 || special) return [[input, key]];
  return [...input].map((ch): [string, KeyInfo] => {
    if (ch === '\r' || ch === '\n') return ['', { return: true }];
    if (ch === '\x7f' || ch === '\b') return ['', { backspace: true }];
    if (ch === '\t') return ['', { tab: true }];
    if (ch === '\x1b') return ['', { escape: true }];
    return [ch, {}];
  });
}
