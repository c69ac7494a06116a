// The terminal view of a sweep's progress (ink). It never reads keys: ink's
// useInput needs a TTY stdin in raw mode, and Ctrl-C must stay an ordinary
// SIGINT, which the run command turns into a clean stop.
import React from 'react';
import { Box, render, Text, type Instance } from 'ink';
import type { SweepProgress } from '../../sweep/engine.ts';
import { formatDuration, speed, type ProgressDisplay, type ProgressOptions } from './index.ts';

const INTERACTIVE_FRAME_MS = 250;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

function Bar({ done, total, width }: { done: number; total: number; width: number }) {
  const filled = total > 0 ? Math.round((width * done) / total) : width;
  return (
    <Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(width - filled)}</Text>
    </Text>
  );
}

/** The live view (exported for tests). */
export function SweepView({ title, progress, notes }: { title: string; progress: SweepProgress; notes: readonly string[] }) {
  const { runsPerSecond, eta } = speed(progress);
  const nameWidth = Math.max(8, ...progress.scenarios.map((s) => s.name.length));
  return (
    <Box flexDirection="column">
      <Text bold>lnsim run: {title}</Text>
      <Box>
        <Bar done={progress.done} total={progress.total} width={30} />
        <Text>
          {' '}
          {fmt(progress.done)}/{fmt(progress.total)} runs · {fmt(runsPerSecond)} runs/s ·{' '}
          <Text color={progress.violations > 0 ? 'red' : 'green'}>
            {fmt(progress.violations)} violation{progress.violations === 1 ? '' : 's'}
          </Text>{' '}
          · ETA {formatDuration(eta)}
        </Text>
      </Box>
      {progress.scenarios.map((s) => (
        <Text key={s.name}>
          {'  '}
          {s.name.padEnd(nameWidth)} {`${fmt(s.done)}/${fmt(s.total)}`.padStart(15)}{' '}
          <Text color={s.violations > 0 ? 'red' : undefined}>{s.violations > 0 ? `${fmt(s.violations)} violating` : ''}</Text>
        </Text>
      ))}
      {notes.map((n, i) => (
        <Text key={i} dimColor>
          {n}
        </Text>
      ))}
    </Box>
  );
}

export function interactiveProgress(stream: NodeJS.WritableStream, options: ProgressOptions): ProgressDisplay {
  let latest: SweepProgress = options.initial;
  const notes: string[] = [];
  let dirty = true;
  let stopped = false;
  const view = () => <SweepView title={options.title} progress={latest} notes={notes} />;
  const instance: Instance = render(view(), { stdout: stream as NodeJS.WriteStream, patchConsole: false, exitOnCtrlC: false, maxFps: 1000 / INTERACTIVE_FRAME_MS });
  const timer = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    instance.rerender(view());
  }, INTERACTIVE_FRAME_MS);
  timer.unref();
  return {
    update(progress) {
      latest = { ...progress, scenarios: progress.scenarios.map((s) => ({ ...s })) };
      dirty = true;
    },
    note(text) {
      notes.push(text);
      instance.rerender(view());
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      instance.rerender(view());
      instance.unmount();
    },
  };
}

