// The interactive replay: key handling and the world-state cache around the
// pure ReplayView. States the cache does not hold are computed after the
// frame that shows "computing…", so a long re-run never swallows a key press
// without feedback.
import React, { useEffect, useMemo, useReducer, useState } from 'react';
import { useApp, useInput, useStdout } from 'ink';
import { formatRecord } from '../sim/trace.ts';
import { ReplayView, type ReplayModel } from './components.tsx';
import { keyToAction, splitInput } from './keys.ts';
import { computeLayout } from './layout.ts';
import { initialNav, navigate, type NavContext, type NavState } from './navigation.ts';
import type { WorldStates } from './world-states.ts';

export interface ReplayAppProps {
  readonly model: ReplayModel;
  readonly states: WorldStates;
  readonly width: number;
  readonly height: number;
  /** Start somewhere other than the first event. */
  readonly initial?: Partial<NavState>;
  /** Called once when the user quits (before ink's exit). */
  readonly onQuit?: () => void;
}

export function ReplayApp({ model, states, width, height, initial, onQuit }: ReplayAppProps) {
  const { exit } = useApp();
  const [nav, setNav] = useState<NavState>(() => ({ ...initialNav(), ...initial }));
  const [, refresh] = useReducer((n: number) => n + 1, 0);
  const layout = computeLayout(width, height);
  const ctx = useNavContext(model, layout.timeline.height - 1);

  useInput((input, key) => {
    setNav((state) =>
      splitInput(input, key).reduce((s, [one, oneKey]) => {
        const action = keyToAction(one, oneKey, s.mode);
        return action ? navigate(s, action, ctx) : s;
      }, state),
    );
  });

  useEffect(() => {
    if (!nav.quit) return;
    onQuit?.();
    exit();
  }, [nav.quit, exit, onQuit]);

  const [failure, setFailure] = useState<string | undefined>(undefined);
  const view = states.peek(nav.cursor);
  const previous = nav.cursor > 0 ? states.peek(nav.cursor - 1) : undefined;
  const missing = view === undefined || (nav.cursor > 0 && previous === undefined);
  useEffect(() => {
    if (!missing || model.records.length === 0) return;
    const timer = setTimeout(() => {
      try {
        states.load(nav.cursor);
        setFailure(undefined);
      } catch (e) {
        // A model that throws while being re-run must not take the terminal down with it.
        setFailure(`cannot compute the world at #${nav.cursor}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
      refresh();
    }, 0);
    return () => clearTimeout(timer);
  }, [missing, nav.cursor, states, model.records.length]);

  const shown = failure !== undefined && missing ? { ...nav, status: failure } : nav;
  return <ReplayView model={model} nav={shown} view={missing ? undefined : view} previous={previous} width={width} height={height} />;
}

/** Search text per record is formatted lazily and kept (a 100k-event trace formats in a fraction of a second). */
function useNavContext(model: ReplayModel, pageSize: number): NavContext {
  const texts = useMemo(() => new Array<string | undefined>(model.records.length), [model.records]);
  return useMemo(
    () => ({
      records: model.records,
      nodes: model.nodes,
      violation: model.violation?.event,
      pageSize,
      text: (i: number) => (texts[i] ??= formatRecord(model.records[i]).toLowerCase()),
    }),
    [model, pageSize, texts],
  );
}

/** ReplayApp sized to the terminal, following resizes. One row is left free so ink never falls back to clearing the screen. */
export function TerminalReplayApp(props: Omit<ReplayAppProps, 'width' | 'height'>) {
  const { stdout } = useStdout();
  const size = () => ({ width: stdout.columns || 80, height: Math.max(12, (stdout.rows || 24) - 1) });
  const [dims, setDims] = useState(size);
  useEffect(() => {
    const onResize = () => setDims(size());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return <ReplayApp {...props} width={dims.width} height={dims.height} />;
}
