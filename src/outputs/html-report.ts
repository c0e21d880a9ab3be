import type { FindingRecord } from '../findings/finding.js';
import { SEVERITIES } from '../findings/finding.js';
import type { CertRecord, ConnectionRecord, HttpRecord } from './connection-record.js';
import { html, trusted, type Html, type HtmlValue } from './html-escape.js';
import { REPORT_CSS } from './html-style.js';
import { hostOf, protocolLabel, type DetailRow, type PathCollector } from './path-collector.js';
import { VERDICTS, renderPathMap, verdictClass } from './path-map.js';

/**
 * `analyze --html FILE`: one self-contained page (inline CSS and SVG, no script, nothing
 * loaded) for people who review a cluster without running the tool. Every string that came
 * off the wire goes through `html`, which escapes it and strips control characters.
 */

export interface HtmlSummary {
  files: string[];
  packets: number;
  bytes: number;
  tcpConnections: number;
  flowsEvicted: number;
  gaps: number;
  missingBytes: number;
  anomalies: number;
  verdicts: Record<string, number>;
  damage: { file: string; offset: number; message: string } | null;
}

/** The Kubernetes page's sections, in its order. */
const GROUPS: { title: string; paths: string[] }[] = [
  { title: 'Node to control plane', paths: ['node-apiserver', 'pod-apiserver', 'konnectivity-agent'] },
  { title: 'Control plane to node', paths: ['apiserver-kubelet', 'kubelet-readonly', 'apiserver-proxy', 'ssh-tunnel', 'konnectivity-server'] },
  { title: 'Inside the control plane', paths: ['controlplane-apiserver', 'etcd'] },
];

/** No script, nothing fetched: even markup that slipped past escaping could neither run nor call home. */
const CSP = trusted(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);

function severityRank(f: FindingRecord): number {
  return SEVERITIES.indexOf(f.severity);
}

function summarySection(s: HtmlSummary, paths: PathCollector, findings: FindingRecord[]): Html {
  const bySeverity = SEVERITIES.map((sev) => [sev, findings.filter((f) => f.severity === sev).length] as const);
  const card = (n: number | string, what: string, cls = '') => html`<div class="card ${cls}"><span class="n">${n}</span><span class="what">${what}</span></div>`;
  const damage = s.damage ? html`<p class="damage">Capture damaged: ${s.damage.file} at byte ${s.damage.offset}: ${s.damage.message}. Everything before it was analysed.</p>` : '';
  const lost: string[] = [];
  if (s.flowsEvicted > 0) lost.push(`${s.flowsEvicted} flows evicted (--max-flows)`);
  if (s.gaps > 0) lost.push(`${s.gaps} reassembly gaps (${s.missingBytes} bytes missing)`);
  if (paths.dropped > 0) lost.push(`${paths.dropped} connections beyond the report's row limit (counted, not detailed)`);
  if (s.anomalies > 0) lost.push(`${s.anomalies} parser anomalies`);
  const span = paths.firstSeen && paths.lastSeen ? html`<p class="span">Traffic from ${paths.firstSeen} to ${paths.lastSeen} (packet time).</p>` : '';
  return html`<section id="summary"><h2>Summary</h2>${damage}<div class="cards">${card(s.packets, 'packets')}${card(paths.connections, 'connections')}${VERDICTS.map((v) => card(s.verdicts[v] ?? 0, `${v} connections`, `verdict-${v}`))}${bySeverity.map(([sev, n]) => card(n, `${sev} findings`, `sev-${sev}${n === 0 ? ' zero' : ''}`))}</div>${span}${lost.length > 0 ? html`<p class="lost">${lost.join('; ')}.</p>` : ''}</section>`;
}

function evidenceValue(v: unknown): Html {
  if (typeof v === 'string') return html`<code>${v}</code>`;
  return html`<code>${JSON.stringify(v)}</code>`;
}

/** `findings` in display order: the index is the anchor the path detail links to. */
function findingSection(findings: FindingRecord[], rowOf: (path: string, server: string) => DetailRow | undefined): Html {
  if (findings.length === 0) return html`<section id="findings"><h2>Findings</h2><p class="empty">None.</p></section>`;
  const items = findings.map((f, i) => {
    const row = rowOf(f.path, f.server);
    const where = row ? html`<a href="#path-${row.index}">${f.path}</a>` : html`${f.path}`;
    const ev = Object.entries(f.evidence).map(([k, v]) => html`<dt>${k}</dt><dd>${evidenceValue(v)}</dd>`);
    const cis = f.cis && f.cis.length > 0 ? html`<p class="cis">CIS Kubernetes Benchmark ${f.cis.join(', ')}</p>` : '';
    return html`<article class="finding sev-${f.severity}" id="finding-${i}" data-rule="${f.rule}" data-severity="${f.severity}" data-client="${hostOf(f.client)}" data-server="${f.server}"><header><span class="badge sev-${f.severity}">${f.severity}</span> <span class="rule">${f.rule}</span> <span class="where">${where}: ${hostOf(f.client)} → ${f.server}</span> <span class="count">×${f.count}</span></header><p class="seen">First seen ${f.first_seen}, last seen ${f.last_seen}</p><dl class="evidence">${ev}</dl><p class="fix"><strong>Fix:</strong> ${f.remediation}</p>${cis}</article>`;
  });
  return html`<section id="findings"><h2>Findings</h2>${items}</section>`;
}

function kv(rows: [string, HtmlValue][]): Html {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
  return html`<table class="kv">${shown.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>`;
}

function chain(title: string, certs: CertRecord[] | null): Html {
  if (certs === null) return html`<p class="chain-none">${title}: not visible on the wire.</p>`;
  if (certs.length === 0) return html`<p class="chain-none">${title}: an empty Certificate message.</p>`;
  const items = certs.map((c) => html`<li class="cert"><div class="subject">${c.subject}</div>${kv([
    ['issuer', c.issuer],
    ['valid', `${c.not_before} to ${c.not_after}`],
    ['SAN', c.san.join(', ')],
    ['key', `${c.key}, ${c.sig_alg}${c.ca ? ', CA' : ''}`],
    ['sha256', html`<code>${c.sha256}</code>`],
  ])}</li>`);
  return html`<div class="chain"><h4>${title}</h4><ol>${items}</ol></div>`;
}

function tlsDetail(c: ConnectionRecord): Html {
  const t = c.tls!;
  const auth = t.client_auth ? `${t.client_auth}${t.client_auth_source && t.client_auth_source !== 'observed' ? ` (${t.client_auth_source})` : ''}` : null;
  return html`<div class="tls">${kv([
    ['TLS', [t.version ?? 'version not seen', t.cipher ? `, ${t.cipher}` : ''].join('')],
    ['SNI', t.sni ?? 'none'],
    ['ALPN', t.alpn],
    ['chain', html`<span class="validation validation-${t.validation}">${t.validation}</span>`],
    ['client auth', auth],
    ['resumed', t.resumed ? 'yes' : null],
    ['alert', t.alert ? `${t.alert.level} ${t.alert.description}` : null],
    ['JA4', t.ja4],
  ])}${chain('Server chain', t.server_chain)}${t.client_chain !== null || t.client_auth === 'presented' ? chain('Client chain', t.client_chain) : ''}</div>`;
}

function sshDetail(c: ConnectionRecord): Html {
  const s = c.ssh!;
  const pair = (a: string | null, b: string | null) => (a === b ? a : `${a ?? '?'} / ${b ?? '?'}`);
  return html`<div class="ssh">${kv([
    ['client', s.client_banner],
    ['server', s.server_banner],
    ['key exchange', s.kex],
    ['host key', s.host_key],
    ['cipher (c→s / s→c)', pair(s.cipher_c2s, s.cipher_s2c)],
    ['MAC', pair(s.mac_c2s, s.mac_s2c)],
    ['compression', pair(s.compression_c2s, s.compression_s2c)],
    ['weak', s.weak.length > 0 ? html`<span class="weak">${s.weak.join(', ')}</span>` : 'none'],
    ['HASSH', s.hassh],
  ])}</div>`;
}

function credential(x: HttpRecord): string {
  return x.auth ? `${x.auth.kind}, ${x.auth.len} bytes, sha256 ${x.auth.sha256_prefix}…` : '';
}

function httpDetail(r: DetailRow): Html {
  if (r.http.length === 0) return html``;
  const body = r.http.map((x) => html`<tr><td>${x.method ?? '?'}</td><td>${x.host ?? ''}</td><td class="path">${x.path ?? '?'}</td><td>${x.status ?? ''}</td><td>${x.version ?? ''}</td><td class="${x.auth ? 'credential' : ''}">${credential(x)}</td></tr>`);
  const more = r.httpDropped > 0 ? html`<p class="note">${r.httpDropped} more distinct requests not listed.</p>` : '';
  return html`<table class="http"><thead><tr><th>method</th><th>host</th><th>path</th><th>status</th><th>version</th><th>credential</th></tr></thead><tbody>${body}</tbody></table>${more}`;
}

function detailSection(r: DetailRow, findings: FindingRecord[]): Html {
  const c = r.worst;
  const v = verdictClass(r.verdict);
  const clients = [...r.clients];
  const mine = findings.filter((f) => f.path === r.path && f.server === r.server);
  const verdicts = VERDICTS.filter((x) => r.verdicts[x]).map((x) => `${r.verdicts[x]} ${x}`).join(', ');
  return html`<section class="path verdict-${v}" id="path-${r.index}" data-path="${r.path}" data-server="${r.server}" data-verdict="${r.verdict}"><h3><span class="badge verdict-${v}">${r.verdict}</span> ${r.path} <span class="server">${r.server}</span></h3>${kv([
    ['clients', clients.join(', ') + (r.clients.size >= 200 ? ' …' : '')],
    ['connections', `${r.count} (${verdicts})`],
    ['protocol', protocolLabel(c) + (c.tunnel ? ' (through a CONNECT tunnel)' : '')],
    ['CONNECT', c.connect ? `${c.connect.authority} → ${c.connect.status ?? 'no answer'}` : null],
    ['carries', c.carried ? `${c.carried.path} to ${c.carried.server}: ${c.carried.verdict} (${c.carried.reason})` : null],
    ['path decided by', c.path_evidence],
    ['findings', mine.length > 0 ? mine.map((f) => html`<a class="badge rule-badge sev-${f.severity}" href="#finding-${findings.indexOf(f)}">${f.rule}</a> `) : 'none'],
  ])}${c.tls ? tlsDetail(c) : ''}${c.ssh ? sshDetail(c) : ''}${httpDetail(r)}</section>`;
}

function detailsSection(paths: PathCollector, findings: FindingRecord[]): Html {
  const all = paths.detailRows();
  const rank = (v: string) => ({ insecure: 0, unverified: 1, secure: 2 })[v] ?? 3;
  const groups = [...GROUPS, { title: 'Other traffic', paths: [...new Set(all.map((r) => r.path))].filter((p) => !GROUPS.some((g) => g.paths.includes(p))) }];
  const out = groups.map((g) => {
    const rows = all.filter((r) => g.paths.includes(r.path)).sort((a, b) => g.paths.indexOf(a.path) - g.paths.indexOf(b.path) || rank(a.verdict) - rank(b.verdict) || b.count - a.count);
    return rows.length === 0 ? '' : html`<h2 class="group-title">${g.title}</h2>${rows.map((r) => detailSection(r, findings))}`;
  });
  return html`<section id="details">${out}</section>`;
}

/** The whole page. Pure: the same records give the same bytes. */
export function renderHtmlReport(paths: PathCollector, findings: FindingRecord[], summary: HtmlSummary): string {
  const rowByKey = new Map(paths.detailRows().map((r) => [`${r.path}|${r.server}`, r]));
  const sorted = [...findings].sort((a, b) => severityRank(a) - severityRank(b) || b.count - a.count || a.rule.localeCompare(b.rule));
  const title = `comms-watch report: ${summary.files.join(', ')}`;
  const legend = html`<p class="legend">${VERDICTS.map((v) => html`<span class="key"><span class="swatch verdict-${v}"></span>${v}</span>`)}<br>Each arrow goes from client to server; its label gives the path, the protocol, the server port and the verdict of its worst connection. Select an arrow for its detail.</p>`;
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">${CSP}<meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${trusted(REPORT_CSS)}</style></head>
<body><header class="top"><h1>comms-watch report</h1><p class="files">${summary.files.join(', ')}</p><p class="intro">Which of the paths of the Kubernetes page “Communication between Nodes and the Control Plane” this traffic used, and how well each was protected.</p><nav><a href="#summary">Summary</a> <a href="#map">Path map</a> <a href="#findings">Findings (${findings.length})</a> <a href="#details">Path detail</a></nav></header>
<main>${summarySection(summary, paths, findings)}<section id="map"><h2>Path map</h2>${legend}<div class="map-scroll">${renderPathMap(paths)}</div></section>${findingSection(sorted, (p, s) => rowByKey.get(`${p}|${s}`))}${detailsSection(paths, sorted)}</main>
<footer>Made by comms-watch analyze --html. Secrets are shown as kind, length and a SHA-256 prefix only.</footer></body></html>
`;
  return page.markup;
}
