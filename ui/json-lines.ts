// Any JSON value as indented tree lines, and the difference between two such
// pictures line by line (what changed since the previous step). The node
// panels render whatever the model's snapshot holds through this.

export interface JsonLine {
  /** Identity of the line across steps: the path from the root. */
  readonly path: string;
  readonly depth: number;
  /** The key or index; '' for a bare root value. */
  readonly key: string;
  /** A leaf's value, or a container's size ({3} / [2]). */
  readonly text: string;
  readonly container: boolean;
}

export type LineStatus = 'same' | 'changed' | 'added' | 'removed';

export interface DiffLine extends JsonLine {
  readonly status: LineStatus;
  /** For a changed leaf, the value it had at the previous step. */
  readonly before?: string;
}

/** The lines of a value; an object or array root is shown by its members (none for an empty one). */
export function jsonLines(value: unknown): JsonLine[] {
  const out: JsonLine[] = [];
  if (isContainer(value)) walkMembers(value, '', 0, out);
  else if (!isEmptyContainer(value)) out.push({ path: '', depth: 0, key: '', text: leafText(value), container: false });
  return out;
}

function walkMembers(value: object, path: string, depth: number, out: JsonLine[]): void {
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, member] of entries) {
    const childPath = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (isContainer(member)) {
      const size = Array.isArray(member) ? member.length : Object.keys(member).length;
      out.push({ path: childPath, depth, key, text: Array.isArray(member) ? `[${size}]` : `{${size}}`, container: true });
      walkMembers(member, childPath, depth + 1, out);
    } else {
      out.push({ path: childPath, depth, key, text: leafText(member), container: false });
    }
  }
}

function isContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  return Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0;
}

function isEmptyContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !isContainer(value);
}

function leafText(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object' && value !== null) return '{}';
  return JSON.stringify(value);
}

/**
 * Merge the previous picture into the current one: every current line with
 * its status, and the lines that disappeared in the place they had. Without a
 * previous picture every line is 'same'.
 */
export function diffLines(previous: readonly JsonLine[] | undefined, current: readonly JsonLine[]): DiffLine[] {
  if (previous === undefined) return current.map((line) => ({ ...line, status: 'same' }));
  const before = new Map(previous.map((l) => [l.path, l]));
  const now = new Set(current.map((l) => l.path));
  const out: DiffLine[] = [];
  let i = 0;
  for (const line of current) {
    // Lines of the previous picture that are gone, up to where this one was.
    while (i < previous.length && !now.has(previous[i].path)) out.push({ ...previous[i++], status: 'removed' });
    const old = before.get(line.path);
    if (old === undefined) out.push({ ...line, status: 'added' });
    else if (old.text !== line.text || old.container !== line.container) out.push({ ...line, status: 'changed', before: old.text });
    else out.push({ ...line, status: 'same' });
    if (old !== undefined && i < previous.length && previous[i].path === line.path) i++;
  }
  while (i < previous.length) {
    if (!now.has(previous[i].path)) out.push({ ...previous[i], status: 'removed' });
    i++;
  }
  return out;
}

/** Index of the first line that is not 'same', or -1. */
export function firstChange(lines: readonly DiffLine[]): number {
  return lines.findIndex((l) => l.status !== 'same');
}
