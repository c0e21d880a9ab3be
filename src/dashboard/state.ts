import type { FindingRecord, Severity } from '../findings/finding.js';
import { SEVERITIES } from '../findings/finding.js';
import type { NodeRecord } from '../outputs/node-record.js';

/** The parts of a SPEC `connection` record the dashboard keeps. */
export interface DashConnection {
  path: string;
  client: string;
  server: string;
  proto: string;
  verdict: string;
  start?: string;
  end?: string;
  bytes?: { client: number; server: number } | [number, number];
  tls?: {
    version?: string | null;
    cipher?: string | null;
    sni?: string | null;
    alpn?: string | null;
    validation?: string | null;
    client_auth?: string | null;
    client_auth_source?: string;
    server_chain?: { subject: string; issuer: string; not_after?: string; key?: string }[] | null;
    client_chain?: { subject: string; issuer?: string }[] | null;
    /** What a probe of the server learned (`--probe`). */
    probe?: {
      chain: { subject: string; issuer: string; not_after?: string; key?: string }[] | null;
      validation: string;
      certificate_request: boolean | null;
      ca_names: string[];
      versions: Record<string, boolean | null>;
      anonymous_status: number | null;
      client_cert_required?: boolean;
      probed_at?: string;
      problem?: string | null;
    };
  } | null;
  ssh?: { client_banner?: string | null; server_banner?: string | null; kex?: string | null; host_key?: string | null; cipher_c2s?: string | null; mac_c2s?: string | null; weak?: string[] } | null;
  http?: { method: string | null; host?: string | null; path: string | null; status: number | null; auth?: { kind: string; len: number } | null }[] | null;
}

export interface PathEntry {
  key: string;
  path: string;
  client: string;
  server: string;
  proto: string;
  verdict: string;
  connections: number;
  bytes: number;
  lastSeen: string;
  latest: DashConnection;
  rules: Set<string>;
}

export interface Totals {
  packets: number;
  bytes: number;
  kernelDrops: number;
  ifaceDrops: number;
  connections: number;
}

export type Mode = 'main' | 'detail' | 'node' | 'help' | 'filter';

export interface DashState {
  paths: Map<string, PathEntry>;
  findings: Map<string, FindingRecord>;
  totals: Totals;
  /** Per-second samples, newest last, capped. */
  packetRate: number[];
  byteRate: number[];
  verdicts: { secure: number; unverified: number; insecure: number };
  paused: boolean;
  /** Show findings at or above this severity; null = all. */
  minSeverity: Severity | null;
  filter: string;
  filterDraft: string;
  selected: number;
  mode: Mode;
  source: string;
  /** Entries dropped because the path table was full. */
  evicted: number;
  /** Wall clock of the last tick (ms), for the findings' ages; 0 before the first. */
  now: number;
  /** First line of the detail view (path or node) shown. */
  detailScroll: number;
  /** What this node's files say: the latest `node` record (at start, then on each SIGHUP). */
  node: NodeRecord | null;
  /** The latest thing the daemon said while the screen was its terminal (a reload, capture trouble). */
  note: { at: number; text: string } | null;
}

export const MAX_PATHS = 5000;
export const MAX_FINDINGS = 5000;
export const RATE_SAMPLES = 120;

export type DashEvent =
  | { kind: 'connection'; record: DashConnection }
  | { kind: 'finding'; record: FindingRecord }
  | { kind: 'node'; record: NodeRecord }
  | { kind: 'note'; text: string; at: number }
  | { kind: 'tick'; totals: Totals; now?: number }
  /** `page`: lines a PageUp / PageDown moves the open view by. */
  | { kind: 'key'; key: string; page?: number };

export function initialState(source: string): DashState {
  return {
    paths: new Map(),
    findings: new Map(),
    totals: { packets: 0, bytes: 0, kernelDrops: 0, ifaceDrops: 0, connections: 0 },
    packetRate: [],
    byteRate: [],
    verdicts: { secure: 0, unverified: 0, insecure: 0 },
    paused: false,
    minSeverity: null,
    filter: '',
    filterDraft: '',
    selected: 0,
    mode: 'main',
    source,
    evicted: 0,
    now: 0,
    detailScroll: 0,
    node: null,
    note: null,
  };
}

const hostOf = (addr: string): string => addr.replace(/:\d+$/, '');

function connBytes(r: DashConnection): number {
  const b = r.bytes;
  if (!b) return 0;
  return Array.isArray(b) ? b[0] + b[1] : b.client + b.server;
}

function addConnection(s: DashState, r: DashConnection): void {
  const key = `${r.path}|${hostOf(r.client)}|${r.server}`;
  let e = s.paths.get(key);
  if (!e) {
    if (s.paths.size >= MAX_PATHS) {
      const oldest = s.paths.keys().next().value;
      if (oldest !== undefined) s.paths.delete(oldest);
      s.evicted++;
    }
    e = { key, path: r.path, client: hostOf(r.client), server: r.server, proto: r.proto, verdict: r.verdict, connections: 0, bytes: 0, lastSeen: '', latest: r, rules: new Set() };
  } else {
    s.paths.delete(key);
  }
  // Re-inserting keeps the Map in least-recently-seen order, which eviction relies on.
  s.paths.set(key, e);
  e.connections++;
  e.bytes += connBytes(r);
  e.verdict = r.verdict;
  e.proto = r.proto;
  e.latest = r;
  e.lastSeen = r.end ?? r.start ?? e.lastSeen;
  s.totals.connections++;
  if (r.verdict === 'secure' || r.verdict === 'unverified' || r.verdict === 'insecure') s.verdicts[r.verdict]++;
}

function addFinding(s: DashState, f: FindingRecord): void {
  if (!s.findings.has(f.id) && s.findings.size >= MAX_FINDINGS) {
    const oldest = s.findings.keys().next().value;
    if (oldest !== undefined) s.findings.delete(oldest);
  }
  s.findings.set(f.id, f);
  for (const e of s.paths.values()) {
    if (e.path === f.path && e.server === f.server && e.client === hostOf(f.client)) e.rules.add(f.rule);
  }
}

function pushRate(list: number[], v: number): void {
  list.push(v);
  if (list.length > RATE_SAMPLES) list.shift();
}

function onKey(s: DashState, key: string, visibleRows: number, page: number): void {
  if (s.mode === 'filter') {
    if (key === 'enter') { s.filter = s.filterDraft; s.mode = 'main'; s.selected = 0; }
    else if (key === 'escape') { s.filterDraft = s.filter; s.mode = 'main'; }
    else if (key === 'backspace') s.filterDraft = s.filterDraft.slice(0, -1);
    else if (key.length === 1 && s.filterDraft.length < 64) s.filterDraft += key;
    return;
  }
  if (s.mode === 'help' || s.mode === 'detail' || s.mode === 'node') {
    const scrolls = s.mode !== 'help';
    if (key === 'escape' || key === 'q' || key === 'enter' || key === '?' || (key === 'n' && s.mode === 'node')) s.mode = 'main';
    // In the detail and node views `visibleRows` is how far they can scroll.
    else if (scrolls && key === 'down') s.detailScroll = Math.min(visibleRows, s.detailScroll + 1);
    else if (scrolls && key === 'up') s.detailScroll = Math.max(0, s.detailScroll - 1);
    else if (scrolls && key === 'pagedown') s.detailScroll = Math.min(visibleRows, s.detailScroll + page);
    else if (scrolls && key === 'pageup') s.detailScroll = Math.max(0, s.detailScroll - page);
    return;
  }
  switch (key) {
    case 'p': s.paused = !s.paused; break;
    case 's': {
      const i = s.minSeverity === null ? -1 : SEVERITIES.indexOf(s.minSeverity);
      // Cycles all -> critical -> high -> ... -> info -> all, widening one step each press.
      s.minSeverity = i + 1 < SEVERITIES.length ? SEVERITIES[i + 1]! : null;
      break;
    }
    case '/': s.mode = 'filter'; s.filterDraft = s.filter; break;
    case '?': s.mode = 'help'; break;
    case 'up': s.selected = Math.max(0, s.selected - 1); break;
    case 'down': s.selected = Math.min(Math.max(0, visibleRows - 1), s.selected + 1); break;
    case 'enter': if (visibleRows > 0) { s.mode = 'detail'; s.detailScroll = 0; } break;
    case 'n': s.mode = 'node'; s.detailScroll = 0; break;
    case 'pagedown': s.selected = Math.min(Math.max(0, visibleRows - 1), s.selected + page); break;
    case 'pageup': s.selected = Math.max(0, s.selected - page); break;
    case 'escape': s.filter = ''; s.filterDraft = ''; break;
  }
}

/**
 * Folds one event into the state. Records keep arriving while paused (nothing is lost);
 * only the view is frozen by the screen adapter.
 */
/** `visibleRows`: rows of the paths table, or in the detail view how far it can scroll. */
export function reduce(s: DashState, ev: DashEvent, visibleRows = Number.MAX_SAFE_INTEGER): DashState {
  switch (ev.kind) {
    case 'connection': addConnection(s, ev.record); break;
    case 'finding': addFinding(s, ev.record); break;
    case 'node': s.node = ev.record; break;
    case 'note': s.note = { at: ev.at, text: ev.text }; break;
    case 'tick': {
      const prev = s.totals;
      pushRate(s.packetRate, Math.max(0, ev.totals.packets - prev.packets));
      pushRate(s.byteRate, Math.max(0, ev.totals.bytes - prev.bytes));
      s.totals = { ...ev.totals, connections: prev.connections };
      if (ev.now !== undefined) s.now = ev.now;
      break;
    }
    case 'key': onKey(s, ev.key, visibleRows, Math.max(1, ev.page ?? 10)); break;
  }
  return s;
}
