// Flag parsing shared by every command: node's parseArgs, with its errors
// turned into one-line usage errors that name the fix.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../api.ts';
import { writeFileAtomic } from '../reports/write.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(command: string, args: readonly string[], options: T, allowPositionals = false) {
  // parseArgs reads '--seeds -1' as a flag with no value followed by an unknown option; join a negative number
  // to its flag ('--seeds=-1') so the flag's own check names the real problem.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = /^--([\w-]+)$/.exec(args[i])?.[1];
    if (name !== undefined && options[name]?.type === 'string' && /^-\.?\d/.test(args[i + 1] ?? '')) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  try {
    return parseArgs({ args: joined, options, allowPositionals, strict: true });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UsageError(`${command}: ${message.replace(/\. To specify a positional argument.*$/, '')} (see 'npx lnsim ${command} --help')`);
  }
}

/** An integer flag value of at least `min` (0 or 1), or a usage error naming the flag and what it needs. */
export function intFlag(command: string, name: string, value: string | undefined, fallback: number, min: 0 | 1 = 0): number {
  if (value === undefined) return fallback;
  const needs = min === 1 ? 'a positive integer' : 'a non-negative integer';
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) throw new UsageError(`${command}: --${name} needs ${needs}, got '${value}'`);
  return Number(value);
}

export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export type Command = (args: readonly string[], io: CliIO) => Promise<number>;

/** Refuse an -o that names an existing directory, before any long work. */
export function checkOutFile(command: string, out: string, exampleName: string): void {
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`${command}: -o '${out}' is a directory: give a file path, e.g. -o ${join(out, exampleName)}`);
  }
}

/**
 * Write a command's -o file atomically (a temp file renamed over it, removed if anything fails). An existing
 * directory, or a path that cannot be written, is a usage error naming a file to give instead.
 */
export function writeOutFile(command: string, out: string, text: string, exampleName: string): void {
  checkOutFile(command, out, exampleName);
  try {
    writeFileAtomic(out, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(`${command}: cannot write '${out}' (${code}): give another -o path`);
  }
}
