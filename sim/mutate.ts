// Mutating tapes (choice sequences) for coverage-guided search. A tape is
// what a run drew, in draw order; replaying a mutated tape runs the same
// scenario with some decisions changed. Decisions after a changed one may
// shift meaning (a fault that now fires draws its own details), as in any
// choice-sequence mutator: the run stays valid, only different.
//
// Operators, each chosen by the search's own seeded generator:
// - redraw: a few positions get fresh uniform values (a chance draw then fires
//   with its own probability, an int draw lands anywhere in its range);
// - fire: a few positions get CHANCE_SCALE - 1, which makes any chance draw
//   fire (a fault the parent skipped now strikes there);
// - calm: a block of positions is zeroed (the faults there do not strike);
// - splice: the parent's prefix, another tape's suffix.
// A tape that runs out answers 0 (calm) to every later draw, so a mutant gets
// a fresh random tail: its run goes on drawing like a seeded one.
import { CHANCE_SCALE } from './choices.ts';

/** A uniform generator in [0, 1): the search's own, seeded (never Math.random). */
export type Rng = () => number;

export type MutationKind = 'redraw' | 'fire' | 'calm' | 'splice';
export const MUTATION_KINDS: readonly MutationKind[] = ['redraw', 'fire', 'calm', 'splice'];

/** Largest value a fresh draw gets (any draw's range divides into it evenly enough). */
const RANDOM_VALUE_LIMIT = 2 ** 31;

const randomValue = (rng: Rng) => Math.floor(rng() * RANDOM_VALUE_LIMIT);
const below = (rng: Rng, n: number) => Math.floor(rng() * n);

export interface Mutant {
  readonly tape: number[];
  readonly kind: MutationKind;
  /** First position the mutation changed (draws before it replay the parent exactly). */
  readonly at: number;
}

/**
 * A mutant of `parent`: one operator, then a random tail as long as the
 * parent's plus some slack (draws beyond it answer 0). `other` is the splice partner.
 */
export function mutateTape(parent: readonly number[], other: readonly number[], rng: Rng): Mutant {
  const kind = MUTATION_KINDS[below(rng, MUTATION_KINDS.length)];
  const tape = [...parent];
  let at = tape.length;
  if (tape.length > 0) {
    switch (kind) {
      case 'redraw':
      case 'fire': {
        const count = 1 + below(rng, 3);
        for (let i = 0; i < count; i++) {
          const position = below(rng, tape.length);
          tape[position] = kind === 'fire' ? CHANCE_SCALE - 1 : randomValue(rng);
          at = Math.min(at, position);
        }
        break;
      }
      case 'calm': {
        const from = below(rng, tape.length);
        const length = 1 + below(rng, Math.min(32, tape.length - from));
        for (let i = from; i < from + length; i++) tape[i] = 0;
        at = from;
        break;
      }
      case 'splice': {
        at = below(rng, tape.length);
        const cut = below(rng, Math.max(1, other.length));
        tape.splice(at, tape.length - at, ...other.slice(cut));
        break;
      }
    }
  }
  const tail = Math.max(64, parent.length >> 1);
  for (let i = 0; i < tail; i++) tape.push(randomValue(rng));
  return { tape, kind, at };
}
