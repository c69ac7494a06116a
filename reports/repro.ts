// Repro files: everything needed to replay one failing run exactly.
import { readFileSync } from 'node:fs';
import { HARNESS_VERSION, UsageError } from '../api.ts';
import type { Violation } from '../sim/world.ts';

export const REPRO_FORMAT = 'lnsim-repro';
export const REPRO_VERSION = 1;

export interface ReproFile {
  readonly format: typeof REPRO_FORMAT;
  readonly version: number;
  /** Harness version that recorded it: replay with another may diverge. */
  readonly harness: string;
  readonly scenario: string;
  /**
   * For a scenario module: its absolute path when the repro was recorded, so the repro replays from any
   * directory ('scenario' keeps the path as the user gave it, relative to where lnsim ran).
   */
  readonly scenarioFile?: string;
  /** The seed the failure was found with (informational once shrunk: the tape is what replays). */
  readonly seed: number | null;
  readonly bugs: readonly string[];
  readonly tape: readonly number[];
  readonly fingerprint: string;
  readonly events: number;
  readonly violation: Violation | null;
  /** Labels of the draws, when recorded: replay names the first draw that differs. */
  readonly labels?: readonly string[];
  /** How to replay it. */
  readonly command: string;
  /** Set by the shrinker: the original tape and trace lengths. */
  readonly shrunkFrom?: { readonly tapeLength: number; readonly events: number };
}

export function makeRepro(fields: Omit<ReproFile, 'format' | 'version' | 'harness'>): ReproFile {
  return { format: REPRO_FORMAT, version: REPRO_VERSION, harness: HARNESS_VERSION, ...fields };
}

/** Read and validate a repro file; any problem is a UsageError naming it. */
export function readRepro(path: string): ReproFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read repro file '${path}': check the path`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`repro file '${path}' is not valid JSON (truncated or edited?): re-create it with 'npx lnsim run --report DIR'`);
  }
  return validateRepro(data, path);
}

export function validateRepro(data: unknown, path = 'repro'): ReproFile {
  const bad = (what: string) => new UsageError(`repro file '${path}' ${what}: re-create it with 'npx lnsim run --report DIR'`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('is not a JSON object');
  const r = data as Record<string, unknown>;
  if (r.format !== REPRO_FORMAT) throw bad(`is not an lnsim repro (format is ${JSON.stringify(r.format)})`);
  if (r.version !== REPRO_VERSION) throw bad(`has format version ${JSON.stringify(r.version)}, this harness reads version ${REPRO_VERSION}`);
  if (typeof r.harness !== 'string') throw bad('has no harness version');
  if (r.harness !== HARNESS_VERSION) throw new UsageError(`repro file '${path}' was recorded by lnsim ${r.harness}, this is ${HARNESS_VERSION}: replay it with that version, or re-run its seed with this one`);
  if (typeof r.scenario !== 'string' || r.scenario === '') throw bad('names no scenario');
  if (r.scenarioFile !== undefined && typeof r.scenarioFile !== 'string') throw bad('has a malformed scenarioFile');
  if (!(r.seed === null || Number.isSafeInteger(r.seed))) throw bad('has a seed that is not an integer');
  if (!Array.isArray(r.bugs) || !r.bugs.every((b) => typeof b === 'string')) throw bad('has a malformed bugs list');
  if (!Array.isArray(r.tape) || !r.tape.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) throw bad('has a malformed tape (expected an array of non-negative integers)');
  if (typeof r.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(r.fingerprint)) throw bad('has a malformed fingerprint');
  if (!Number.isSafeInteger(r.events)) throw bad('has a malformed event count');
  if (r.labels !== undefined && (!Array.isArray(r.labels) || !r.labels.every((l) => typeof l === 'string'))) throw bad('has malformed labels');
  if (r.violation !== null) {
    const v = r.violation as Record<string, unknown> | undefined;
    if (typeof v !== 'object' || v === null || typeof v.invariant !== 'string' || typeof v.message !== 'string') throw bad('has a malformed violation');
  }
  return r as unknown as ReproFile;
}
