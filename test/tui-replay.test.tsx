// The interactive replay on a failing toy run, driven by keys through
// ink-testing-library at 80x24: panels, stepping, jumps, search, help, quit.
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { ReplayApp } from '../ui/app.tsx';
import type { ReplaySource } from '../ui/replay-source.ts';
import { openSession, type ReplaySession } from '../ui/session.ts';
import { toyScenario } from './fixtures/toy-scenario.ts';

const FAILING_SEED = 9;
const KEYS = { down: '\x1b[B', up: '\x1b[A', enter: '\r', escape: '\x1b' };

let session: ReplaySession;
let instance: ReturnType<typeof render> | undefined;

beforeAll(() => {
  const seeded = runScenario(toyScenario, { seed: FAILING_SEED });
  const source: ReplaySource = { scenario: toyScenario, scenarioRef: 'toy', seed: FAILING_SEED, bugs: [], tape: seeded.tape, repro: undefined, title: `toy seed ${FAILING_SEED}` };
  session = openSession(source, { window: 16 });
  expect(session.model.violation?.invariant).toBe('toy-monotonic');
});

afterEach(() => {
  instance?.unmount();
  instance = undefined;
});

const strip = (s: string | undefined) => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');

/** Wait (a few event-loop turns at most) until the frame satisfies `ok`. */
async function frameWhere(ok: (frame: string) => boolean, what: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const frame = strip(instance!.lastFrame());
    if (ok(frame)) return frame;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`the screen never showed ${what}; last frame:\n${strip(instance!.lastFrame())}`);
}

async function press(...keys: string[]): Promise<void> {
  for (const key of keys) {
    instance!.stdin.write(key);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function start(onQuit?: () => void) {
  instance = render(<ReplayApp model={session.model} states={session.states} width={80} height={24} onQuit={onQuit} />);
}

const last = () => session.model.records.length - 1;
const lastIndexWhere = (ok: (r: (typeof session.model.records)[number]) => boolean) => {
  for (let i = session.model.records.length - 1; i >= 0; i--) if (ok(session.model.records[i])) return i;
  return -1;
};
const recordAt = (i: number) => session.model.records[i];

describe('replay TUI at 80x24', () => {
  it('renders the header, the timeline and the node panels (memory beside disk) within 80x24', async () => {
    start();
    const frame = await frameWhere((f) => f.includes('memory') && f.includes('disk') && !f.includes('computing'), 'the node panels');
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(lines[0]).toContain(`#0/${last()} t=0`);
    expect(lines[0]).toContain('✗ toy-monotonic');
    expect(frame).toContain('▶#0 t=0 A start');
    // At its start record A's boot has not returned yet: no memory, only its (empty) disk.
    expect(frame).toContain('▌A booting');
    expect(frame).toContain('(booting: rebuilding memory from disk)');
    expect(frame).toContain('B not started');
    expect(frame).toMatch(/durable/);
  });

  it('steps forward and back one event', async () => {
    start();
    await frameWhere((f) => f.includes('▶#0 '), 'event 0');
    await press('j');
    await frameWhere((f) => f.includes('▶#1 ') && f.includes(`#1/${last()}`), 'event 1 after j');
    await press(KEYS.down);
    // By B's start record A's boot has returned: its memory appears, marked as added.
    const third = await frameWhere((f) => f.includes('▶#2 ') && !f.includes('computing'), 'event 2 after ↓');
    expect(recordAt(2)).toMatchObject({ k: 'start', n: 'B' });
    expect(third).toContain('▌A up');
    expect(third).toMatch(/\+counter: 0/);
    await press(KEYS.down);
    await frameWhere((f) => f.includes('▶#3 '), 'event 3 after ↓');
    await press('k', KEYS.up);
    await frameWhere((f) => f.includes('▶#1 '), 'event 1 after k and ↑');
  });

  it('jumps to the violation and shows the failing node, its memory and its disk', async () => {
    start();
    await press('v');
    const violation = session.model.violation!;
    const frame = await frameWhere((f) => f.includes(`▶#${violation.event} `) && !f.includes('computing'), 'the violation');
    expect(frame).toContain(`VIOLATION toy-monotonic: ${violation.message.slice(0, 40)}`);
    // The checker judged the record before the violation; its node is selected.
    const node = recordAt(violation.event - 1).n!;
    expect(frame).toContain(`▌${node} up`);
    expect(frame).toMatch(/counter: \d+/);
    expect(frame).toContain('at the violation');
  });

  it('jumps to the next persist and highlights the write that appeared on disk', async () => {
    start();
    await press('p');
    const write = session.model.records.findIndex((r) => r.k === 'write' || r.k === 'durable' || r.k === 'rename');
    const frame = await frameWhere((f) => f.includes(`▶#${write} `) && !f.includes('computing'), 'the first persist');
    expect(recordAt(write).k).toBe('write');
    // A pending write shows up under 'pending' marked as added; a durable one changes the durable value.
    expect(frame).toMatch(/\+ {2}counter#\d+ put tag=counter|[~+] {2}counter: \d+/);
  });

  it('jumps between crashes, messages and the selected node\'s events', async () => {
    start();
    const firstCrash = session.model.records.findIndex((r) => r.k === 'crash' || r.k === 'restart');
    await press('c');
    await frameWhere((f) => f.includes(`▶#${firstCrash} `), 'the first crash');
    const previousMessage = lastIndexWhere((r) => r.i < firstCrash && ['send', 'deliver', 'drop'].includes(r.k));
    await press('M');
    await frameWhere((f) => f.includes(`▶#${previousMessage} `), 'the previous message');
    await press('\t');
    const nodeB = lastIndexWhere((r) => r.i < previousMessage && (r.n === 'B' || r.d?.a === 'B' || r.d?.b === 'B'));
    await press('[');
    await frameWhere((f) => f.includes(`▶#${nodeB} `) && f.includes('[B'), "B's previous event");
  });

  it('searches the events with / and repeats with n', async () => {
    start();
    await press('/', 'c', 'r', 'a', 's', 'h');
    await frameWhere((f) => f.includes('/crash▏'), 'the search prompt');
    await press(KEYS.enter);
    const first = session.model.records.findIndex((r) => r.k === 'crash');
    await frameWhere((f) => f.includes(`▶#${first} `) && f.includes('/crash'), 'the first match');
    const second = session.model.records.findIndex((r) => r.i > first && JSON.stringify(r).includes('crash'));
    await press('n');
    await frameWhere((f) => f.includes(`▶#${second} `), 'the next match');
    // Typed in one chunk, as a paste or tmux send-keys delivers it.
    await press(`/zzq${KEYS.enter}`);
    await frameWhere((f) => f.includes('/zzq: not found') && f.includes(`▶#${second} `), 'a search that finds nothing');
  });

  it('shows the help overlay on ? and closes it on any key', async () => {
    start();
    await press('?');
    const help = await frameWhere((f) => f.includes('jump to the violation'), 'the help');
    expect(help).toContain('search the events');
    expect(help).not.toContain('▶#0');
    await press('x');
    await frameWhere((f) => f.includes('▶#0') && !f.includes('jump to the violation'), 'the timeline again');
  });

  it('quits on q', async () => {
    let quit = 0;
    start(() => quit++);
    await frameWhere((f) => f.includes('▶#0'), 'the first frame');
    await press('q');
    for (let i = 0; i < 50 && quit === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(quit).toBe(1);
  });
});
