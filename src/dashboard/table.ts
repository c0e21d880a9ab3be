import { displayWidth, pack, padTo } from './text.js';

/**
 * A column of a fitted table. Cells are either text, cut with `…` to the column's width, or
 * atomic parts (addresses) that are never cut: when the column is narrower than the parts
 * side by side, they go on more lines of the same row.
 */
export interface Column<T> {
  title: string;
  /** Shown instead of `title` (and `compact` instead of `get`) once the column is below its natural width. */
  shortTitle?: string;
  get: (row: T) => string | string[];
  compact?: (row: T) => string;
  /** Text cells: the narrowest the column may be cut to. Ignored for part cells. */
  min?: number;
  /** Drop order at narrow widths: 0 is never dropped, higher goes first. */
  keep: number;
  /** Shrink order: lower gives up its width first. */
  give: number;
  /** Kept whenever its minimum fits: it takes what room is left (e.g. a free-text column at the end). */
  fill?: boolean;
  align?: 'left' | 'right';
}

export interface Fitted<T> {
  columns: Column<T>[];
  widths: number[];
  /** Each chosen column's natural width: below it, `compact` forms are used. */
  natural: number[];
}

const GAP = 1;

function cellText(v: string | string[]): string {
  return Array.isArray(v) ? v.join(' ') : v;
}

function naturalWidth<T>(c: Column<T>, rows: T[]): number {
  return Math.max(displayWidth(c.title), ...rows.map((r) => displayWidth(cellText(c.get(r)))));
}

function minWidth<T>(c: Column<T>, rows: T[]): number {
  const parts = rows.map((r) => c.get(r));
  if (parts.some(Array.isArray)) {
    const widest = Math.max(0, ...parts.flatMap((p) => (Array.isArray(p) ? p : [p])).map(displayWidth));
    return Math.max(widest, displayWidth(c.shortTitle ?? c.title));
  }
  return Math.min(naturalWidth(c, rows), Math.max(c.min ?? Number.MAX_SAFE_INTEGER, displayWidth(c.shortTitle ?? '')));
}

/** The width a column asks for to be kept: its compact form if it has one, its minimum if it fills, else all of it. */
function comfortWidth<T>(c: Column<T>, rows: T[]): number {
  return c.compact || c.fill ? minWidth(c, rows) : naturalWidth(c, rows);
}

/**
 * Chooses the columns and their widths for `width` columns of screen: required columns
 * (`keep` 0) always, then the others in `keep` order wherever they fit at their comfortable
 * width; then every column starts at its natural width and the ones with the lowest `give`
 * shrink first, never below their minimum.
 */
export function fit<T>(columns: Column<T>[], rows: T[], width: number): Fitted<T> {
  const byKeep = [...columns].sort((a, b) => a.keep - b.keep);
  const kept = new Set<Column<T>>();
  let need = 0;
  for (const c of byKeep) {
    const add = comfortWidth(c, rows) + (kept.size > 0 ? GAP : 0);
    if (c.keep > 0 && need + add > width) continue;
    kept.add(c);
    need += add;
  }
  const chosen = columns.filter((c) => kept.has(c));
  const natural = chosen.map((c) => naturalWidth(c, rows));
  const widths = [...natural];
  let over = widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, chosen.length - 1) - width;
  const order = chosen.map((_, i) => i).sort((a, b) => chosen[a]!.give - chosen[b]!.give);
  for (const i of order) {
    if (over <= 0) break;
    const cut = Math.min(over, widths[i]! - minWidth(chosen[i]!, rows));
    if (cut > 0) {
      widths[i]! -= cut;
      over -= cut;
    }
  }
  return { columns: chosen, widths, natural };
}

export function titleRow<T>(f: Fitted<T>): string {
  return f.columns.map((c, i) => {
    const w = f.widths[i]!;
    const t = c.shortTitle && w < displayWidth(c.title) ? c.shortTitle : c.title;
    return padTo(t, w, c.align);
  }).join(' ');
}

/** One table row as one or more screen lines of the fitted width. */
export function rowLines<T>(f: Fitted<T>, row: T): string[] {
  const cells = f.columns.map((c, i) => {
    const w = f.widths[i]!;
    const v = c.compact && w < f.natural[i]! ? c.compact(row) : c.get(row);
    return Array.isArray(v) ? pack(v, w).map((l) => padTo(l, w, c.align)) : [padTo(v, w, c.align)];
  });
  const height = Math.max(1, ...cells.map((c) => c.length));
  const lines: string[] = [];
  for (let y = 0; y < height; y++) lines.push(cells.map((c, i) => c[y] ?? ' '.repeat(f.widths[i]!)).join(' '));
  return lines;
}
