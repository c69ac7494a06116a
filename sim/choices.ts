// Every nondeterministic decision of a run is drawn here: from a seeded PRNG
// (one named sub-stream per concern) or from a recorded tape of integers.
// Either way the run records the tape it consumed, so any run can be replayed
// exactly, and shrunk by shrinking its tape (the choice-sequence idea).
import seedrandom from 'seedrandom';

/** Resolution of `chance` draws: a fault fires when the drawn value is in the top p share. */
export const CHANCE_SCALE = 1_000_000;

export interface Choices {
  /** An integer in [0, n). `stream` names the concern (workload, faults, net...), `label` what is decided. 0 is always the calm / smallest answer. */
  int(stream: string, n: number, label: string): number;
  /** True with probability p (0 ≤ p ≤ 1). A tape value of 0 always answers false. */
  chance(stream: string, p: number, label: string): boolean;
  /** The values drawn so far, in draw order. */
  readonly tape: readonly number[];
  /** The labels of the draws, when label recording is on (replay, shrink, TUI). */
  readonly labels: readonly string[] | undefined;
}

export interface ChoicesOptions {
  /** Keep the label of every draw (costs memory; used for divergence reports and the TUI). */
  recordLabels?: boolean;
}

abstract class RecordingChoices implements Choices {
  readonly tape: number[] = [];
  readonly labels: string[] | undefined;
  constructor(options: ChoicesOptions) {
    this.labels = options.recordLabels ? [] : undefined;
  }
  protected abstract draw(stream: string, n: number): number;
  int(stream: string, n: number, label: string): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`choices: range must be a positive integer, got ${n} for ${label}`);
    // A range of one is no decision: it is neither drawn nor recorded, so a
    // recorded tape replays through TapeChoices position for position.
    if (n === 1) return 0;
    const value = this.draw(stream, n);
    this.tape.push(value);
    this.labels?.push(label);
    return value;
  }
  chance(stream: string, p: number, label: string): boolean {
    if (p <= 0) return false;
    const v = this.int(stream, CHANCE_SCALE, label);
    // Never at 0, so a shrunk (zeroed) tape means no fault even where p is 1.
    return v >= Math.max(1, CHANCE_SCALE - Math.round(p * CHANCE_SCALE));
  }
}

/** Seeded choices: one alea generator per named stream, so adding draws to one concern never shifts another's. */
export class SeededChoices extends RecordingChoices {
  private readonly streams = new Map<string, () => number>();
  /**
   * The stream drawn from last and its generator: draws come in runs on one stream (a write's fault draws), and
   * those are drawn without a lookup.
   */
  private lastStream = '';
  private lastRng: (() => number) | undefined = undefined;
  constructor(readonly seed: number, options: ChoicesOptions = {}) {
    super(options);
  }
  protected draw(stream: string, n: number): number {
    let rng = stream === this.lastStream ? this.lastRng : this.streams.get(stream);
    if (!rng) {
      rng = seedrandom.alea(`lnsim/${this.seed}/${stream}`);
      this.streams.set(stream, rng);
    }
    this.lastStream = stream;
    this.lastRng = rng;
    return Math.floor(rng() * n);
  }
}

/** Tape-driven choices: values are read in draw order; a value too large wraps; a tape that runs out answers 0. */
export class TapeChoices extends RecordingChoices {
  private position = 0;
  constructor(private readonly source: readonly number[], options: ChoicesOptions = {}) {
    super(options);
  }
  protected draw(_stream: string, n: number): number {
    const raw = this.position < this.source.length ? this.source[this.position] : 0;
    this.position++;
    return raw % n;
  }
  /** How many tape values the run consumed (may exceed the tape's length). */
  get consumed(): number {
    return this.position;
  }
}
