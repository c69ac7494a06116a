// Live progress of a sweep: an ink view on a terminal (runs done / total,
// runs/s, violations so far, ETA, one row per scenario), plain periodic lines
// otherwise (CI logs, pipes, --ci). Both draw at most a few times a second
// from the latest snapshot, so rendering costs nothing next to the sweep.
// ink is loaded only for the terminal view (it takes a second to load).
import type { SweepProgress } from '../../sweep/engine.ts';

export interface ProgressOptions {
  /** Use the ink view (the stream is a terminal and --ci is off). */
  readonly interactive: boolean;
  /** What is being swept, e.g. "4 scenarios, seeds 1..1000: 4,000 runs on 2 workers". */
  readonly title: string;
  /** What to show before the first batch completes (totals and scenario rows at zero). */
  readonly initial: SweepProgress;
  /** Plain mode: seconds between lines. Default 5. */
  readonly plainIntervalSeconds?: number;
}

export interface ProgressDisplay {
  update(progress: SweepProgress): void;
  /** A line of its own (e.g. "shrinking ..."). */
  note(text: string): void;
  /** Draw the last state and let go of the terminal. Idempotent. */
  stop(): void;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(Math.ceil(seconds - m * 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The progress of a sweep that has not started: every count zero. */
export function startingProgress(total: number, scenarios: readonly { name: string; total: number }[]): SweepProgress {
  return { done: 0, total, violations: 0, elapsedSeconds: 0, scenarios: scenarios.map((s) => ({ name: s.name, total: s.total, done: 0, violations: 0 })) };
}

/** Runs per second so far, and the seconds left at that rate. */
export function speed(p: SweepProgress): { runsPerSecond: number; eta: number } {
  const runsPerSecond = p.elapsedSeconds > 0 ? p.done / p.elapsedSeconds : 0;
  return { runsPerSecond, eta: runsPerSecond > 0 ? (p.total - p.done) / runsPerSecond : Infinity };
}

/** One plain progress line. */
export function progressLine(p: SweepProgress): string {
  const { runsPerSecond, eta } = speed(p);
  const percent = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 100;
  return `lnsim: ${fmt(p.done)}/${fmt(p.total)} runs (${percent}%), ${fmt(runsPerSecond)} runs/s, ${fmt(p.violations)} violation${p.violations === 1 ? '' : 's'}, ETA ${formatDuration(eta)}`;
}

/** Plain mode's per-scenario line (sweeps of several scenarios): runs done of each, and its violating runs. */
export function scenarioProgressLine(p: SweepProgress): string {
  return `lnsim:   per scenario: ${p.scenarios.map((s) => `${s.name} ${fmt(s.done)}/${fmt(s.total)}${s.violations > 0 ? ` (${fmt(s.violations)} violating)` : ''}`).join(', ')}`;
}

export async function startProgress(stream: NodeJS.WritableStream, options: ProgressOptions): Promise<ProgressDisplay> {
  if (!options.interactive) return plainProgress(stream, options);
  const { interactiveProgress } = await import('./ink-view.tsx');
  return interactiveProgress(stream, options);
}

export function plainProgress(stream: NodeJS.WritableStream, options: ProgressOptions): ProgressDisplay {
  stream.write(`lnsim run: ${options.title}\n`);
  let latest: SweepProgress | undefined;
  let printed: SweepProgress | undefined;
  const timer = setInterval(() => {
    if (!latest || latest === printed || latest.done === latest.total) return;
    printed = latest;
    stream.write(progressLine(latest) + '\n');
    if (latest.scenarios.length > 1) stream.write(scenarioProgressLine(latest) + '\n');
  }, (options.plainIntervalSeconds ?? 5) * 1000);
  timer.unref();
  return {
    update(progress) {
      latest = progress;
    },
    note(text) {
      stream.write(`lnsim: ${text}\n`);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
