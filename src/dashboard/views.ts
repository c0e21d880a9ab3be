import type { FindingRecord, Severity } from '../findings/finding.js';
import { SEVERITIES } from '../findings/finding.js';
import { nodeReportLines } from '../outputs/node-record.js';
import { connectionOf, detailLines, findingSource } from './detail.js';
import type { DashState, PathEntry } from './state.js';
import { fit, rowLines, titleRow, type Column } from './table.js';
import { padTo, safeText, truncate, wrap } from './text.js';

/** One line of a pane: plain text (already through `safeText` and fitted to the pane) and an optional colour. */
export interface Line {
  text: string;
  color?: 'red' | 'yellow' | 'green' | 'cyan' | 'magenta' | 'gray' | 'white';
  bold?: boolean;
}

export interface Rect { left: number; top: number; width: number; height: number }

export interface Layout {
  header: Rect;
  paths: Rect;
  findings: Rect;
  rates: Rect;
}

const SEV_COLOR: Record<Severity, Line['color']> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'cyan', info: 'gray' };
const VERDICT_COLOR: Record<string, Line['color']> = { insecure: 'red', unverified: 'yellow', secure: 'green' };
const VERDICT_ORDER: Record<string, number> = { insecure: 0, unverified: 1, secure: 2 };

export function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)}${units[i]}`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** The newest `width` samples as bar characters, scaled to the largest shown. */
export function sparkline(values: number[], width: number): string {
  const shown = values.slice(-width);
  const max = Math.max(1, ...shown);
  return shown.map((v) => BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1)))]).join('').padStart(width);
}

/**
 * Header 2 rows, rates 3 rows, paths above findings, both full width: the tables size their
 * columns to their content, so side by side they would only cut addresses sooner.
 */
export function layout(width: number, height: number): Layout {
  const header: Rect = { left: 0, top: 0, width, height: 2 };
  const rates: Rect = { left: 0, top: Math.max(2, height - 3), width, height: 3 };
  const middle = Math.max(0, height - header.height - rates.height);
  const pathsHeight = Math.max(4, Math.ceil(middle / 2));
  return { header, rates, paths: { left: 0, top: 2, width, height: pathsHeight }, findings: { left: 0, top: 2 + pathsHeight, width, height: Math.max(0, middle - pathsHeight) } };
}

function matches(e: PathEntry, filter: string): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  const l = e.latest;
  return [e.path, e.client, e.server, e.proto, e.verdict, l.tls?.sni ?? '', l.tls?.server_chain?.[0]?.subject ?? '', ...e.rules].some((s) => s.toLowerCase().includes(f));
}

/** Paths shown in the table: text filter applied, worst verdict first, then most recent. */
export function visiblePaths(s: DashState): PathEntry[] {
  return [...s.paths.values()]
    .filter((e) => matches(e, s.filter))
    .sort((a, b) => (VERDICT_ORDER[a.verdict] ?? 3) - (VERDICT_ORDER[b.verdict] ?? 3) || (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0));
}

const hostOnly = (addr: string): string => addr.replace(/:\d+$/, '');

/** A wire string as the table shows it: disputed characters spelled out. */
const wire = (v: string | null | undefined): string => safeText(v ?? '');

const PATH_COLUMNS: Column<PathEntry>[] = [
  { title: 'PATH', get: (e) => e.path, min: 10, keep: 0, give: 3 },
  { title: 'CLIENT -> SERVER', get: (e) => [e.client, `-> ${e.server}`], keep: 0, give: 9 },
  { title: 'PROTO', get: (e) => e.proto, keep: 3, give: 9 },
  { title: 'TLS', get: (e) => e.latest.tls?.version ?? '', keep: 4, give: 9 },
  { title: 'CHAIN', get: (e) => e.latest.tls?.validation ?? '', min: 8, keep: 1, give: 4 },
  { title: 'CLIENT AUTH', get: (e) => (e.latest.tls?.client_auth ?? '') + (e.latest.tls?.client_auth_source === 'inferred' ? '*' : ''), min: 9, keep: 2, give: 4 },
  { title: 'VERDICT', get: (e) => e.verdict, keep: 0, give: 9 },
  { title: 'BYTES', get: (e) => humanBytes(e.bytes), keep: 5, give: 9, align: 'right' },
  { title: 'LAST SEEN', get: (e) => e.lastSeen.slice(11, 19), keep: 6, give: 9 },
  { title: 'SNI / SUBJECT', get: (e) => wire(e.latest.tls?.sni ?? e.latest.tls?.server_chain?.[0]?.subject), min: 12, keep: 7, give: 0, fill: true },
];

/** The first row to show: `selected` stays on screen, with as many rows above it as fit in `room` lines. */
function firstShown(heights: number[], selected: number, room: number): number {
  let first = Math.min(selected, Math.max(0, heights.length - 1));
  let used = heights[first] ?? 0;
  while (first > 0 && used + heights[first - 1]! <= room) used += heights[--first]!;
  return first;
}

/** The paths table as lines: a title row then one row (one or more lines) per path, the selected one marked. */
export function pathsPane(s: DashState, rect: Rect): Line[] {
  const inner = Math.max(0, rect.width - 2);
  const list = visiblePaths(s);
  const table = fit(PATH_COLUMNS, list, inner - 1);
  const lines: Line[] = [{ text: padTo(' ' + titleRow(table), inner), bold: true }];
  if (list.length === 0) {
    lines.push({ text: truncate(s.filter ? `no path matches "${safeText(s.filter)}"` : 'waiting for connections…', inner), color: 'gray' });
    return lines;
  }
  const room = Math.max(0, rect.height - 3);
  const rows = list.map((e) => rowLines(table, e));
  const first = firstShown(rows.map((r) => r.length), s.selected, room);
  for (let i = first; i < list.length; i++) {
    const row = rows[i]!;
    if (lines.length - 1 + row.length > room) break;
    for (const [y, text] of row.entries()) {
      const marker = y === 0 && i === s.selected ? '>' : ' ';
      lines.push({ text: padTo(marker + text, inner), color: VERDICT_COLOR[list[i]!.verdict] });
    }
  }
  return lines;
}

export function visibleFindings(s: DashState): FindingRecord[] {
  const min = s.minSeverity === null ? SEVERITIES.length - 1 : SEVERITIES.indexOf(s.minSeverity);
  const f = s.filter.toLowerCase();
  return [...s.findings.values()]
    .filter((x) => SEVERITIES.indexOf(x.severity) <= min)
    .filter((x) => !f || [x.rule, x.path, x.client, x.server].some((v) => v.toLowerCase().includes(f)))
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || (a.last_seen < b.last_seen ? 1 : -1));
}

const SEV_SHORT: Record<Severity, string> = { critical: 'CRIT', high: 'HIGH', medium: 'MED', low: 'LOW', info: 'INFO' };

/** Time since `iso` as the largest whole unit: 42s, 5m, 3h, 2d. */
export function age(iso: string, nowMs: number): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t) || nowMs <= 0) return '';
  const sec = Math.max(0, Math.floor((nowMs - t) / 1000));
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h`;
  return `${Math.floor(sec / 86400)}d`;
}

function findingColumns(s: DashState): Column<FindingRecord>[] {
  return [
    { title: 'SEVERITY', shortTitle: 'SEV', get: (f) => f.severity.toUpperCase(), compact: (f) => SEV_SHORT[f.severity], min: 4, keep: 0, give: 0 },
    { title: 'RULE', get: (f) => f.rule, min: 12, keep: 0, give: 1 },
    // The client is the finding's client ip (findings are per client ip); its port was only the first connection's.
    { title: 'CLIENT -> SERVER', get: (f) => [hostOnly(f.client), `-> ${f.server}`], keep: 0, give: 9 },
    { title: 'COUNT', get: (f) => `x${f.count}`, keep: 1, give: 9, align: 'right' },
    { title: 'AGE', get: (f) => age(f.last_seen, s.now), keep: 2, give: 9, align: 'right' },
    { title: 'SOURCE', get: (f) => findingSource(f, connectionOf(s, f)) ?? '', keep: 3, give: 9 },
    { title: 'PATH', get: (f) => f.path, min: 8, keep: 4, give: 2 },
  ];
}

/** The findings table: one row per finding, addresses never cut, low-priority columns dropped when narrow. */
export function findingsPane(s: DashState, rect: Rect): Line[] {
  const inner = Math.max(0, rect.width - 2);
  const list = visibleFindings(s);
  if (list.length === 0) return [{ text: truncate(s.minSeverity ? `no finding at ${s.minSeverity} or above` : 'no findings yet', inner), color: 'gray' }];
  const table = fit(findingColumns(s), list, inner);
  const lines: Line[] = [{ text: padTo(titleRow(table), inner), bold: true }];
  const room = Math.max(0, rect.height - 3);
  let shown = 0;
  for (const f of list) {
    const row = rowLines(table, f);
    const last = shown === list.length - 1;
    // Keep a line for the "more" note unless this is the last finding.
    if (lines.length - 1 + row.length > room - (last ? 0 : 1)) break;
    for (const text of row) lines.push({ text: padTo(text, inner), color: SEV_COLOR[f.severity] });
    shown++;
  }
  if (shown < list.length) lines.push({ text: truncate(`+${list.length - shown} more (s: severity filter, /: text filter)`, inner), color: 'gray' });
  return lines;
}

export function headerLines(s: DashState, width: number): Line[] {
  const t = s.totals;
  const v = s.verdicts;
  const drops = t.kernelDrops + t.ifaceDrops;
  const first = `comms-watch  ${safeText(s.source)}  ${s.paused ? '[PAUSED] ' : ''}packets ${t.packets}  ${humanBytes(t.bytes)}  connections ${t.connections}  drops ${drops}`;
  const filter = s.mode === 'filter' ? `  filter: ${safeText(s.filterDraft)}_` : s.filter ? `  filter: ${safeText(s.filter)}` : '';
  const sev = s.minSeverity ? `  severity >= ${s.minSeverity}` : '';
  const n = s.node;
  const node = n ? `  node: ${safeText(n.layout)} ${n.control_plane ? 'control plane' : 'worker'} (n)` : '';
  const second = `secure ${v.secure}  unverified ${v.unverified}  insecure ${v.insecure}${node}${sev}${filter}  ? help  q quit`;
  return [{ text: truncate(first, width), bold: true, color: drops > 0 ? 'yellow' : undefined }, { text: truncate(second, width) }];
}

export function ratesPane(s: DashState, rect: Rect): Line[] {
  const label = 16;
  const w = Math.max(0, rect.width - label - 1);
  const lastP = s.packetRate[s.packetRate.length - 1] ?? 0;
  const lastB = s.byteRate[s.byteRate.length - 1] ?? 0;
  return [
    { text: truncate(`${`pkts/s ${lastP}`.padEnd(label)} ${sparkline(s.packetRate, w)}`, rect.width), color: 'cyan' },
    { text: truncate(`${`bytes/s ${humanBytes(lastB)}`.padEnd(label)} ${sparkline(s.byteRate, w)}`, rect.width), color: 'cyan' },
    statusLine(s, rect.width),
  ];
}

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

/** Drops, evictions and the daemon's latest note (what it would have said on stderr, which the screen owns). */
export function statusLine(s: DashState, width: number): Line {
  const t = s.totals;
  const note = s.note;
  const text = `drops: kernel ${t.kernelDrops}  interface ${t.ifaceDrops}${s.evicted ? `  paths evicted ${s.evicted}` : ''}${note ? `  | ${clock(note.at)} ${safeText(note.text)}` : ''}`;
  return { text: truncate(text, width), color: t.kernelDrops + t.ifaceDrops > 0 ? 'red' : note ? 'white' : 'gray' };
}

export const HELP: Line[] = [
  { text: 'Keys', bold: true },
  { text: '  up/down   select a path (in the detail and node views: scroll)' },
  { text: '  PgUp/PgDn a page at a time' },
  { text: '  Enter     path detail: what each answer rests on, certificate chain, SSH algorithms, HTTP paths, rules and fixes' },
  { text: '  n         this node: what its files say (kubelet configuration and serving certificate, static pods), re-read on SIGHUP' },
  { text: '  /         filter by text (path, address, SNI, certificate, rule); Esc clears' },
  { text: '  s         cycle the severity filter (critical, high, ..., all)' },
  { text: '  p         pause the view (capture and alerts go on)' },
  { text: '  q         quit (flushes JSON lines and the webhook spool)' },
  { text: '  ?         this help' },
  { text: 'A * after client auth means it was inferred from encrypted record sizes (TLS 1.3).', color: 'gray' },
  { text: 'Sources: observed = seen in the clear; decrypted = seen with a key log; inferred = deduced from encrypted record sizes; node-files = read from this node; probe = asked of the server (--probe).', color: 'gray' },
];

/** Help lines wrapped to `width` at word boundaries, each keeping its colour. */
export function helpLines(width: number): Line[] {
  return HELP.flatMap((l) => wrap(l.text, width, l.text.startsWith('  ') ? 12 : 2).map((text) => ({ ...l, text })));
}

/** The node view: the report's "This node" lines (wire-free, but file paths and subjects are still made safe), wrapped. */
export function nodeLines(s: DashState, width: number): Line[] {
  if (s.node === null) return [{ text: truncate('no node files read (--no-from-node, or no kubelet, apiserver or etcd files under the node root)', width), color: 'gray' }];
  const head: Line = { text: truncate(`${safeText(s.node.root)}: read ${s.node.files.read.length} files, ${s.node.files.missing.length} missing`, width), bold: true };
  return [head, ...nodeReportLines(s.node, safeText).flatMap((l) => wrap(l.trimStart(), width, 2).map((text) => ({ text })))];
}

/** The lines of the scrolling view the state has open (path detail or node), or null. */
function scrolledLines(s: DashState, inner: number): { label: string; all: Line[] } | null {
  if (s.mode === 'node') return { label: 'this node', all: nodeLines(s, inner) };
  const selected = visiblePaths(s)[s.selected];
  if (s.mode !== 'detail' || !selected) return null;
  return { label: 'path detail', all: detailLines(s, selected, inner) };
}

/** The overlay (help, path detail or node) for the state, if one is open: its label and the lines shown from the scroll offset. */
export function overlay(s: DashState, width: number, height: number): { label: string; lines: Line[] } | null {
  const inner = Math.max(0, width - 2);
  const room = Math.max(0, height - 2);
  if (s.mode === 'help') return { label: 'help', lines: helpLines(inner).slice(0, room) };
  const open = scrolledLines(s, inner);
  if (open === null) return null;
  const all = open.all;
  const scroll = Math.max(0, Math.min(s.detailScroll, all.length - room));
  const shown = all.slice(scroll, scroll + room);
  if (scroll + room < all.length && shown.length > 0) shown[shown.length - 1] = { text: truncate(`… ${all.length - scroll - room + 1} more lines: down or PgDn to scroll, Esc to go back`, inner), color: 'gray' };
  return { label: open.label, lines: shown };
}

/** Where help, path detail and node views open: over the tables and rates, leaving the status line (the daemon's notes) in sight. */
export function overlayRect(width: number, height: number): Rect {
  return { left: 0, top: 2, width, height: Math.max(0, height - 3) };
}

/** How far the open detail or node view can scroll at this screen size (the reducer's bound for down). */
export function detailScrollMax(s: DashState, width: number, height: number): number {
  const open = scrolledLines(s, Math.max(0, width - 2));
  if (open === null) return 0;
  return Math.max(0, open.all.length - Math.max(0, overlayRect(width, height).height - 2));
}

/** The whole screen as `height` lines of exactly `width` columns: what the views tests check. */
export function renderText(s: DashState, width: number, height: number): string[] {
  const screen: string[] = Array.from({ length: height }, () => ' '.repeat(width));
  // Every pane spans the full width, so a pane's line is a whole screen row.
  const put = (rect: Rect, lines: Line[], title?: string) => {
    const boxed = title !== undefined;
    const inner = rect.width - (boxed ? 2 : 0);
    const body = lines.slice(0, rect.height - (boxed ? 2 : 0)).map((l) => (boxed ? `│${padTo(l.text, inner)}│` : padTo(l.text, inner)));
    while (boxed && body.length < rect.height - 2) body.push(`│${' '.repeat(inner)}│`);
    const all = boxed ? [padTo(`┌ ${title} `, rect.width - 1).replace(/ +$/, (m) => '─'.repeat(m.length)) + '┐', ...body, '└' + '─'.repeat(inner) + '┘'] : body;
    for (const [i, text] of all.entries()) {
      const y = rect.top + i;
      if (y < height) screen[y] = padTo(text, width);
    }
  };
  const L = layout(width, height);
  put(L.header, headerLines(s, width));
  const rect = overlayRect(width, height);
  const over = overlay(s, width, rect.height);
  if (over) {
    put(rect, over.lines, over.label);
    put({ ...L.rates, top: height - 1, height: 1 }, [statusLine(s, width)]);
  } else {
    put(L.paths, pathsPane(s, L.paths), 'paths');
    put(L.findings, findingsPane(s, L.findings), 'findings');
    put(L.rates, ratesPane(s, L.rates));
  }
  return screen;
}
