// The static channel backup file: a list of per-channel backups with a
// checksum over the whole body, so that a file torn by a crash mid-write is
// detected instead of silently read as fewer channels. (lnd encrypts the packed
// multi-backup with a key from the seed, which rejects torn files the same way.)
import { createHash } from 'node:crypto';

/** Where the backup lives on the node's disk, and the temp file it is swapped in from. */
export const BACKUP_KEY = 'scb/channel.backup';
export const BACKUP_TEMP_KEY = 'scb/temp-dont-use.backup';

/** What a backup holds for one channel: enough to find it on chain and ask the peer to close it. */
export interface StaticBackup {
  readonly chan: string;
  /** Funding transaction (output 0). */
  readonly funding: string;
  readonly peer: string;
  readonly csvDelay: number;
  /** Bumped when the channel's backup data changes (a manual upsert); the newer copy wins. */
  readonly version: number;
}

const MAGIC = 'scb1';
const CHECKSUM_HEX = 16;

export type DecodeResult =
  | { readonly kind: 'missing' }
  | { readonly kind: 'ok'; readonly backups: readonly StaticBackup[] }
  | { readonly kind: 'corrupt'; readonly reason: string };

function checksum(body: string): string {
  let sum = checksums.get(body);
  if (sum === undefined) {
    if (checksums.size >= CHECKSUM_MEMO) checksums.clear();
    // node:crypto's sha256 (the same digest as @noble's, a few times cheaper on a file this small): a checksum, not a payment hash.
    sum = createHash('sha256').update(body, 'utf8').digest('hex').slice(0, CHECKSUM_HEX);
    checksums.set(body, sum);
  }
  return sum;
}

/**
 * Pure, and asked again for bodies met before (about half the files a run of backup-churn writes were written before,
 * in it or in an earlier run of the thread): remembered, up to a bound (bodies are short: ~100 characters).
 */
const CHECKSUM_MEMO = 1_024;
const checksums = new Map<string, string>();

/**
 * The last few texts decoded or written, with what they decode to: the swapper decodes the file it wrote at its next
 * input, the invariant when the write is durable. A few, searched in turn: a map of every text ever seen would keep
 * megabytes of file texts alive for the collector to walk.
 */
const RECENT = 8;
const recentTexts: string[] = [];
const recentResults: DecodeResult[] = [];
let nextSlot = 0;

function remember(text: string, result: DecodeResult): void {
  if (recentTexts.length < RECENT) {
    recentTexts.push(text);
    recentResults.push(result);
    return;
  }
  recentTexts[nextSlot] = text;
  recentResults[nextSlot] = result;
  nextSlot = (nextSlot + 1) % RECENT;
}

function recalled(text: string): DecodeResult | undefined {
  for (let i = 0; i < recentTexts.length; i++) if (recentTexts[i] === text) return recentResults[i];
  return undefined;
}

/** The file's text: one line per channel, sorted by channel id, then the checksum of everything above it. */
export function encodeBackup(backups: readonly StaticBackup[]): string {
  // Built by loops, not spread/map/join (a map's result is of another kind of array once optimised: packed.ts).
  const sorted: StaticBackup[] = [];
  for (let i = 0; i < backups.length; i++) sorted.push(backups[i]);
  sorted.sort(byChannel);
  let body = `${MAGIC}\n${sorted.length}\n`;
  // Whether decodeText will read every entry back as written (the usual case): then its result is known here.
  let plain = true;
  for (let i = 0; i < sorted.length; i++) {
    const b = sorted[i];
    body += `${b.chan} ${b.funding} ${b.peer} ${b.csvDelay} ${b.version}\n`;
    plain &&= isWord(b.chan) && isWord(b.funding) && isWord(b.peer) && isPlainInteger(b.csvDelay) && isPlainInteger(b.version) && (i === 0 || sorted[i - 1].chan !== b.chan);
  }
  const text = `${body}#${checksum(body)}`;
  if (plain) {
    const entries: StaticBackup[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const b = sorted[i];
      entries.push({ chan: b.chan, funding: b.funding, peer: b.peer, csvDelay: b.csvDelay, version: b.version });
    }
    remember(text, { kind: 'ok', backups: Object.freeze(entries) });
  }
  return text;
}

/** A field decodeText reads back as itself: a string, not empty, with no field or line separator in it. */
function isWord(field: string): boolean {
  return typeof field === 'string' && field.length > 0 && field.indexOf(' ') < 0 && field.indexOf('\n') < 0;
}

/** A number whose decimal text reads back as the same number. */
function isPlainInteger(n: number): boolean {
  return Number.isSafeInteger(n) && !Object.is(n, -0);
}

function byChannel(a: StaticBackup, b: StaticBackup): number {
  return a.chan < b.chan ? -1 : a.chan > b.chan ? 1 : 0;
}

/** Decode a file's text (undefined: no file). Anything that is not a whole file written by encodeBackup is corrupt. */
export function decodeBackup(text: string | undefined): DecodeResult {
  if (text === undefined) return { kind: 'missing' };
  let result = recalled(text);
  if (result === undefined) remember(text, (result = decodeText(text)));
  return result;
}

/** decodeBackup without the memo (exported for the test that checks encodeBackup's shortcut against it). */
export function decodeText(text: string): DecodeResult {
  const mark = text.lastIndexOf('\n#');
  if (mark < 0) return { kind: 'corrupt', reason: 'no checksum' };
  const body = text.slice(0, mark + 1);
  if (text.slice(mark + 2) !== checksum(body)) return { kind: 'corrupt', reason: 'checksum mismatch' };
  const lines = body.slice(0, -1).split('\n');
  if (lines[0] !== MAGIC) return { kind: 'corrupt', reason: 'bad magic' };
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || lines.length !== count + 2) return { kind: 'corrupt', reason: 'bad channel count' };
  const backups: StaticBackup[] = [];
  const seen = new Set<string>();
  for (const line of lines.slice(2)) {
    const [chan, funding, peer, csv, version, ...rest] = line.split(' ');
    const csvDelay = Number(csv);
    const v = Number(version);
    if (!chan || !funding || !peer || rest.length > 0 || !Number.isInteger(csvDelay) || !Number.isInteger(v)) return { kind: 'corrupt', reason: `bad entry '${line}'` };
    if (seen.has(chan)) return { kind: 'corrupt', reason: `duplicate channel ${chan}` };
    seen.add(chan);
    backups.push({ chan, funding, peer, csvDelay, version: v });
  }
  return { kind: 'ok', backups: Object.freeze(backups) };
}
