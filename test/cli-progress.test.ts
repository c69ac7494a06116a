// The progress display: the ink view's content, and the plain lines of CI mode.
import React from 'react';
import { render } from 'ink-testing-library';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine, scenarioProgressLine, startProgress } from '../cli/progress/index.ts';
import { SweepView } from '../cli/progress/ink-view.tsx';
import type { SweepProgress } from '../sweep/engine.ts';

const progress: SweepProgress = {
  done: 1200,
  total: 4000,
  violations: 3,
  elapsedSeconds: 6,
  scenarios: [
    { name: 'ln-forward', done: 1000, total: 2000, violations: 3 },
    { name: 'backup-churn', done: 200, total: 2000, violations: 0 },
  ],
};

describe('progress display', () => {
  it('the terminal view shows runs done of total, runs/s, violations, ETA and a row per scenario', () => {
    const view = render(React.createElement(SweepView, { title: '2 scenarios', progress, notes: ['shrinking x'] }));
    const frame = view.lastFrame() ?? '';
    view.unmount();
    expect(frame).toContain('lnsim run: 2 scenarios');
    expect(frame).toContain('1,200/4,000 runs');
    expect(frame).toContain('200 runs/s');
    expect(frame).toContain('3 violations');
    expect(frame).toContain('ETA 14s');
    expect(frame).toMatch(/ln-forward\s+1,000\/2,000\s+3 violating/);
    expect(frame).toMatch(/backup-churn\s+200\/2,000/);
    expect(frame).toContain('shrinking x');
  });

  it('plain mode prints a title line, then a line per interval while runs progress', async () => {
    let text = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    const display = await startProgress(stream, { interactive: false, title: 'toy', initial: progress, plainIntervalSeconds: 0.02 });
    display.update(progress);
    await new Promise((resolve) => setTimeout(resolve, 80));
    display.note('interrupted');
    display.stop();
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('lnsim run: toy');
    expect(lines).toContain(progressLine(progress));
    expect(lines.filter((l) => l === progressLine(progress))).toHaveLength(1); // unchanged progress is not repeated
    expect(lines.at(-1)).toBe('lnsim: interrupted');
    expect(progressLine(progress)).toBe('lnsim: 1,200/4,000 runs (30%), 200 runs/s, 3 violations, ETA 14s');
    // Issue 14 defect 6: per-scenario progress in plain mode too.
    expect(lines).toContain(scenarioProgressLine(progress));
    expect(scenarioProgressLine(progress)).toMatch(/^lnsim: {3}per scenario: ln-forward 1,000\/2,000 \(3 violating\), backup-churn 200\/2,000$/);
  });

  it('formats durations', () => {
    expect([formatDuration(0.2), formatDuration(59), formatDuration(61), formatDuration(3725), formatDuration(Infinity)]).toEqual(['1s', '59s', '1m01s', '1h02m', '?']);
  });
});
