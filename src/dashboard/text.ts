/**
 * Terminal text by display width (columns), not by UTF-16 length: a CJK character takes two
 * columns, and nothing is ever cut inside a character.
 *
 * Which characters take two columns is where terminals and blessed can disagree, and a single
 * disagreement shifts every border after it. So `safeText` lets through only characters whose
 * width every party agrees on (blessed's wide table is Markus Kuhn's wcwidth, which tmux and
 * glibc share for assigned characters), and spells everything else as `\u{...}` text.
 */

/** Kuhn's wcwidth double-width ranges, as blessed's `unicode.chars.all` uses them. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3040, 0xa4cf], [0xac00, 0xd7a3], [0xf900, 0xfaff],
  [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  for (const [lo, hi] of WIDE) if (cp >= lo && cp <= hi) return true;
  return false;
}

/**
 * Controls, format characters (bidi overrides, zero-width joiners, soft hyphen), combining
 * marks, separators, private use, unassigned code points, surrogates, emoji, Hangul medial
 * jamo (zero width), astral characters outside the CJK planes (blessed counts every
 * surrogate pair as two columns), and U+FFFD: bytes that did not decode are named, so that a
 * replacement character on screen can only mean a rendering fault.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{M}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\p{Extended_Pictographic}\u1160-\u11ff\ufffd]/u;

function unsafe(ch: string, cp: number): boolean {
  if (cp >= 0x20 && cp < 0x7f) return false;
  if (cp > 0xffff && !(cp >= 0x20000 && cp <= 0x3fffd)) return true;
  return UNSAFE.test(ch);
}

/** `s` with every character whose width is disputed (or that a terminal would act on) spelled `\u{hex}`. */
export function safeText(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) { plain = false; break; }
  }
  if (plain) return s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += unsafe(ch, cp) ? `\\u{${cp.toString(16)}}` : ch;
  }
  return out;
}

/** Columns one character of `safeText` output takes. */
export function charWidth(ch: string): number {
  return isWide(ch.codePointAt(0)!) ? 2 : 1;
}

/** Columns `s` takes once printed (assumes `safeText` output). */
export function displayWidth(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x1100) { n++; continue; }
    // Only the CJK planes' pairs survive safeText, and they are all wide.
    if (c >= 0xd800 && c <= 0xdbff) { n += 2; i++; continue; }
    n += isWide(c) ? 2 : 1;
  }
  return n;
}

/** The longest prefix of `s` that fits in `width` columns, cut between characters. */
function fitPrefix(s: string, width: number): string {
  let w = 0;
  let i = 0;
  for (const ch of s) {
    const cw = charWidth(ch);
    if (w + cw > width) break;
    w += cw;
    i += ch.length;
  }
  return s.slice(0, i);
}

/** `s` cut to `width` columns, ending in `…` when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(s) <= width) return s;
  return fitPrefix(s, width - 1) + '…';
}

/** `s` truncated and then padded with spaces to exactly `width` columns. */
export function padTo(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(s, width);
  const fill = ' '.repeat(Math.max(0, width - displayWidth(t)));
  return align === 'right' ? fill + t : t + fill;
}

/**
 * `s` as lines of at most `width` columns, broken at spaces; a word wider than a line is
 * broken between characters. The first line keeps its leading spaces and every line its
 * inner runs of spaces (aligned columns stay aligned); continuation lines start with `hang`
 * spaces instead.
 */
export function wrap(s: string, width: number, hang = 0): string[] {
  if (width <= 0) return [];
  const indent = ' '.repeat(Math.min(hang, Math.max(0, width - 1)));
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  const room = () => width - (lines.length === 0 ? 0 : indent.length);
  const flush = () => {
    lines.push((lines.length === 0 ? '' : indent) + line);
    line = '';
    lineWidth = 0;
  };
  for (const token of s.match(/ *[^ ]+/g) ?? []) {
    let piece = line === '' && lines.length > 0 ? token.trimStart() : token;
    let w = displayWidth(piece);
    if (line !== '' && lineWidth + w <= room()) {
      line += piece;
      lineWidth += w;
      continue;
    }
    if (line !== '') {
      flush();
      piece = token.trimStart();
      w = displayWidth(piece);
    }
    while (w > room()) {
      const head = fitPrefix(piece, room());
      // A wide character on a one-column line cannot be placed at all; never loop on it.
      if (head === '') return lines;
      line = head;
      flush();
      piece = piece.slice(head.length);
      w = displayWidth(piece);
    }
    line = piece;
    lineWidth = w;
  }
  if (line !== '' || lines.length === 0) flush();
  return lines;
}

/**
 * Atomic parts (e.g. addresses) packed onto as few lines of `width` columns as they fit,
 * never cutting a part; a part wider than a whole line is the only thing broken.
 */
export function pack(parts: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const p of parts) {
    if (line !== '' && displayWidth(line) + 1 + displayWidth(p) <= width) line += ' ' + p;
    else {
      if (line !== '') lines.push(line);
      line = p;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines.flatMap((l) => (displayWidth(l) <= width ? [l] : wrap(l, width)));
}
