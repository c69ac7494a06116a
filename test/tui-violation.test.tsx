// Defect 9 of issue 14: end-of-run violations in the replay TUI, at 100 columns. 'v' selects the node the
// message names and lands on the event the violation is about (not on the violation row after the calm
// phase's block rows); the full violation text is readable (wrapped, not cut); a search says which match
// of how many it shows.
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../api.ts';
import { formatRecord } from '../sim/trace.ts';
import { ReplayApp } from '../ui/app.tsx';
import { violationFocus } from '../ui/navigation.ts';
import type { ReplaySource } from '../ui/replay-source.ts';
import { openSession, type ReplaySession } from '../ui/session.ts';
import { findScenario } from '../scenarios/index.ts';

let session: ReplaySession;
let instance: ReturnType<typeof render> | undefined;
const strip = (s: string | undefined) => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');

beforeAll(() => {
  // ldk-3120 on mpp-part-prune, seed 113: "C revealed the preimage of payment p4 but its application never
  // saw PaymentClaimed", found after the run ended.
  const scenario = findScenario('mpp-part-prune')!;
  const seeded = runScenario(scenario, { seed: 113, bugs: ['ldk-3120'] });
  const source: ReplaySource = { scenario, scenarioRef: scenario.name, seed: 113, bugs: ['ldk-3120'], tape: seeded.tape, repro: undefined, title: 'mpp-part-prune seed 113' };
  session = openSession(source, { window: 32 });
});

afterEach(() => {
  instance?.unmount();
  instance = undefined;
});

async function frameWhere(ok: (frame: string) => boolean, what: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const frame = strip(instance!.lastFrame());
    if (ok(frame)) return frame;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the screen never showed ${what}; last frame:\n${strip(instance!.lastFrame())}`);
}

async function press(...keys: string[]): Promise<void> {
  for (const key of keys) {
    instance!.stdin.write(key);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('defect 9: end-of-run violations in the replay TUI at 100 columns', () => {
  it("'v' selects the node the message names and lands on the event it is about; the text wraps whole", async () => {
    const { records, nodes, violation } = session.model;
    expect(violation?.message).toMatch(/^C revealed the preimage of payment p4 but its application never saw PaymentClaimed/);
    expect(records[violation!.event - 1].k).toBe('end');
    const focus = violationFocus(records, nodes, violation!.event);
    expect(nodes[focus.node]).toBe('C');
    expect(focus.cursor).toBeLessThan(violation!.event - 1);
    expect(records[focus.cursor].n).toBe('C');
    expect(formatRecord(records[focus.cursor])).toContain('p4');
    expect(['block', 'timer', 'end'].includes(records[focus.cursor].k)).toBe(false);

    instance = render(<ReplayApp model={session.model} states={session.states} width={100} height={30} />);
    await press('v');
    const frame = await frameWhere((f) => f.includes(`▶#${focus.cursor} `) && !f.includes('computing'), 'the event behind the violation');
    expect(frame).toContain('[C');
    expect(frame).toContain('▌C up');
    // The whole message, wrapped over the footer rows, nothing cut with '…'.
    const footer = frame.split('\n').slice(-6).map((l) => l.trim()).join(' ');
    expect(footer).toContain(`VIOLATION payment-claimed-delivered: ${violation!.message}`.replace(/\s+/g, ' '));
    for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    expect(frame).toContain('v again shows the violation row');
    await press('v');
    await frameWhere((f) => f.includes(`▶#${violation!.event} `) && f.includes('at the violation'), 'the violation row');
  });

  it('a search says which match it shows of how many', async () => {
    instance = render(<ReplayApp model={session.model} states={session.states} width={100} height={30} />);
    const total = session.model.records.filter((r) => formatRecord(r).toLowerCase().includes('crash')).length;
    expect(total).toBeGreaterThan(1);
    await press('/crash\r');
    await frameWhere((f) => f.includes(`/crash: 1 of ${total}`), 'the match count');
    await press('n');
    await frameWhere((f) => f.includes(`/crash: 2 of ${total}`), 'the second match');
  });
});
