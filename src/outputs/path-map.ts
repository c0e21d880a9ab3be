import { html, type Html } from './html-escape.js';
import { VERDICT_RANK, hostOf, portOf, type HostRole, type MapEdge, type PathCollector } from './path-collector.js';

/**
 * The path map as an inline SVG. Hosts stand side by side as boxes in their groups (control
 * plane, nodes, pods, other), each with a life line; every observed path is one horizontal
 * arrow from client to server on its own row, so that labels never overlap however many paths
 * two hosts share.
 */

const GROUP_TITLE: Record<HostRole, string> = { 'control-plane': 'Control plane', node: 'Nodes', pod: 'Pods and services', other: 'Other hosts' };
const ROLE_WORD: Record<HostRole, string> = { 'control-plane': 'control plane', node: 'node', pod: 'pod / service', other: 'host' };
const ROLE_ORDER: HostRole[] = ['control-plane', 'node', 'pod', 'other'];
/** Columns per group before the rest are drawn as one "N more" box. */
const MAX_HOSTS: Record<HostRole, number> = { 'control-plane': 5, node: 6, pod: 4, other: 3 };
const MAX_ROWS = 40;

/** The order of the Kubernetes page: node to control plane, control plane to node, inside the control plane. */
const PATH_ORDER = ['node-apiserver', 'pod-apiserver', 'konnectivity-agent', 'apiserver-kubelet', 'kubelet-readonly', 'apiserver-proxy', 'ssh-tunnel', 'konnectivity-server', 'controlplane-apiserver', 'etcd', 'other'];

const COL_W = 210;
const MARGIN = 24;
const BOX_TOP = 44;
const BOX_H = 50;
const ROW_TOP = BOX_TOP + BOX_H + 46;
const ROW_H = 46;

interface Column {
  key: string;
  role: HostRole;
  /** IP address, or "N more" for the overflow box. */
  title: string;
  x: number;
}

export const VERDICTS = ['insecure', 'unverified', 'secure'] as const;
export const verdictClass = (v: string) => (VERDICT_RANK[v] === undefined ? 'unknown' : v);

function compareHosts(a: string, b: string): number {
  const num = (h: string) => h.split(/[.:]/).map((p) => p.padStart(5, '0')).join('.');
  return num(a) < num(b) ? -1 : num(a) > num(b) ? 1 : 0;
}

function columns(hosts: string[], roleOf: (h: string) => HostRole): { cols: Column[]; colOf: Map<string, Column> } {
  const cols: Column[] = [];
  const colOf = new Map<string, Column>();
  for (const role of ROLE_ORDER) {
    const mine = hosts.filter((h) => roleOf(h) === role).sort(compareHosts);
    const max = MAX_HOSTS[role];
    const shown = mine.length > max ? mine.slice(0, max - 1) : mine;
    for (const h of shown) {
      const c: Column = { key: h, role, title: h, x: 0 };
      cols.push(c);
      colOf.set(h, c);
    }
    if (shown.length < mine.length) {
      const rest: Column = { key: `more-${role}`, role, title: `${mine.length - shown.length} more`, x: 0 };
      cols.push(rest);
      for (const h of mine.slice(shown.length)) colOf.set(h, rest);
    }
  }
  cols.forEach((c, i) => (c.x = MARGIN + COL_W / 2 + i * COL_W));
  return { cols, colOf };
}

interface Row {
  edge: MapEdge;
  from: Column;
  to: Column;
  count: number;
  servers: number;
}

/** Edges whose ends fall into the same boxes (an overflow box) become one row, worst verdict first. */
function rows(edges: MapEdge[], colOf: Map<string, Column>): Row[] {
  const byKey = new Map<string, Row>();
  const sorted = [...edges].sort((a, b) => (VERDICT_RANK[a.verdict] ?? 3) - (VERDICT_RANK[b.verdict] ?? 3));
  for (const e of sorted) {
    const from = colOf.get(e.client)!;
    const to = colOf.get(hostOf(e.server))!;
    const key = `${e.path}|${from.key}|${to.key}`;
    const r = byKey.get(key);
    if (r) {
      r.count += e.count;
      r.servers++;
    } else {
      byKey.set(key, { edge: e, from, to, count: e.count, servers: 1 });
    }
  }
  const order = (p: string) => (PATH_ORDER.indexOf(p) + 1 || PATH_ORDER.length + 1);
  return [...byKey.values()].sort((a, b) => order(a.edge.path) - order(b.edge.path) || a.from.x - b.from.x || a.to.x - b.to.x);
}

function groupFrames(cols: Column[], height: number): Html[] {
  const out: Html[] = [];
  for (const role of ROLE_ORDER) {
    const mine = cols.filter((c) => c.role === role);
    if (mine.length === 0) continue;
    const x = mine[0]!.x - COL_W / 2 + 6;
    const w = mine.length * COL_W - 12;
    out.push(html`<g class="group group-${role}"><rect x="${x}" y="8" width="${w}" height="${height - 16}" rx="12"/><text x="${x + 14}" y="30" class="group-title">${GROUP_TITLE[role]}</text></g>`);
  }
  return out;
}

/** A long IPv6 address is squeezed into its box rather than spilling over the next one. */
function fitted(name: string): Html {
  return name.length > 19 ? html` textLength="${COL_W - 52}" lengthAdjust="spacingAndGlyphs"` : html``;
}

function hostBox(c: Column, bottom: number): Html {
  const x = c.x - COL_W / 2 + 20;
  return html`<g class="host host-${c.role}" data-host="${c.title}"><line class="lifeline" x1="${c.x}" y1="${BOX_TOP + BOX_H}" x2="${c.x}" y2="${bottom}"/><rect x="${x}" y="${BOX_TOP}" width="${COL_W - 40}" height="${BOX_H}" rx="6"/><text x="${c.x}" y="${BOX_TOP + 20}" class="host-role">${ROLE_WORD[c.role]}</text><text x="${c.x}" y="${BOX_TOP + 39}" class="host-name"${fitted(c.title)}>${c.title}</text></g>`;
}

function arrow(r: Row, y: number): Html {
  const e = r.edge;
  const v = verdictClass(e.verdict);
  const port = r.servers > 1 ? `${r.servers} servers` : `:${portOf(e.server)}`;
  const times = r.count > 1 ? ` ×${r.count}` : '';
  const tip = `${e.path}: ${e.client} → ${e.server}, ${r.count} connection${r.count === 1 ? '' : 's'}, ${e.verdict}`;
  const loop = r.from === r.to;
  const dir = r.to.x > r.from.x ? 1 : -1;
  // Both ends in one box (a host talking to itself, or two hosts of one overflow box): a loop.
  const shape = loop ? `M ${r.from.x} ${y - 6} h 46 v 14 h -40` : `M ${r.from.x} ${y} H ${r.to.x - dir * 8}`;
  const labelX = loop ? r.from.x + 54 : (r.from.x + r.to.x) / 2;
  const label = html`<text class="edge-label" x="${labelX}" y="${y - 9}" text-anchor="${loop ? 'start' : 'middle'}"><tspan class="edge-path">${e.path}</tspan> ${e.label} ${port}${times} · <tspan class="edge-verdict">${e.verdict}</tspan></text>`;
  return html`<a href="#path-${e.detail}"><g class="edge verdict-${v}" data-path="${e.path}" data-client="${e.client}" data-server="${e.server}" data-verdict="${e.verdict}" data-label="${e.label}"><title>${tip}</title><circle cx="${r.from.x}" cy="${loop ? y - 6 : y}" r="4"/><path d="${shape}" marker-end="url(#arrow-${v})"/>${label}</g></a>`;
}

export function renderPathMap(paths: PathCollector): Html {
  const edges = paths.mapEdges();
  if (edges.length === 0) return html`<p class="empty">No connection was seen.</p>`;
  const hosts = new Set<string>();
  for (const e of edges) {
    hosts.add(e.client);
    hosts.add(hostOf(e.server));
  }
  const { cols, colOf } = columns([...hosts], (h) => paths.roleOf(h));
  const all = rows(edges, colOf);
  const shown = all.slice(0, MAX_ROWS);
  const bottom = ROW_TOP + shown.length * ROW_H - 10;
  const height = bottom + 24;
  const width = Math.max(760, cols.length * COL_W + 2 * MARGIN);
  const markers = ['secure', 'unverified', 'insecure', 'unknown'].map((v) => html`<marker id="arrow-${v}" class="marker-${v}" viewBox="0 0 10 10" refX="2" refY="5" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z"/></marker>`);
  const more = all.length > shown.length ? html`<p class="note">${all.length - shown.length} more paths are not drawn; the detail section lists them all.</p>` : '';
  return html`<svg class="path-map" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Observed communication paths between the control plane and the nodes"><defs>${markers}</defs>${groupFrames(cols, height)}${cols.map((c) => hostBox(c, bottom))}${shown.map((r, i) => arrow(r, ROW_TOP + i * ROW_H))}</svg>${more}`;
}
