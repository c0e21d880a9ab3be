import type { FindingRecord, Severity } from '../findings/finding.js';
import { SEVERITIES } from '../findings/finding.js';
import type { DashState, PathEntry } from './state.js';

/** One line of a pane: plain text (already free of control characters) and an optional colour. */
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

export function clip(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}

function pad(text: string, width: number): string {
  return clip(text, width).padEnd(width);
}

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

/** Header 2 rows, rates 3 rows, the rest split between paths (60%) and findings. */
export function layout(width: number, height: number): Layout {
  const header: Rect = { left: 0, top: 0, width, height: 2 };
  const rates: Rect = { left: 0, top: height - 3, width, height: 3 };
  const middle = height - header.height - rates.height;
  if (width >= 160) {
    const pathsWidth = Math.floor(width * 0.65);
    return { header, rates, paths: { left: 0, top: 2, width: pathsWidth, height: middle }, findings: { left: pathsWidth, top: 2, width: width - pathsWidth, height: middle } };
  }
  const pathsHeight = Math.max(4, Math.floor(middle * 0.6));
  return { header, rates, paths: { left: 0, top: 2, width, height: pathsHeight }, findings: { left: 0, top: 2 + pathsHeight, width, height: middle - pathsHeight } };
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

/** `minScreen`: the narrowest paths pane that still shows the column. */
interface Column { title: string; width: number; get: (e: PathEntry) => string; minScreen: number }

const COLUMNS: Column[] = [
  { title: 'PATH', width: 18, minScreen: 0, get: (e) => e.path },
  { title: 'CLIENT -> SERVER', width: 30, minScreen: 0, get: (e) => `${e.client} -> ${e.server}` },
  { title: 'PROTO', width: 7, minScreen: 70, get: (e) => e.proto },
  { title: 'TLS', width: 8, minScreen: 90, get: (e) => e.latest.tls?.version ?? '' },
  { title: 'CHAIN', width: 13, minScreen: 100, get: (e) => e.latest.tls?.validation ?? '' },
  { title: 'CLIENT AUTH', width: 12, minScreen: 112, get: (e) => (e.latest.tls?.client_auth ?? '') + (e.latest.tls?.client_auth_source === 'inferred' ? '*' : '') },
  { title: 'VERDICT', width: 10, minScreen: 0, get: (e) => e.verdict },
  { title: 'BYTES', width: 8, minScreen: 80, get: (e) => humanBytes(e.bytes) },
  { title: 'LAST SEEN', width: 9, minScreen: 125, get: (e) => e.lastSeen.slice(11, 19) },
];

/** The paths table as lines: a title row then one row per path, the selected one marked. */
export function pathsPane(s: DashState, rect: Rect): Line[] {
  const inner = rect.width - 2;
  const cols = COLUMNS.filter((c) => rect.width >= c.minScreen);
  const fixed = 1 + cols.reduce((n, c) => n + c.width + 1, 0);
  const stretch = Math.max(0, inner - fixed);
  const widthOf = (c: Column) => (c.title === 'CLIENT -> SERVER' ? c.width + stretch : c.width);
  const row = (cells: string[]) => cols.map((c, i) => pad(cells[i] ?? '', widthOf(c))).join(' ');
  const list = visiblePaths(s);
  const lines: Line[] = [{ text: clip(' ' + row(cols.map((c) => c.title)), inner), bold: true }];
  const room = Math.max(0, rect.height - 3);
  const first = Math.max(0, Math.min(s.selected - room + 1, list.length - room));
  for (const [i, e] of list.slice(first, first + room).entries()) {
    const marker = first + i === s.selected ? '>' : ' ';
    lines.push({ text: clip(marker + row(cols.map((c) => c.get(e))), inner), color: VERDICT_COLOR[e.verdict] });
  }
  if (list.length === 0) lines.push({ text: s.filter ? `no path matches "${s.filter}"` : 'waiting for connections…', color: 'gray' });
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

export function findingsPane(s: DashState, rect: Rect): Line[] {
  const inner = rect.width - 2;
  const list = visibleFindings(s);
  const lines: Line[] = [];
  for (const f of list.slice(0, Math.max(0, rect.height - 2))) {
    lines.push({ text: clip(`${f.severity.toUpperCase().padEnd(8)} ${f.rule} ${f.client.replace(/:\d+$/, '')} -> ${f.server} x${f.count}`, inner), color: SEV_COLOR[f.severity] });
  }
  if (list.length === 0) lines.push({ text: s.minSeverity ? `no finding at ${s.minSeverity} or above` : 'no findings yet', color: 'gray' });
  return lines;
}

export function headerLines(s: DashState, width: number): Line[] {
  const t = s.totals;
  const v = s.verdicts;
  const drops = t.kernelDrops + t.ifaceDrops;
  const first = `comms-watch  ${s.source}  ${s.paused ? '[PAUSED] ' : ''}packets ${t.packets}  ${humanBytes(t.bytes)}  connections ${t.connections}  drops ${drops}`;
  const filter = s.mode === 'filter' ? `  filter: ${s.filterDraft}_` : s.filter ? `  filter: ${s.filter}` : '';
  const sev = s.minSeverity ? `  severity >= ${s.minSeverity}` : '';
  const second = `secure ${v.secure}  unverified ${v.unverified}  insecure ${v.insecure}${sev}${filter}  ? help  q quit`;
  return [{ text: clip(first, width), bold: true, color: drops > 0 ? 'yellow' : undefined }, { text: clip(second, width) }];
}

export function ratesPane(s: DashState, rect: Rect): Line[] {
  const label = 16;
  const w = Math.max(0, rect.width - label - 1);
  const lastP = s.packetRate[s.packetRate.length - 1] ?? 0;
  const lastB = s.byteRate[s.byteRate.length - 1] ?? 0;
  return [
    { text: clip(`${`pkts/s ${lastP}`.padEnd(label)} ${sparkline(s.packetRate, w)}`, rect.width), color: 'cyan' },
    { text: clip(`${`bytes/s ${humanBytes(lastB)}`.padEnd(label)} ${sparkline(s.byteRate, w)}`, rect.width), color: 'cyan' },
    { text: clip(`drops: kernel ${s.totals.kernelDrops}  interface ${s.totals.ifaceDrops}${s.evicted ? `  paths evicted ${s.evicted}` : ''}`, rect.width), color: s.totals.kernelDrops + s.totals.ifaceDrops > 0 ? 'red' : 'gray' },
  ];
}

/** A path's detail: certificate chain, SSH algorithms, HTTP exchanges, rules raised with remediation. */
export function detailLines(s: DashState, e: PathEntry, width: number): Line[] {
  const l = e.latest;
  const out: Line[] = [{ text: clip(`${e.path}  ${e.client} -> ${e.server}  ${e.proto}  ${e.verdict}`, width), bold: true, color: VERDICT_COLOR[e.verdict] }];
  const add = (text: string, color?: Line['color']) => out.push({ text: clip(text, width), color });
  if (l.tls) {
    add(`TLS ${l.tls.version ?? '?'}  ${l.tls.cipher ?? ''}  sni ${l.tls.sni ?? '-'}  alpn ${l.tls.alpn ?? '-'}`);
    add(`chain ${l.tls.validation ?? '?'}  client auth ${l.tls.client_auth ?? '?'}${l.tls.client_auth_source === 'inferred' ? ' (inferred from record sizes)' : ''}`);
    for (const [i, c] of (l.tls.server_chain ?? []).entries()) add(`  server[${i}] ${c.subject}  <- ${c.issuer}  ${c.key ?? ''} until ${c.not_after ?? '?'}`);
    for (const [i, c] of (l.tls.client_chain ?? []).entries()) add(`  client[${i}] ${c.subject}`);
  }
  if (l.ssh) {
    add(`SSH ${l.ssh.client_banner ?? '?'} -> ${l.ssh.server_banner ?? '?'}`);
    add(`  kex ${l.ssh.kex ?? '?'}  host key ${l.ssh.host_key ?? '?'}  cipher ${l.ssh.cipher_c2s ?? '?'}  mac ${l.ssh.mac_c2s ?? '?'}`);
    if (l.ssh.weak?.length) add(`  weak: ${l.ssh.weak.join(', ')}`, 'red');
  }
  for (const x of (l.http ?? []).slice(0, 8)) add(`HTTP ${x.method ?? '?'} ${x.host ?? ''}${x.path ?? ''} -> ${x.status ?? '?'}${x.auth ? `  [${x.auth.kind} credential, ${x.auth.len} bytes]` : ''}`);
  const raised = [...s.findings.values()].filter((f) => e.rules.has(f.rule) && f.server === e.server);
  if (raised.length) out.push({ text: 'Findings', bold: true });
  for (const f of raised) {
    add(`${f.severity.toUpperCase()} ${f.rule} x${f.count}`, SEV_COLOR[f.severity]);
    add(`  fix: ${f.remediation}`);
  }
  add('Esc to go back', 'gray');
  return out;
}

export const HELP: Line[] = [
  { text: 'Keys', bold: true },
  { text: '  up/down   select a path' },
  { text: '  Enter     path detail: certificate chain, SSH algorithms, HTTP paths, rules and fixes' },
  { text: '  /         filter by text (path, address, SNI, certificate, rule); Esc clears' },
  { text: '  s         cycle the severity filter (critical, high, ..., all)' },
  { text: '  p         pause the view (capture and alerts go on)' },
  { text: '  q         quit (flushes JSON lines and the webhook spool)' },
  { text: '  ?         this help' },
  { text: 'A * after client auth means it was inferred from encrypted record sizes (TLS 1.3).', color: 'gray' },
];

/** The whole screen as `height` lines of at most `width` characters: what the views tests check. */
export function renderText(s: DashState, width: number, height: number): string[] {
  const screen: string[] = Array.from({ length: height }, () => ' '.repeat(width));
  const put = (rect: Rect, lines: Line[], title?: string) => {
    const boxed = title !== undefined;
    const top = boxed ? [{ text: `┌ ${title} `.padEnd(rect.width - 1, '─') + '┐' }] : [];
    const body = lines.slice(0, rect.height - (boxed ? 2 : 0)).map((l) => (boxed ? `│${pad(l.text, rect.width - 2)}│` : pad(l.text, rect.width)));
    while (boxed && body.length < rect.height - 2) body.push(`│${' '.repeat(rect.width - 2)}│`);
    const all = [...top.map((t) => t.text), ...body, ...(boxed ? ['└' + '─'.repeat(rect.width - 2) + '┘'] : [])];
    for (const [i, text] of all.entries()) {
      const y = rect.top + i;
      if (y >= height) break;
      const row = screen[y]!;
      screen[y] = row.slice(0, rect.left) + clip(text, rect.width).padEnd(rect.width) + row.slice(rect.left + rect.width);
    }
  };
  const L = layout(width, height);
  put(L.header, headerLines(s, width));
  const selected = visiblePaths(s)[s.selected];
  if (s.mode === 'help') put({ left: 0, top: 2, width, height: height - 2 }, HELP, 'help');
  else if (s.mode === 'detail' && selected) put({ left: 0, top: 2, width, height: height - 2 }, detailLines(s, selected, width - 2), 'path detail');
  else {
    put(L.paths, pathsPane(s, L.paths), 'paths');
    put(L.findings, findingsPane(s, L.findings), 'findings');
  }
  put(L.rates, ratesPane(s, L.rates));
  return screen.map((r) => r.slice(0, width));
}
