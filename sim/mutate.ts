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
// - splice: the parent's prefix, another tape's suffix;
// - regrow: the parent's prefix up to a fault decision, then a fresh random
//   tail (reach the parent's state, then explore from there anew).
// A tape that runs out answers 0 (calm) to every later draw, so a mutant gets
// a fresh random tail: its run goes on drawing like a seeded one.
// Given the parent's draw labels, redraw and fire mostly pick fault decisions
// (a crash opportunity, a write that may stall, a swarm switch, an aim), not
// message latencies or the workload: the search then aims its faults at the
// places the parent's run went through.
import { CHANCE_SCALE } from './choices.ts';
import { FAULT_KINDS } from './faults.ts';

/** A uniform generator in [0, 1): the search's own, seeded (never Math.random). */
export type Rng = () => number;

export type MutationKind = 'redraw' | 'fire' | 'calm' | 'splice' | 'regrow';
export const MUTATION_KINDS: readonly MutationKind[] = ['redraw', 'fire', 'calm', 'splice', 'regrow'];

/** Largest value a fresh draw gets (any draw's range divides into it evenly enough). */
const RANDOM_VALUE_LIMIT = 2 ** 31;

const randomValue = (rng: Rng) => Math.floor(rng() * RANDOM_VALUE_LIMIT);
const below = (rng: Rng, n: number) => Math.floor(rng() * n);

/** Share of redraw/fire positions taken among the fault decisions, when the parent's labels are known. */
const FAULT_POSITION_SHARE = 0.8;

/** First words of the labels of fault decisions (FaultPlan and sim/aim.ts label their draws so). */
const FAULT_WORDS = new Set<string>([...FAULT_KINDS, 'keyStall', 'action', 'swarm', 'aim', 'aimed', 'crash']);

/** Positions of a tape whose draws decided a fault, from the run's labels. */
export function faultPositions(labels: readonly string[]): number[] {
  const positions: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const space = labels[i].indexOf(' ');
    if (FAULT_WORDS.has(space < 0 ? labels[i] : labels[i].slice(0, space))) positions.push(i);
  }
  return positions;
}

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
export function mutateTape(parent: readonly number[], other: readonly number[], rng: Rng, faultPositions?: readonly number[]): Mutant {
  const kind = MUTATION_KINDS[below(rng, MUTATION_KINDS.length)];
  const tape = [...parent];
  let at = tape.length;
  const aimed = faultPositions !== undefined && faultPositions.length > 0;
  if (tape.length > 0) {
    switch (kind) {
      case 'redraw':
      case 'fire': {
        const count = 1 + below(rng, 3);
        for (let i = 0; i < count; i++) {
          const position = aimed && rng() < FAULT_POSITION_SHARE ? faultPositions[below(rng, faultPositions.length)] : below(rng, tape.length);
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
      case 'regrow': {
        at = aimed && rng() < FAULT_POSITION_SHARE ? faultPositions[below(rng, faultPositions.length)] : below(rng, tape.length);
        tape.length = at;
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
