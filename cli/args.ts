// Flag parsing shared by every command: node's parseArgs, with its errors
// turned into one-line usage errors that name the fix.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../api.ts';
import { writeFileAtomic } from '../reports/write.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(command: string, args: readonly string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UsageError(`${command}: ${message.replace(/\. To specify a positional argument.*$/, '')} (see 'lnsim ${command} --help')`);
  }
}

/** A non-negative integer flag value, or a usage error naming the flag. */
export function intFlag(command: string, name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`${command}: --${name} needs a non-negative integer, got '${value}'`);
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
