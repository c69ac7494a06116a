// Flag parsing shared by every command: node's parseArgs, with its errors
// turned into one-line usage errors that name the fix.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../api.ts';

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
