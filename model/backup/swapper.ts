// The backup swapper (lnd's chanbackup SubSwapper): keeps the static channel
// backup file in step with the channel database. Inputs are the channels in the
// database at start, channel events, and manual upserts; one serial loop takes
// one input at a time: update memory, then rewrite the file (decode what is on
// disk, union with memory, drop what this input closed, write a temp file, wait
// until it is durable, atomically rename it over the backup, wait until that is
// durable). Only then is the input processed (trace `scb-swapped`) and the
// next one taken. A file on disk that does not decode fails the update; at
// start that makes the node refuse to start.
//
// Start-up is two steps the world can interleave with channel events: at boot
// the swapper subscribes to the database (events queue up), and a little later
// (the rest of the node's start-up) it reads the database's channels, writes
// the file and starts the loop. Planted bugs lnd-scb-inplace and
// lnd-scb-window deviate here; the merge rules are in merge.ts.
import type { NodeEnv } from '../../sim/node.ts';
import { BACKUP_KEY, BACKUP_TEMP_KEY, decodeBackup, encodeBackup, type StaticBackup } from './backup-file.ts';
import { SCB_INPLACE, SCB_WINDOW, type Bugs } from './bugs.ts';
import type { ChannelSource } from './channel-events.ts';
import { applyInput, combine, inputForEvent, startingSet, type SwapperInput } from './merge.ts';

export interface SwapperOptions {
  /** The second start-up step runs 1..startUpSpread ticks after the first (drawn as application timing). */
  readonly startUpSpread: number;
}

export interface SwapperState {
  /** starting: subscribed, loop not running yet; refused: the file on disk did not decode at start. */
  phase: 'starting' | 'running' | 'refused';
  /** The backups the swapper knows of (its own view, unioned with disk at each write). */
  memory: Map<string, StaticBackup>;
  queue: { seq: number; input: SwapperInput }[];
  nextSeq: number;
  /** The write of the input being processed: its temp file, or the rename (in place: the file itself). */
  inFlight: { seq: number; step: 'temp' | 'swap'; channels: number } | undefined;
}

/** Everything a swapper function needs besides its state. */
export interface SwapperContext {
  readonly env: NodeEnv;
  readonly bugs: Bugs;
  /** Process run (bumped by an in-process restart): tags and timers of an older run are ignored. */
  readonly run: number;
  readonly source: ChannelSource;
}

export const startTimerTag = (run: number): string => `scb-start:${run}`;

/** Start-up, first step (at boot). */
export function beginSwapper(ctx: SwapperContext, options: SwapperOptions): SwapperState {
  const s: SwapperState = { phase: 'starting', memory: new Map(), queue: [], nextSeq: 1, inFlight: undefined };
  if (ctx.bugs.has(SCB_WINDOW)) s.memory = startingSet(ctx.source.liveChannels(), ctx.bugs);
  else subscribe(s, ctx);
  ctx.env.setTimer(1 + ctx.env.draw(options.startUpSpread, 'scb start-up delay'), startTimerTag(ctx.run));
  return s;
}

/** Start-up, second step: the starting set, the start-up write (first in line), then the loop. */
export function finishSwapperStart(s: SwapperState, ctx: SwapperContext): void {
  if (ctx.bugs.has(SCB_WINDOW)) subscribe(s, ctx);
  else s.memory = startingSet(ctx.source.liveChannels(), ctx.bugs);
  enqueue(s, ctx, { kind: 'start' }, true);
  s.phase = 'running';
  pump(s, ctx);
}

/** Manual upsert of backups; refused unless the loop runs (as lnd refuses before the swapper is active). */
export function manualUpdate(s: SwapperState, ctx: SwapperContext, backups: readonly StaticBackup[]): void {
  if (s.phase !== 'running') {
    ctx.env.trace('scb-upsert-refused', { phase: s.phase });
    return;
  }
  enqueue(s, ctx, { kind: 'upsert', backups }, false);
  pump(s, ctx);
}

/** Nothing queued and nothing being written: every input so far is durably in the file. */
export function isIdle(s: SwapperState): boolean {
  return s.phase === 'running' && s.inFlight === undefined && s.queue.length === 0;
}

/** A durable-write completion addressed to the swapper (`scb:<run>:<step>:<seq>`). */
export function onSwapperDurable(s: SwapperState, ctx: SwapperContext, tag: string): void {
  const [, run, step, seq] = tag.split(':');
  const w = s.inFlight;
  if (Number(run) !== ctx.run || w === undefined || w.step !== step || w.seq !== Number(seq)) return;
  if (step === 'temp') swapIn(s, ctx);
  else swapped(s, ctx);
  pump(s, ctx);
}

function subscribe(s: SwapperState, ctx: SwapperContext): void {
  ctx.source.subscribe((event) => {
    const input = inputForEvent(event, ctx.bugs);
    if (input === undefined) return;
    enqueue(s, ctx, input, false);
    pump(s, ctx);
  });
}

function enqueue(s: SwapperState, ctx: SwapperContext, input: SwapperInput, first: boolean): void {
  const seq = s.nextSeq++;
  if (first) s.queue.unshift({ seq, input });
  else s.queue.push({ seq, input });
  const chan = input.kind === 'opened' ? input.backup.chan : input.kind === 'closed' ? input.chan : undefined;
  const versions = input.kind === 'upsert' ? { backups: input.backups.map((b) => ({ chan: b.chan, version: b.version })) } : {};
  ctx.env.trace('scb-input', chan === undefined ? { seq, kind: input.kind, ...versions } : { seq, kind: input.kind, chan });
}

/** Take inputs one at a time while no write is in flight. */
function pump(s: SwapperState, ctx: SwapperContext): void {
  const { env, bugs } = ctx;
  while (s.phase === 'running' && s.inFlight === undefined && s.queue.length > 0) {
    const { seq, input } = s.queue.shift()!;
    const closed = applyInput(s.memory, input);
    const onDisk = decodeBackup(env.disk.read(BACKUP_KEY));
    if (onDisk.kind === 'corrupt') {
      env.trace('scb-update-failed', { seq, reason: onDisk.reason });
      if (input.kind === 'start') {
        s.phase = 'refused';
        env.trace('node-refused-start', { reason: `backup file does not decode (${onDisk.reason})` });
      }
      continue;
    }
    const backups = combine(onDisk.kind === 'ok' ? onDisk.backups : [], s.memory, closed, bugs);
    const text = encodeBackup(backups);
    if (bugs.has(SCB_INPLACE)) {
      s.inFlight = { seq, step: 'swap', channels: backups.length };
      if (env.disk.write(BACKUP_KEY, text, { multiPart: true, tag: `scb:${ctx.run}:swap:${seq}` }) === 'durable') swapped(s, ctx);
    } else {
      // A temp file is written in parts too; a torn one is harmless, it is never read.
      s.inFlight = { seq, step: 'temp', channels: backups.length };
      if (env.disk.write(BACKUP_TEMP_KEY, text, { multiPart: true, tag: `scb:${ctx.run}:temp:${seq}` }) === 'durable') swapIn(s, ctx);
    }
  }
}

/** The temp file is durable: rename it over the backup. */
function swapIn(s: SwapperState, ctx: SwapperContext): void {
  const w = s.inFlight!;
  w.step = 'swap';
  if (ctx.env.disk.rename(BACKUP_TEMP_KEY, BACKUP_KEY, { tag: `scb:${ctx.run}:swap:${w.seq}` }) === 'durable') swapped(s, ctx);
}

function swapped(s: SwapperState, ctx: SwapperContext): void {
  const w = s.inFlight!;
  s.inFlight = undefined;
  ctx.env.trace('scb-swapped', { seq: w.seq, channels: w.channels });
}
