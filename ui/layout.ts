// Where things go on the screen, from the terminal size alone (pure). Narrow
// terminals stack the timeline over one node panel; wide ones put the
// timeline on the left and as many node panels on the right as fit.

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly direction: 'column' | 'row';
  /** Timeline box (title row included). */
  readonly timeline: { readonly width: number; readonly height: number };
  /** The area for the node panels, shared by as many as fit (see packPanels). */
  readonly panels: { readonly width: number; readonly height: number };
}

/** Rows taken by the header line, the current-event line and the status line. */
export const CHROME_ROWS = 3;
/** The smallest node panel worth showing: its title, the column titles and a couple of lines. */
export const MIN_PANEL_ROWS = 4;

export function computeLayout(width: number, height: number): Layout {
  const w = Math.max(40, width);
  const h = Math.max(12, height);
  const body = h - CHROME_ROWS;
  if (w >= 120) {
    const timelineWidth = Math.max(50, Math.floor(w * 0.42));
    return { width: w, height: h, direction: 'row', timeline: { width: timelineWidth, height: body }, panels: { width: w - timelineWidth - 1, height: body } };
  }
  const timelineRows = Math.max(5, Math.floor(body * 0.38));
  return { width: w, height: h, direction: 'column', timeline: { width: w, height: timelineRows }, panels: { width: w, height: body - timelineRows } };
}

/**
 * Heights of the node panels to stack in `rows`: panels in order (the selected
 * node first) each get the rows they need while the next still has its
 * minimum; the last one shown takes what is left.
 */
export function packPanels(needs: readonly number[], rows: number): number[] {
  const heights: number[] = [];
  let remaining = rows;
  for (const [k, need] of needs.entries()) {
    if (heights.length > 0 && remaining < MIN_PANEL_ROWS) break;
    if (k === needs.length - 1 || need + MIN_PANEL_ROWS > remaining) {
      heights.push(remaining);
      remaining = 0;
      break;
    }
    heights.push(need);
    remaining -= need;
  }
  if (remaining > 0 && heights.length > 0) heights[heights.length - 1] += remaining;
  return heights;
}

/** Cut or pad `text` to exactly `width` columns (code points; the trace is ASCII but for a few symbols). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length > width) return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
  return text + ' '.repeat(width - chars.length);
}

/** The first visible row of a list of `total` rows shown `rows` at a time, keeping `cursor` in view (centred where possible). */
export function windowStart(cursor: number, total: number, rows: number): number {
  if (total <= rows) return 0;
  return Math.max(0, Math.min(total - rows, cursor - Math.floor(rows / 2)));
}
