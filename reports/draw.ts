// A message-sequence picture of a trace as a standalone SVG: one lifeline per
// node, messages as arrows from send to delivery (matched in order per
// direction, as the transport delivers them), persists, crashes and
// restarts, disconnects, blocks, and the violation marked. One row per event,
// with the event's text in a column on the right, so the picture reads as the
// trace does. Generic over scenarios: it knows only the kernel's record kinds.
import { formatRecord, type TraceRecord } from '../sim/trace.ts';
import { nodesNamed, violationFocus } from './violation-focus.ts';

export interface DrawOptions {
  /** A line at the top (scenario, seed, file). */
  readonly title?: string;
  /** Lifelines, left to right. Default: every node in order of first appearance. */
  readonly nodes?: readonly string[];
  /** First trace index to show (inclusive). */
  readonly from?: number;
  /** Last trace index to show (inclusive). */
  readonly to?: number;
  /** Show the violation and this many events before it (overrides from/to). */
  readonly aroundViolation?: number;
  /** Without from/to/aroundViolation, at most this many events: the last ones, ending at the violation or the end. Default 400. */
  readonly maxEvents?: number;
  /** Record kinds left out of the picture. Default: timer. */
  readonly hide?: readonly string[];
}

export const DEFAULT_DRAW_EVENTS = 400;

const ROW = 18;
/** Rows above the lifelines' name boxes: the heading; the violation's lines come on top of it. */
const TOP_BASE = 64;
/** Line height of the wrapped violation text in the heading. */
const HEADING_LINE = 15;
/** Kinds left out after the event an end-of-run violation is about (the calm phase's background). */
const CALM_BACKGROUND = new Set(['block', 'timer']);
const GUTTER = 78;
const LANE = 180;
const NOTES_WIDTH = 580;
const LABEL_ROOM = 120;
/** Approximate advance of one character of the 10px monospace labels. */
const CHAR_WIDTH = 6.1;
const LEGEND = 'arrows: messages (dashed red: dropped, dashed: not delivered in view) · squares: writes (hollow: pending) and durable persists · ✗: crash · dashed lifeline: node down';
const FONT = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

interface MessagePair {
  readonly send: number;
  /** The deliver or drop record, if the message got that far. */
  readonly end: number | undefined;
  readonly dropped: boolean;
}

/** The picture. Throws on an empty trace. */
export function drawSequenceSvg(records: readonly TraceRecord[], options: DrawOptions = {}): string {
  if (records.length === 0) throw new Error('draw: the trace is empty');
  const hidden = new Set(options.hide ?? ['timer']);
  const nodes = options.nodes ? [...options.nodes] : nodesOf(records);
  const lane = new Map(nodes.map((n, k) => [n, GUTTER + LANE * k + LANE / 2]));
  const violation = records.find((r) => r.k === 'violation');
  const message = violation ? String(violation.d?.message) : '';
  // An end-of-run violation opens on the event it is about, not on the calm phase's block rows before it.
  const focus = violation ? violationFocus(records, nodes, violation.i) : undefined;
  const endOfRun = focus !== undefined && violation !== undefined && focus.cursor < violation.i;
  const [from, to] = chooseWindow(records, violation, options, endOfRun ? focus.cursor : undefined);
  const shown = records.filter((r) => r.i >= from && r.i <= to && !hidden.has(r.k) && !(endOfRun && r.i > focus.cursor && CALM_BACKGROUND.has(r.k)));
  const rowOf = new Map(shown.map((r, row) => [r.i, row]));
  const lanesRight = GUTTER + LANE * nodes.length;
  // Labels beside the last lifeline need room before the notes column.
  const notesX = lanesRight + LABEL_ROOM;
  const heading = `${options.title ?? 'lnsim trace'}${from > 0 || to < records.length - 1 ? ` — events ${from}..${to} of ${records.length}` : ` — ${records.length} events`}${endOfRun ? ` (calm-phase blocks after #${focus.cursor} left out)` : ''}`;
  const violationLine = violation ? `violation of ${String(violation.d?.invariant)} at #${violation.i}: ${message}` : '';
  const width = Math.round(Math.max(notesX + NOTES_WIDTH, Math.min(1600, 16 + Math.max(heading.length * 8, LEGEND.length * CHAR_WIDTH))));
  // The violation text wraps to the width: never cut.
  const violationLines = violation ? wrapText(violationLine, Math.floor((width - 16) / 6.8)) : [];
  const TOP = TOP_BASE + Math.max(0, violationLines.length - 1) * HEADING_LINE;
  const y = (row: number) => TOP + row * ROW + ROW / 2;
  const bottom = TOP + shown.length * ROW;
  const height = bottom + 40;
  // The violating node: the one the message names first (else the node of the event the checker judged).
  const violator = violation ? (nodesNamed(message, nodes)[0] ?? records[violation.i - 1]?.n) : undefined;
  const out: string[] = [];

  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="11">`);
  out.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7a3e9d"/></marker></defs>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  out.push(text(8, 18, heading, { size: 13, weight: 'bold' }));
  for (const [k, line] of violationLines.entries()) out.push(text(8, 36 + k * HEADING_LINE, line, { fill: '#c0392b', weight: 'bold' }));

  // Zebra rows and the gutter (index and virtual time).
  for (const [row, r] of shown.entries()) {
    if (row % 2 === 1) out.push(`<rect x="0" y="${TOP + row * ROW}" width="${width}" height="${ROW}" fill="#f6f7f9"/>`);
    out.push(text(6, y(row) + 4, `#${r.i} t=${r.t}`, { fill: '#888', size: 10 }));
  }

  // Lifelines: solid while up, dashed while down (between a crash and the restart).
  for (const node of nodes) {
    const x = lane.get(node)!;
    out.push(`<rect x="${x - 40}" y="${TOP - 24}" width="80" height="20" rx="4" fill="#2c3e50"/>`);
    out.push(text(x, TOP - 10, node, { anchor: 'middle', fill: '#fff', weight: 'bold' }));
    for (const segment of lifeSegments(records, shown, node, from)) {
      const y1 = segment.from === 0 ? TOP : y(segment.from);
      const y2 = segment.to === shown.length - 1 ? bottom : y(segment.to);
      out.push(`<line x1="${x}" y1="${y1}" x2="${x}" y2="${y2}" stroke="${segment.up ? '#2c3e50' : '#c0392b'}" stroke-width="${segment.up ? 1.5 : 1}"${segment.up ? '' : ' stroke-dasharray="3,4"'}/>`);
    }
  }

  // Messages.
  for (const pair of matchMessages(records)) {
    const send = records[pair.send];
    const x1 = lane.get(send.n ?? '');
    const toNode = String(send.d?.to ?? '');
    const x2 = lane.get(toNode);
    if (x1 === undefined || x2 === undefined) continue;
    const startRow = rowOf.get(pair.send);
    const endRow = pair.end !== undefined ? rowOf.get(pair.end) : undefined;
    if (startRow === undefined && endRow === undefined) continue;
    const type = String((send.d?.message as { type?: unknown } | undefined)?.type ?? '?');
    const y1 = startRow !== undefined ? y(startRow) : TOP;
    const y2 = endRow !== undefined ? y(endRow) : bottom;
    const pending = pair.end === undefined || endRow === undefined;
    const color = pair.dropped ? '#c0392b' : '#7a3e9d';
    const dash = pending || pair.dropped ? ' stroke-dasharray="5,3"' : '';
    const marker = pair.dropped || pending ? '' : ' marker-end="url(#arrow)"';
    out.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${color}" stroke-width="1.3"${dash}${marker}><title>${escapeXml(formatRecord(send))}</title></line>`);
    if (startRow !== undefined) out.push(text(x1 + (x2 > x1 ? 6 : -6), y1 - 3, type, { anchor: x2 > x1 ? 'start' : 'end', fill: color, size: 10 }));
    if (pair.dropped && endRow !== undefined) out.push(cross(x2, y2, '#c0392b'));
  }

  // Everything else, at its node or across the lanes. The violation's mark goes last, on top of every arrow.
  const violationMarks: string[] = [];
  for (const [row, r] of shown.entries()) {
    const x = r.n !== undefined ? lane.get(r.n) : undefined;
    const cy = y(row);
    // A label beside a lifeline is clipped to the room before the next lifeline (or the notes column); the full text is its tooltip.
    const room = x === undefined ? 0 : (x === lane.get(nodes[nodes.length - 1]) ? notesX - 8 : x + LANE - 12) - (x + 9);
    const label = (s: string, fill = '#333') => (x === undefined ? '' : text(x + 9, cy + 4, clip(s, Math.floor(room / CHAR_WIDTH)), { fill, size: 10, title: s }));
    switch (r.k) {
      case 'send':
      case 'deliver':
        if (x !== undefined) out.push(`<circle cx="${x}" cy="${cy}" r="2.5" fill="#7a3e9d"/>`);
        break;
      case 'drop':
        if (x !== undefined && r.d?.reason === 'not connected') out.push(cross(x + 14, cy, '#c0392b'), label(`      ${String(r.d?.type)} not sent`, '#c0392b'));
        break;
      case 'write':
      case 'rename': {
        if (x === undefined) break;
        const durable = r.d?.status === 'durable';
        out.push(`<rect x="${x - 4}" y="${cy - 4}" width="8" height="8" fill="${durable ? '#16a085' : '#ffffff'}" stroke="#16a085" stroke-width="1.5"/>`);
        const what = r.k === 'rename' ? `${String(r.d?.from)}→${String(r.d?.to)}` : `${String(r.d?.key)}#${String(r.d?.id)}`;
        out.push(label(`${r.d?.op === 'delete' ? 'delete ' : ''}${what} ${String(r.d?.status)}`, '#16a085'));
        break;
      }
      case 'durable':
        if (x === undefined) break;
        out.push(`<rect x="${x - 4}" y="${cy - 4}" width="8" height="8" fill="#2471a3"/>`, label(`${String(r.d?.key)}#${String(r.d?.id)} durable`, '#2471a3'));
        break;
      case 'crash':
        if (x === undefined) break;
        out.push(cross(x, cy, '#c0392b', 6), label(`CRASH ${lostSummary(r)}`, '#c0392b'));
        break;
      case 'start':
      case 'restart':
        if (x === undefined) break;
        out.push(`<circle cx="${x}" cy="${cy}" r="5" fill="#27ae60"/>`, label(r.k === 'start' ? 'start' : `restart #${String(r.d?.incarnation)}`, '#27ae60'));
        break;
      case 'connect':
      case 'disconnect': {
        const a = lane.get(String(r.d?.a));
        const b = lane.get(String(r.d?.b));
        if (a === undefined || b === undefined) break;
        const color = r.k === 'connect' ? '#27ae60' : '#d68910';
        out.push(`<line x1="${a}" y1="${cy}" x2="${b}" y2="${cy}" stroke="${color}" stroke-width="2" stroke-dasharray="${r.k === 'connect' ? '2,3' : '6,3'}"/>`);
        out.push(text((a + b) / 2, cy - 3, r.k === 'connect' ? 'connect' : `disconnect (${String(r.d?.reason)})`, { anchor: 'middle', fill: color, size: 10 }));
        break;
      }
      case 'block':
        out.push(`<line x1="${GUTTER}" y1="${cy}" x2="${lanesRight}" y2="${cy}" stroke="#aab" stroke-width="0.8" stroke-dasharray="1,3"/>`);
        out.push(text(GUTTER + 4, cy - 2, `block ${String(r.d?.height)}`, { fill: '#889', size: 9 }));
        break;
      case 'step':
      case 'script-end': {
        // Where each scripted step starts (and where the script hands the world to the seed): a band across the lanes.
        const caption = r.k === 'step' ? `▶ step ${String(r.d?.n)}: ${String(r.d?.step)}` : `▶ script ends: ${String(r.d?.then)}`;
        out.push(`<rect x="${GUTTER}" y="${cy - ROW / 2}" width="${lanesRight - GUTTER}" height="${ROW}" fill="#1f6feb" fill-opacity="0.12"/>`);
        out.push(`<line x1="${GUTTER}" y1="${cy - ROW / 2}" x2="${lanesRight}" y2="${cy - ROW / 2}" stroke="#1f6feb" stroke-width="1.2"/>`);
        out.push(text(GUTTER + 4, cy + 4, clip(caption, Math.floor((lanesRight + LABEL_ROOM - GUTTER - 12) / CHAR_WIDTH)), { fill: '#1f4fa0', weight: 'bold', size: 10, title: caption }));
        break;
      }
      case 'violation': {
        out.push(`<rect x="0" y="${cy - ROW / 2}" width="${width}" height="${ROW}" fill="#c0392b" fill-opacity="0.18" stroke="#c0392b"/>`);
        // The mark sits on the violating node's lifeline; its label on an opaque plate, so no arrow strikes through it.
        const vx = (violator !== undefined ? lane.get(violator) : undefined) ?? GUTTER + 10;
        const label = `✗ VIOLATION ${String(r.d?.invariant)}${violator !== undefined ? ` (${violator})` : ''}`;
        const labelWidth = [...label].length * 6.8 + 8;
        const right = vx + 10 + labelWidth <= notesX - 4;
        const lx = right ? vx + 10 : Math.max(2, vx - 10 - labelWidth);
        violationMarks.push(
          `<rect x="${round(lx)}" y="${cy - ROW / 2 + 2}" width="${round(labelWidth)}" height="${ROW - 4}" rx="3" fill="#ffffff" stroke="#c0392b"/>`,
          cross(vx, cy, '#c0392b', 6),
          text(lx + 4, cy + 4, label, { fill: '#c0392b', weight: 'bold' }),
        );
        break;
      }
      default:
        if (x !== undefined) out.push(`<circle cx="${x}" cy="${cy}" r="3" fill="#555"/>`, label(r.k));
        else out.push(text(GUTTER + 4, cy + 4, r.k, { fill: '#777', size: 10 }));
    }
    out.push(text(notesX, cy + 4, clip(formatRecord(r), Math.floor((width - notesX - 8) / CHAR_WIDTH)), { fill: r.k === 'violation' ? '#c0392b' : '#444', size: 10, title: formatRecord(r) }));
  }
  out.push(...violationMarks);
  out.push(text(8, bottom + 24, LEGEND, { fill: '#888', size: 10 }));
  out.push('</svg>');
  return out.filter((s) => s !== '').join('\n') + '\n';
}

/**
 * The window of trace indices to draw. `focus` is the event an end-of-run violation is about: the window
 * reaches back from it (the rows after it, up to the violation, are the calm phase's and are thinned out).
 */
export function chooseWindow(records: readonly TraceRecord[], violation: TraceRecord | undefined, options: DrawOptions, focus?: number): [number, number] {
  const last = records.length - 1;
  if (options.aroundViolation !== undefined) {
    const end = violation?.i ?? last;
    return [Math.max(0, (focus ?? end) - options.aroundViolation), end];
  }
  if (options.from !== undefined || options.to !== undefined) {
    const from = Math.max(0, options.from ?? 0);
    const to = Math.min(last, options.to ?? last);
    return [from, Math.max(from, to)];
  }
  const max = Math.max(1, options.maxEvents ?? DEFAULT_DRAW_EVENTS);
  const end = violation?.i ?? last;
  return [Math.max(0, (focus ?? end) - max + 1), end];
}

/** Every send with the deliver or drop that ends it, matched first in first out per direction. */
export function matchMessages(records: readonly TraceRecord[]): MessagePair[] {
  const inFlight = new Map<string, MessagePair[]>();
  const pairs: MessagePair[] = [];
  for (const r of records) {
    if (r.k === 'send' && r.n !== undefined) {
      const pair = { send: r.i, end: undefined, dropped: false };
      pairs.push(pair);
      const key = `${r.n}>${String(r.d?.to)}`;
      const queue = inFlight.get(key) ?? [];
      queue.push(pair);
      inFlight.set(key, queue);
    } else if ((r.k === 'deliver' || (r.k === 'drop' && r.d?.from !== undefined)) && r.n !== undefined) {
      const pair = inFlight.get(`${String(r.d?.from)}>${r.n}`)?.shift();
      if (pair) Object.assign(pair, { end: r.i, dropped: r.k === 'drop' });
    }
  }
  return pairs;
}

function nodesOf(records: readonly TraceRecord[]): string[] {
  const seen: string[] = [];
  for (const r of records) if (r.n !== undefined && !seen.includes(r.n)) seen.push(r.n);
  return seen;
}

/** Up and down stretches of a node's lifeline over the shown rows. */
function lifeSegments(records: readonly TraceRecord[], shown: readonly TraceRecord[], node: string, from: number): { from: number; to: number; up: boolean }[] {
  let up = false;
  for (let i = 0; i < from; i++) {
    const r = records[i];
    if (r.n !== node) continue;
    if (r.k === 'crash') up = false;
    else if (r.k === 'start' || r.k === 'restart') up = true;
  }
  if (from === 0) up = true; // before its start record the node is about to boot
  const segments: { from: number; to: number; up: boolean }[] = [];
  let start = 0;
  for (const [row, r] of shown.entries()) {
    if (r.n !== node) continue;
    const next: boolean = r.k === 'crash' ? false : r.k === 'start' || r.k === 'restart' ? true : up;
    if (next !== up) {
      segments.push({ from: start, to: row, up });
      start = row;
      up = next;
    }
  }
  segments.push({ from: start, to: Math.max(start, shown.length - 1), up });
  return segments;
}

function lostSummary(r: TraceRecord): string {
  const lost = Array.isArray(r.d?.lost) ? (r.d.lost as unknown[]).length : 0;
  const torn = Array.isArray(r.d?.torn) ? (r.d.torn as unknown[]).length : 0;
  return [lost ? `${lost} write(s) lost` : '', torn ? `${torn} torn` : ''].filter(Boolean).join(', ');
}

function cross(x: number, y: number, color: string, size = 4): string {
  return `<path d="M${x - size},${y - size} L${x + size},${y + size} M${x - size},${y + size} L${x + size},${y - size}" stroke="${color}" stroke-width="2.2"/>`;
}

interface TextStyle {
  fill?: string;
  size?: number;
  weight?: string;
  anchor?: 'start' | 'middle' | 'end';
  /** A tooltip (the full text when the shown one is clipped). */
  title?: string;
}

function text(x: number, y: number, content: string, style: TextStyle = {}): string {
  const attrs = [`x="${round(x)}"`, `y="${round(y)}"`];
  if (style.fill) attrs.push(`fill="${style.fill}"`);
  if (style.size) attrs.push(`font-size="${style.size}"`);
  if (style.weight) attrs.push(`font-weight="${style.weight}"`);
  if (style.anchor && style.anchor !== 'start') attrs.push(`text-anchor="${style.anchor}"`);
  const title = style.title !== undefined && style.title !== content ? `<title>${escapeXml(style.title)}</title>` : '';
  return `<text ${attrs.join(' ')}>${title}${escapeXml(content)}</text>`;
}

/** Greedy word wrap to `n` characters a line (a longer word is cut across lines). */
function wrapText(s: string, n: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of s.split(/\s+/).filter(Boolean)) {
    while (word.length > n) {
      if (line !== '') (lines.push(line), (line = ''));
      lines.push(word.slice(0, n));
      word = word.slice(n);
    }
    if (line !== '' && line.length + 1 + word.length > n) (lines.push(line), (line = word));
    else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function round(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Text as XML character data or attribute value; characters XML 1.0 forbids are dropped. */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
