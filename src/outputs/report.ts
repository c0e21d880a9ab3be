import type { FindingRecord, Severity } from '../findings/finding.js';
import { SEVERITIES } from '../findings/finding.js';
import { nodeReportLines, type NodeRecord } from './node-record.js';
import { probeReportLines } from './probe-record.js';

/** The parts of a SPEC `connection` record the report reads. */
export interface ReportConnection {
  path: string;
  client: string;
  server: string;
  proto: string;
  verdict: string;
  tls?: { version?: string | null; validation?: string | null; client_auth?: string | null; client_auth_source?: string; sni?: string | null; server_chain?: { subject: string }[] | null } | null;
  ssh?: { kex?: string | null; cipher_c2s?: string | null; weak?: string[] } | null;
  http?: { method: string | null; path: string | null; status: number | null; auth?: { kind: string } | null }[] | null;
  connect?: { authority: string; status: number | null } | null;
  carried?: { path: string; server: string; verdict: string } | null;
}

export interface ReportSummary {
  files: string[];
  packets: number;
  damage: { file: string; offset: number; message: string } | null;
  /** What this node's files say (`--from-node`). */
  node?: NodeRecord | null;
  /** `probe` records (`--probe`), shown with what each learned. */
  probes?: Record<string, unknown>[];
}

export interface ReportStyle {
  color: boolean;
  width: number;
  /** Strips terminal control characters from wire-derived strings. */
  clean: (s: string) => string;
}

/** Groups as the Kubernetes page "Communication between Nodes and the Control Plane" does. */
const GROUPS: { title: string; paths: string[] }[] = [
  { title: 'Node to control plane', paths: ['node-apiserver', 'pod-apiserver', 'konnectivity-agent'] },
  { title: 'Control plane to node', paths: ['apiserver-kubelet', 'kubelet-readonly', 'apiserver-proxy', 'ssh-tunnel', 'konnectivity-server'] },
  { title: 'Inside the control plane', paths: ['controlplane-apiserver', 'etcd'] },
  { title: 'Other traffic', paths: ['other'] },
];

const SEV_COLOR: Record<Severity, string> = { critical: '1;31', high: '31', medium: '33', low: '36', info: '2' };
const VERDICT_COLOR: Record<string, string> = { insecure: '31', unverified: '33', secure: '32' };
const VERDICT_RANK: Record<string, number> = { insecure: 0, unverified: 1, secure: 2 };

function paint(style: ReportStyle, code: string | undefined, text: string): string {
  return style.color && code ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Greedy word wrap: remediation text is read, not scanned, so it is wrapped rather than cut. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}

function evidenceLine(c: ReportConnection, clean: (s: string) => string): string {
  const parts: string[] = [c.proto];
  // What a tunnel carried is judged on its own; shown first so a narrow terminal still shows it.
  if (c.carried) parts.push(`carries ${c.carried.path} to ${clean(c.carried.server)}: ${c.carried.verdict}`);
  if (c.tls) {
    if (c.tls.version) parts.push(c.tls.version);
    if (c.tls.sni) parts.push(`sni ${clean(c.tls.sni)}`);
    const leaf = c.tls.server_chain?.[0]?.subject;
    if (leaf) parts.push(`cert ${clean(leaf)}`);
    if (c.tls.validation) parts.push(`chain ${c.tls.validation}`);
    if (c.tls.client_auth) parts.push(`client auth ${c.tls.client_auth}${c.tls.client_auth_source === 'inferred' ? ' (inferred)' : ''}`);
  }
  if (c.ssh) {
    if (c.ssh.kex) parts.push(`kex ${clean(c.ssh.kex)}`);
    if (c.ssh.cipher_c2s) parts.push(clean(c.ssh.cipher_c2s));
    if (c.ssh.weak && c.ssh.weak.length) parts.push(`weak ${c.ssh.weak.map(clean).join(' ')}`);
  }
  if (c.connect) parts.push(`CONNECT ${clean(c.connect.authority)} -> ${c.connect.status ?? '?'}`);
  const ex = c.http?.[0];
  if (ex) parts.push(`${clean(ex.method ?? '?')} ${clean(ex.path ?? '?')}${ex.status ? ` ${ex.status}` : ''}${ex.auth ? ` [${ex.auth.kind} credential]` : ''}`);
  return parts.join(', ');
}

interface PathRow {
  path: string;
  server: string;
  clients: Set<string>;
  count: number;
  verdict: string;
  evidence: string;
}

/** Distinct (path, server) rows kept; later ones are counted only. */
const MAX_ROWS = 20_000;

/**
 * Aggregates connections by (path, server) as they arrive: a capture holds thousands of
 * connections, a person reads dozens of rows, and memory stays bounded by distinct servers.
 */
export class ReportBuilder {
  private readonly byKey = new Map<string, PathRow>();
  connections = 0;
  rowsDropped = 0;

  constructor(private readonly clean: (s: string) => string) {}

  add(c: ReportConnection): void {
    this.connections++;
    const key = `${c.path}|${c.server}`;
    let r = this.byKey.get(key);
    if (!r) {
      if (this.byKey.size >= MAX_ROWS) {
        this.rowsDropped++;
        return;
      }
      r = { path: c.path, server: c.server, clients: new Set(), count: 0, verdict: c.verdict, evidence: evidenceLine(c, this.clean) };
      this.byKey.set(key, r);
    }
    r.count++;
    if (r.clients.size < 1000) r.clients.add(c.client.replace(/:\d+$/, ''));
    if ((VERDICT_RANK[c.verdict] ?? 3) < (VERDICT_RANK[r.verdict] ?? 3)) {
      r.verdict = c.verdict;
      r.evidence = evidenceLine(c, this.clean);
    }
  }

  byPath(): Map<string, PathRow[]> {
    const byPath = new Map<string, PathRow[]>();
    for (const r of this.byKey.values()) {
      const list = byPath.get(r.path) ?? [];
      list.push(r);
      byPath.set(r.path, list);
    }
    for (const list of byPath.values()) list.sort((a, b) => (VERDICT_RANK[a.verdict] ?? 3) - (VERDICT_RANK[b.verdict] ?? 3) || b.count - a.count);
    return byPath;
  }
}

/** Renders the whole report as text. Pure: same input, same output. */
export function renderReport(built: ReportBuilder, findings: FindingRecord[], summary: ReportSummary, style: ReportStyle): string {
  const w = Math.max(60, style.width);
  const clean = style.clean;
  const out: string[] = [];
  const bold = (s: string) => paint(style, '1', s);
  out.push(bold(`comms-watch report: ${summary.files.map(clean).join(', ')}`));
  out.push(`${summary.packets} packets, ${built.connections} connections, ${findings.length} findings`);
  if (summary.damage) out.push(paint(style, '31', `capture damaged: ${clean(summary.damage.file)} at byte ${summary.damage.offset}: ${clean(summary.damage.message)} (analysed up to there)`));
  if (summary.node) out.push('', bold('This node'), ...nodeReportLines(summary.node, clean));
  if (summary.probes && summary.probes.length > 0) out.push('', bold('Probed servers'), ...summary.probes.flatMap((p) => probeReportLines(p, clean).map((l) => fit(l, w))));
  const byPath = built.byPath();
  for (const group of GROUPS) {
    const present = group.paths.filter((p) => byPath.has(p));
    if (present.length === 0) continue;
    out.push('', bold(group.title));
    for (const p of present) {
      const list = byPath.get(p)!;
      const shown = list.slice(0, 12);
      for (const r of shown) {
        const clients = r.clients.size === 1 ? [...r.clients][0]! : `${r.clients.size} clients`;
        const head = `  ${paint(style, VERDICT_COLOR[r.verdict], r.verdict.padEnd(10))} ${r.path.padEnd(22)} ${clients} -> ${r.server}  (${r.count} conn)`;
        out.push(fit(head, w + (style.color ? 9 : 0)));
        out.push(fit(`             ${r.evidence}`, w));
      }
      if (list.length > shown.length) out.push(`             … and ${list.length - shown.length} more ${p} servers`);
    }
  }
  out.push('', bold('Findings'));
  if (findings.length === 0) out.push('  none');
  const sorted = [...findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.count - a.count);
  for (const f of sorted) {
    out.push(fit(`  ${paint(style, SEV_COLOR[f.severity], f.severity.toUpperCase().padEnd(8))} ${f.rule}  ${f.client.replace(/:\d+$/, '')} -> ${f.server}  x${f.count}  (${f.path})`, w + (style.color ? 11 : 0)));
    const ev = Object.entries(f.evidence).map(([k, v]) => `${k}=${clean(typeof v === 'string' ? v : JSON.stringify(v))}`).join(' ');
    if (ev) out.push(fit(`           ${ev}`, w));
    out.push(...wrap(`fix: ${f.remediation}${f.cis && f.cis.length ? ` (CIS ${f.cis.join(', ')})` : ''}`, w - 11).map((l) => `           ${l}`));
  }
  return out.join('\n') + '\n';
}
