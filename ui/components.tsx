// The replay view's pieces as pure components: everything comes in through
// props (the trace, the navigation state, the world at the cursor and one step
// before), nothing reads the terminal or runs the simulation.
import React from 'react';
import { Box, Text } from 'ink';
import { formatRecord, type TraceRecord } from '../sim/trace.ts';
import type { Violation } from '../sim/world.ts';
import { diffLines, firstChange, jsonLines, type DiffLine } from './json-lines.ts';
import { KEY_HELP } from './keys.ts';
import { CHROME_ROWS, computeLayout, fit, packPanels, windowStart } from './layout.ts';
import { violationFocus, type NavState } from './navigation.ts';
import type { NodeView, WorldView } from './world-states.ts';

/** What the view shows about the run as a whole. */
export interface ReplayModel {
  /** The repro file, or scenario + seed. */
  readonly title: string;
  readonly scenario: string;
  readonly records: readonly TraceRecord[];
  readonly nodes: readonly string[];
  readonly violation: Violation | undefined;
}

const KIND_COLORS: Readonly<Record<string, string>> = {
  violation: 'red',
  step: 'blueBright',
  'script-end': 'blueBright',
  crash: 'red',
  restart: 'green',
  start: 'green',
  write: 'cyan',
  rename: 'cyan',
  durable: 'blue',
  send: 'magenta',
  deliver: 'magenta',
  drop: 'yellow',
  disconnect: 'yellow',
  connect: 'yellow',
  fault: 'yellow',
  block: 'gray',
  timer: 'gray',
};

export function kindColor(kind: string): string | undefined {
  return KIND_COLORS[kind];
}

export function Header({ model, cursor, width }: { model: ReplayModel; cursor: number; width: number }) {
  const record = model.records[cursor];
  const position = `#${cursor}/${Math.max(0, model.records.length - 1)} t=${record?.t ?? 0}`;
  const verdict = model.violation ? `✗ ${model.violation.invariant} at #${model.violation.event}` : '✓ all invariants held';
  const right = fit(` ${verdict} `, Math.min(width - 20, [...verdict].length + 2));
  const left = fit(` ${position} · ${model.scenario} · ${model.title}`, width - [...right].length);
  return (
    <Box width={width} height={1}>
      <Text bold inverse>
        {left}
      </Text>
      <Text bold inverse color={model.violation ? 'red' : 'green'}>
        {right}
      </Text>
    </Box>
  );
}

export function Timeline({ model, nav, view, width, height }: { model: ReplayModel; nav: NavState; view: WorldView | undefined; width: number; height: number }) {
  const rows = Math.max(1, height - 1);
  const start = windowStart(nav.cursor, model.records.length, rows);
  const visible = model.records.slice(start, start + rows);
  const selected = model.nodes[nav.node];
  // Every node at a glance (● up, ○ down), the selected one in brackets.
  const nodesBar = model.nodes.map((id, k) => {
    const up = view?.nodes[k]?.up;
    const mark = up === undefined ? '?' : up ? '●' : '○';
    return k === nav.node ? `[${id}${mark}]` : `${id}${mark}`;
  });
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold underline>
        {fit(`events ${start}-${start + visible.length - 1} of ${model.records.length} · nodes ${nodesBar.join(' ')}`, width)}
      </Text>
      {visible.map((r) => {
        const atCursor = r.i === nav.cursor;
        const mark = atCursor ? '▶' : r.n === selected ? '·' : ' ';
        return (
          <Text key={r.i} inverse={atCursor} bold={r.k === 'violation' || r.k === 'step'} color={kindColor(r.k)}>
            {fit(`${mark}${formatRecord(r)}`, width)}
          </Text>
        );
      })}
    </Box>
  );
}

const STATUS_MARK: Record<DiffLine['status'], string> = { same: ' ', changed: '~', added: '+', removed: '-' };
const STATUS_COLOR: Record<DiffLine['status'], string | undefined> = { same: undefined, changed: 'yellow', added: 'green', removed: 'red' };

/** One column of a node panel: a JSON picture with its changes since the previous step. */
export function JsonColumn({ title, lines, note, width, height, scroll }: { title: string; lines: readonly DiffLine[]; note?: string; width: number; height: number; scroll: number }) {
  const rows = Math.max(0, height - 1);
  const changed = firstChange(lines);
  const auto = changed >= rows ? changed - Math.floor(rows / 3) : 0;
  const offset = Math.max(0, Math.min(Math.max(0, lines.length - rows), auto + scroll));
  const shown = note !== undefined ? [] : lines.slice(offset, offset + rows);
  const more = note === undefined && lines.length > rows ? ` ${offset + 1}-${Math.min(lines.length, offset + rows)}/${lines.length}` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>{fit(`${title}${more}`, width)}</Text>
      {note !== undefined ? <Text dimColor>{fit(note, width)}</Text> : lines.length === 0 ? <Text dimColor>{fit(' (empty)', width)}</Text> : null}
      {shown.map((line, i) => {
        const indent = '  '.repeat(line.depth);
        const body = line.key === '' ? line.text : line.container ? `${line.key} ${line.text}` : `${line.key}: ${line.text}`;
        const was = line.status === 'changed' && line.before !== undefined && !line.container ? `  (was ${line.before})` : '';
        return (
          <Text key={`${offset + i}`} color={STATUS_COLOR[line.status]} strikethrough={line.status === 'removed'} bold={line.status !== 'same'}>
            {fit(`${STATUS_MARK[line.status]}${indent}${body}${was}`, width)}
          </Text>
        );
      })}
    </Box>
  );
}

/** The disk as one JSON value: the writes still pending first (where persistence races live), then the durable content by key. */
export function diskPicture(node: NodeView): Record<string, unknown> {
  const pending: Record<string, unknown> = {};
  for (const w of node.pending) {
    const label = `${w.key}#${w.id} ${w.op}${w.tag !== undefined ? ` tag=${w.tag}` : ''}${w.multiPart ? ' multi-part' : ''}`;
    pending[label] = w.op === 'delete' ? '(delete)' : w.value;
  }
  return { pending, durable: node.disk };
}

/** A node panel's two columns, with the changes since the previous step. */
export function panelLines(node: NodeView, previous: NodeView | undefined): { memory: DiffLine[]; disk: DiffLine[]; memoryNote: string | undefined } {
  const memoryNote = !node.started
    ? '(not started yet)'
    : !node.up
      ? '(down: memory lost at the crash)'
      : node.booting
        ? '(booting: rebuilding memory from disk)'
        : !node.hasSnapshot
          ? '(the model gives no snapshot)'
          : undefined;
  const memory = diffLines(previous === undefined ? undefined : previous.up && previous.hasSnapshot ? jsonLines(previous.memory) : [], node.up ? jsonLines(node.memory) : []);
  const disk = diffLines(previous ? jsonLines(diskPicture(previous)) : undefined, jsonLines(diskPicture(node)));
  return { memory, disk, memoryNote };
}

/** Rows a node panel needs to show everything: its title, the column titles and the longer column. */
export function panelNeed(node: NodeView, previous: NodeView | undefined): number {
  const { memory, disk } = panelLines(node, previous);
  return 2 + Math.max(1, memory.length, disk.length);
}

export function NodePanel({ node, previous, width, height, scroll, selected }: { node: NodeView | undefined; previous: NodeView | undefined; width: number; height: number; scroll: number; selected: boolean }) {
  const columnWidth = Math.max(10, Math.floor((width - 1) / 2));
  const bodyRows = Math.max(1, height - 1);
  if (node === undefined) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text dimColor>{fit('computing the world at this event…', width)}</Text>
      </Box>
    );
  }
  const { memory, disk, memoryNote } = panelLines(node, previous);
  const wentDown = previous !== undefined && previous.up !== node.up;
  const state = !node.started ? 'not started' : node.booting ? 'booting' : node.up ? 'up' : 'DOWN';
  const title = `${selected ? '▌' : ' '}${node.id} ${state}${wentDown ? (node.up ? ' (restarted)' : ' (crashed)') : ''} · ${Object.keys(node.disk).length} durable key(s) · ${node.pending.length} pending write(s)`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold inverse={selected} color={node.up ? undefined : 'red'}>
        {fit(title, width)}
      </Text>
      <Box flexDirection="row" width={width} height={bodyRows}>
        <JsonColumn title="memory" lines={memory} note={memoryNote} width={columnWidth} height={bodyRows} scroll={scroll} />
        <Box width={1} height={bodyRows}>
          <Text dimColor>{'│\n'.repeat(bodyRows).trimEnd()}</Text>
        </Box>
        <JsonColumn title="disk" lines={disk} width={width - columnWidth - 1} height={bodyRows} scroll={scroll} />
      </Box>
    </Box>
  );
}

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const keysWidth = Math.max(...KEY_HELP.map(([k]) => k.length)) + 2;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold underline>
        {fit('keys', width)}
      </Text>
      {KEY_HELP.slice(0, Math.max(0, height - 2)).map(([keys, what]) => (
        <Text key={keys}>
          <Text color="cyan">{fit(keys, keysWidth)}</Text>
          {fit(what, Math.max(0, width - keysWidth))}
        </Text>
      ))}
      <Text dimColor>{fit('memory | disk: ~ changed, + added, - removed since the previous event', width)}</Text>
    </Box>
  );
}

/** Most rows the violation text may take in the footer (it wraps rather than being cut). */
export const MAX_VIOLATION_ROWS = 4;

/**
 * The footer's detail rows: the event at the cursor on one row, or, at the violation and at the event an
 * end-of-run violation is about, the violation's full text wrapped to the width.
 */
export function detailRows(model: ReplayModel, cursor: number, width: number): { lines: string[]; violation: boolean } {
  const record = model.records[cursor];
  const v = model.violation;
  const onViolation = v !== undefined && (cursor === v.event || cursor === violationFocus(model.records, model.nodes, v.event).cursor);
  if (!onViolation) return { lines: [record ? formatRecord(record) : '(empty trace)'], violation: false };
  const text = `VIOLATION ${v!.invariant}: ${v!.message}`;
  const lines = wrapWords(text, width);
  return { lines: lines.length > MAX_VIOLATION_ROWS ? [...lines.slice(0, MAX_VIOLATION_ROWS - 1), lines.slice(MAX_VIOLATION_ROWS - 1).join(' ')] : lines, violation: true };
}

/** Greedy word wrap to `width` columns; a word longer than the width is cut across rows. */
export function wrapWords(text: string, width: number): string[] {
  const w = Math.max(10, width);
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while ([...word].length > w) {
      if (line !== '') (lines.push(line), (line = ''));
      lines.push([...word].slice(0, w).join(''));
      word = [...word].slice(w).join('');
    }
    if (line !== '' && [...line].length + 1 + [...word].length > w) (lines.push(line), (line = word));
    else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.length ? lines : [''];
}

export function Footer({ model, nav, width }: { model: ReplayModel; nav: NavState; width: number }) {
  const record = model.records[nav.cursor];
  const detail = detailRows(model, nav.cursor, width);
  const atViolation = detail.violation;
  const status =
    nav.mode === 'search'
      ? `/${nav.query}▏  (Enter search, Esc cancel)`
      : nav.status !== ''
        ? nav.status
        : '? help · q quit · ↑↓ step · ←→ node events · Tab node · c/p/m/s crash/persist/msg/step · v violation · / search';
  return (
    <Box flexDirection="column" width={width} height={detail.lines.length + 1}>
      {detail.lines.map((line, k) => (
        <Text key={k} color={atViolation ? 'red' : kindColor(record?.k ?? '')} bold={atViolation}>
          {fit(line, width)}
        </Text>
      ))}
      <Text inverse={nav.mode === 'search'} dimColor={nav.mode !== 'search' && nav.status === ''}>
        {fit(status, width)}
      </Text>
    </Box>
  );
}

export interface ReplayViewProps {
  readonly model: ReplayModel;
  readonly nav: NavState;
  /** The world at the cursor (undefined while it is being computed). */
  readonly view: WorldView | undefined;
  /** The world one event before the cursor (for the differences). */
  readonly previous: WorldView | undefined;
  readonly width: number;
  readonly height: number;
}

/** The whole screen. */
export function ReplayView({ model, nav, view, previous, width, height }: ReplayViewProps) {
  const full = computeLayout(width, height);
  // A wrapped violation text takes rows from the body.
  const extra = detailRows(model, nav.cursor, full.width).lines.length - 1;
  const layout = { ...full, timeline: { ...full.timeline, height: full.direction === 'row' ? full.timeline.height - extra : full.timeline.height }, panels: { ...full.panels, height: full.panels.height - extra } };
  const bodyRows = layout.height - CHROME_ROWS - extra;
  // The selected node first, then the others in order, as many as fit.
  const order = model.nodes.map((_, k) => (nav.node + k) % model.nodes.length);
  const before = (index: number) => (nav.cursor > 0 ? previous?.nodes[index] : undefined);
  const heights = view === undefined ? [layout.panels.height] : packPanels(order.map((index) => panelNeed(view.nodes[index], before(index))), layout.panels.height);
  const body =
    nav.mode === 'help' ? (
      <HelpOverlay width={layout.width} height={bodyRows} />
    ) : (
      <Box flexDirection={layout.direction} width={layout.width} height={bodyRows}>
        <Timeline model={model} nav={nav} view={view} width={layout.timeline.width} height={layout.timeline.height} />
        {layout.direction === 'row' ? <Box width={1} /> : null}
        <Box flexDirection="column" width={layout.panels.width} height={layout.panels.height}>
          {heights.map((rows, k) => (
            <NodePanel
              key={model.nodes[order[k]] ?? k}
              node={view?.nodes[order[k]]}
              previous={before(order[k])}
              width={layout.panels.width}
              height={rows}
              scroll={k === 0 ? nav.scroll : 0}
              selected={k === 0}
            />
          ))}
        </Box>
      </Box>
    );
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <Header model={model} cursor={nav.cursor} width={layout.width} />
      {body}
      <Footer model={model} nav={nav} width={layout.width} />
    </Box>
  );
}
