// The replay view's pure parts: any JSON as tree lines with differences, the
// view rendering a Lightning-shaped snapshot, the navigation reducer, the key
// map, and the world-state cache on a 100k-event trace (re-runs only when a
// jump leaves the cached window).
import React from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenarios/scenario.ts';
import { ReplayApp } from '../ui/app.tsx';
import { ReplayView, type ReplayModel } from '../ui/components.tsx';
import { diffLines, jsonLines } from '../ui/json-lines.ts';
import { keyToAction, splitInput } from '../ui/keys.ts';
import { packPanels } from '../ui/layout.ts';
import { initialNav, navigate, type NavContext } from '../ui/navigation.ts';
import { openSession } from '../ui/session.ts';
import type { NodeView, WorldView } from '../ui/world-states.ts';
import type { TraceRecord } from '../sim/trace.ts';
import { toyScenario } from './fixtures/toy-scenario.ts';

const strip = (s: string | undefined) => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');

describe('json lines and their differences', () => {
  it('flattens nested JSON with paths and container sizes', () => {
    const lines = jsonLines({ channels: { c1: { commitment: 5, htlcs: [{ id: 1 }] } }, ok: true, note: '' });
    expect(lines.map((l) => `${'  '.repeat(l.depth)}${l.key} ${l.text}`)).toEqual(['channels {1}', '  c1 {2}', '    commitment 5', '    htlcs [1]', '      0 {1}', '        id 1', 'ok true', 'note ""']);
    expect(jsonLines(7)).toEqual([{ path: '', depth: 0, key: '', text: '7', container: false }]);
    expect(jsonLines({})).toEqual([]);
  });

  it('marks changed, added and removed lines, removed ones where they were', () => {
    const before = jsonLines({ a: 1, gone: { x: 1 }, list: [1, 2], z: 'same' });
    const after = jsonLines({ a: 2, list: [1], z: 'same', fresh: true });
    const diff = diffLines(before, after).map((l) => `${l.status} ${l.path}${l.before !== undefined ? ` was ${l.before}` : ''}`);
    expect(diff).toEqual(['changed /a was 1', 'removed /gone', 'removed /gone/x', 'changed /list was [2]', 'same /list/0', 'removed /list/1', 'same /z', 'added /fresh']);
    expect(diffLines(undefined, after).every((l) => l.status === 'same')).toBe(true);
  });
});

/** A node as the Lightning model's snapshot might show it: the view must render any JSON. */
function lnNode(id: string, commitment: number, htlcs: number[], pendingUpdate?: number): NodeView {
  return {
    id,
    up: true,
    started: true,
    booting: false,
    hasSnapshot: true,
    memory: { channels: { chan1: { commitmentNumber: commitment, htlcs: htlcs.map((h) => ({ id: h, amount: 1000 * h, state: 'committed' })) } }, monitors: { chan1: { updateId: commitment } }, blockedUpdates: [] },
    disk: { 'monitors/chan1': { updateId: commitment - 1 }, manager: { channels: ['chan1'] } },
    pending: pendingUpdate === undefined ? [] : [{ key: 'monitors/chan1', id: pendingUpdate, op: 'put', value: { updateId: commitment }, tag: 'monitor-update', multiPart: false }],
  };
}

describe('ReplayView', () => {
  const records: TraceRecord[] = [
    { i: 0, t: 0, k: 'start', n: 'alice', d: { incarnation: 1 } },
    { i: 1, t: 3, k: 'write', n: 'alice', d: { key: 'monitors/chan1', id: 9, op: 'put', status: 'pending' } },
  ];
  const model: ReplayModel = { title: 'ln.repro.json', scenario: 'ln-two-node', records, nodes: ['alice', 'bob'], violation: undefined };

  it('renders memory beside disk for any JSON, with the changes since the previous event', () => {
    const previous: WorldView = { event: 0, nodes: [lnNode('alice', 5, [1]), lnNode('bob', 5, [1])] };
    const view: WorldView = { event: 1, nodes: [lnNode('alice', 6, [1, 2], 9), lnNode('bob', 5, [1])] };
    const { lastFrame, unmount } = render(<ReplayView model={model} nav={{ ...initialNav(), cursor: 1 }} view={view} previous={previous} width={120} height={40} />);
    const frame = strip(lastFrame());
    unmount();
    expect(frame).toContain('✓ all invariants held');
    expect(frame).toContain('▌alice up · 2 durable key(s) · 1 pending write(s)');
    expect(frame).toMatch(/~ {4}commitmentNumber: 6 {2}\(was 5\)/);
    expect(frame).toMatch(/\+ {8}id: 2/);
    expect(frame).toMatch(/\+ {2}monitors\/chan1#9 put tag=monit/);
    // A wide terminal shows the other node's panel too.
    expect(frame).toContain(' bob up');
    expect(frame.split('\n').length).toBeLessThanOrEqual(40);
  });

  it('says when a node is down and when the model gives no snapshot', () => {
    const down: NodeView = { id: 'alice', up: false, started: true, booting: false, hasSnapshot: false, memory: undefined, disk: {}, pending: [] };
    const silent: NodeView = { id: 'bob', up: true, started: true, booting: false, hasSnapshot: false, memory: undefined, disk: { k: 'raw text' }, pending: [] };
    const { lastFrame, unmount } = render(<ReplayView model={model} nav={initialNav()} view={{ event: 0, nodes: [down, silent] }} previous={undefined} width={80} height={30} />);
    const frame = strip(lastFrame());
    unmount();
    expect(frame).toContain('alice DOWN');
    expect(frame).toContain('(down: memory lost at the crash)');
    expect(frame).toContain('(the model gives no snapshot)');
    expect(frame).toContain('k: raw text');
  });

  it('gives each panel the rows it needs, the selected one first, the last one the rest', () => {
    expect(packPanels([5, 6], 20)).toEqual([5, 15]);
    expect(packPanels([30, 6], 20)).toEqual([20]);
    expect(packPanels([5, 6, 7], 14)).toEqual([5, 9]);
  });
});

describe('navigation and keys', () => {
  const records: TraceRecord[] = ['start', 'send', 'crash', 'restart', 'write', 'violation'].map((k, i) => ({ i, t: i, k, n: k === 'violation' ? undefined : i % 2 ? 'B' : 'A' }));
  const ctx: NavContext = { records, nodes: ['A', 'B'], violation: 5, pageSize: 3, text: (i) => `${records[i].k} ${records[i].n ?? ''}` };
  const run = (...keys: string[]) => keys.reduce((s, k) => navigate(s, keyToAction(k, k === '\r' ? { return: true } : {}, s.mode)!, ctx), initialNav());

  it('maps keys to moves that stay inside the trace', () => {
    expect(run('k').cursor).toBe(0);
    expect(run('G').cursor).toBe(5);
    expect(run('G', 'j').cursor).toBe(5);
    expect(run(' ').cursor).toBe(2);
    expect(run('v').cursor).toBe(5);
    expect(run('v').node).toBe(0); // the record before the violation is A's write
    expect(run('c', 'c').cursor).toBe(3);
    expect(run('c', 'c', 'c').status).toBe('no later crash');
    expect(run('p').cursor).toBe(4);
    expect(run('2').node).toBe(1);
    expect(run('9').status).toBe('no node 9');
    expect(run('n').status).toMatch(/no search yet/);
    expect(run('/', 'w', 'r', '\r').cursor).toBe(4);
    expect(run('?').mode).toBe('help');
    expect(run('?', 'q').quit).toBe(false);
    expect(run('q').quit).toBe(true);
    expect(keyToAction('c', { ctrl: true }, 'search')).toEqual({ type: 'quit' });
    expect(keyToAction('', { escape: true }, 'search')).toEqual({ type: 'searchCancel' });
  });

  it('splits a chunk of typed text into key presses', () => {
    expect(splitInput('/wr\r', {})).toEqual([['/', {}], ['w', {}], ['r', {}], ['', { return: true }]]);
    expect(splitInput('j', {})).toEqual([['j', {}]]);
    const chunk = splitInput('/wr\r', {}).reduce((s, [k, key]) => navigate(s, keyToAction(k, key, s.mode)!, ctx), initialNav());
    expect(chunk.cursor).toBe(4);
  });
});

describe('a 100k-event trace', () => {
  it('re-runs the simulation only when a jump leaves the cached window', async () => {
    // The toy without faults and with a long run: a token passed back and forth ~100k events long.
    const base = toyScenario.build(new Set());
    const long: Scenario = { ...toyScenario, name: 'toy-long', build: () => ({ ...base, faults: {}, timing: { ...base.timing, faultPhase: 185_000 }, maxEvents: 1_000_000 }) };
    const session = openSession({ scenario: long, scenarioRef: 'toy-long', seed: 1, bugs: [], tape: undefined, repro: undefined, title: 'toy-long seed 1' }, { window: 64 });
    const events = session.model.records.length;
    expect(events).toBeGreaterThan(100_000);
    const instance = render(<ReplayApp model={session.model} states={session.states} width={100} height={30} />);
    const frameWhere = async (ok: (f: string) => boolean) => {
      for (let i = 0; i < 400; i++) {
        const f = strip(instance.lastFrame());
        if (ok(f)) return f;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`not shown; last frame:\n${strip(instance.lastFrame())}`);
    };
    await frameWhere((f) => f.includes('▶#0 ') && !f.includes('computing'));
    expect(session.states.reruns).toBe(1);
    instance.stdin.write('G');
    const end = await frameWhere((f) => f.includes(`▶#${events - 1} `) && !f.includes('computing'));
    expect(end).toContain('✓ all invariants held');
    expect(session.states.reruns).toBe(2);
    for (let i = 0; i < 10; i++) instance.stdin.write('k');
    await frameWhere((f) => f.includes(`▶#${events - 11} `) && !f.includes('computing'));
    expect(session.states.reruns).toBe(2);
    instance.stdin.write('g');
    await frameWhere((f) => f.includes('▶#0 ') && !f.includes('computing'));
    expect(session.states.reruns).toBe(2);
    instance.unmount();
  });
});
