import type { FindingRecord, Severity } from '../findings/finding.js';
import type { DashConnection, DashState, PathEntry } from './state.js';
import { pack, padTo, safeText, wrap } from './text.js';
import type { Line } from './views.js';

/**
 * The path detail: every answer the tool gives about a path, next to the evidence source it
 * rests on (SPEC "Evidence beyond the wire"): `observed` in the clear, `decrypted` with a key
 * log, `inferred` from encrypted record sizes, `node-files`, `probe`; `not seen` when nothing
 * showed it.
 */

const SEV_COLOR: Record<Severity, Line['color']> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'cyan', info: 'gray' };
const VERDICT_COLOR: Record<string, Line['color']> = { insecure: 'red', unverified: 'yellow', secure: 'green' };

type Tls = NonNullable<DashConnection['tls']>;

const hostOnly = (addr: string): string => addr.replace(/:\d+$/, '');

/**
 * Certificates cross in the clear up to TLS 1.2; in TLS 1.3 they are encrypted, so a visible
 * chain there was decrypted with a key log. A null chain was never seen.
 */
export function chainSource(tls: Tls): string {
  if (tls.server_chain === null || tls.server_chain === undefined) return 'not seen';
  return tls.version === 'TLS 1.3' ? 'decrypted' : 'observed';
}

function clientAuthSource(tls: Tls): string {
  if (tls.client_auth_source) return tls.client_auth_source;
  if (!tls.client_auth || tls.client_auth === 'unknown') return 'not seen';
  return tls.version === 'TLS 1.3' ? 'decrypted' : 'observed';
}

/** The newest connection of the finding's path (same path, client ip and server). */
export function connectionOf(s: DashState, f: FindingRecord): DashConnection | null {
  const client = hostOnly(f.client);
  for (const e of s.paths.values()) if (e.path === f.path && e.server === f.server && e.client === client) return e.latest;
  return null;
}

/**
 * The source a finding rests on: its own `evidence.source` when the rule gave one; else a
 * certificate finding rests where its chain was seen, and the rest (cleartext requests,
 * ServerHello versions and ciphers, SSH negotiation) on what crossed in the clear.
 */
export function findingSource(f: FindingRecord, conn: DashConnection | null): string | null {
  const ev = f.evidence ?? {};
  if (typeof ev.source === 'string') return safeText(ev.source);
  const aboutChain = ['subject', 'validation', 'not_after', 'key', 'san'].some((k) => k in ev);
  if (aboutChain) return conn?.tls ? chainSource(conn.tls) : null;
  if (!conn) return null;
  if (!conn.tls) return 'observed';
  return conn.tls.version === 'TLS 1.3' ? null : 'observed';
}

const LABEL = 13;
const SOURCE = 10;
/** Where values start: two spaces, the label, a space, the source, a space. */
const VALUE_AT = 2 + LABEL + 1 + SOURCE + 1;

export function detailLines(s: DashState, e: PathEntry, width: number): Line[] {
  const out: Line[] = [];
  const text = (t: string, opts: Omit<Line, 'text'> = {}, hang = 2) => {
    for (const l of wrap(t, width, hang)) out.push({ text: l, ...opts });
  };
  const answer = (label: string, source: string, value: string, color?: Line['color']) => {
    text(`  ${padTo(label, LABEL)} ${padTo(source, SOURCE)} ${value}`, { color }, VALUE_AT);
  };
  // Addresses are atomic: the title goes on more lines rather than cut one.
  for (const l of pack([e.path, e.client, '->', e.server, e.proto, e.verdict], width)) out.push({ text: l, bold: true, color: VERDICT_COLOR[e.verdict] });
  text(`connections ${e.connections}  last seen ${e.lastSeen.slice(0, 19).replace('T', ' ')}`, { color: 'gray' });
  out.push({ text: padTo(`  ${padTo('ANSWER', LABEL)} ${padTo('SOURCE', SOURCE)} VALUE`, width), bold: true });
  const l = e.latest;
  answer('verdict', '', e.verdict, VERDICT_COLOR[e.verdict]);
  if (l.tls) {
    const t = l.tls;
    answer('TLS', 'observed', `${t.version ?? '?'} ${t.cipher ?? ''}`);
    answer('SNI', 'observed', t.sni ? safeText(t.sni) : '(none)');
    if (t.alpn) answer('ALPN', t.version === 'TLS 1.3' ? 'decrypted' : 'observed', safeText(t.alpn));
    answer('server chain', chainSource(t), t.validation ?? 'unknown');
    for (const [i, c] of (t.server_chain ?? []).entries()) certificate(i, c);
    answer('client auth', clientAuthSource(t), `${t.client_auth ?? 'unknown'}${t.client_auth_source === 'inferred' ? ' (from encrypted record sizes)' : ''}`);
    for (const [i, c] of (t.client_chain ?? []).entries()) certificate(i, c);
    if (t.probe) probed(t.probe);
  }
  if (l.ssh) {
    const x = l.ssh;
    answer('SSH', 'observed', `${safeText(x.client_banner ?? '?')} -> ${safeText(x.server_banner ?? '?')}`);
    answer('algorithms', 'observed', `kex ${safeText(x.kex ?? '?')}  host key ${safeText(x.host_key ?? '?')}  cipher ${safeText(x.cipher_c2s ?? '?')}  mac ${safeText(x.mac_c2s ?? '?')}`);
    if (x.weak?.length) answer('weak', 'observed', x.weak.map(safeText).join(', '), 'red');
  }
  for (const x of (l.http ?? []).slice(0, 8)) {
    const auth = x.auth ? `  [${x.auth.kind} credential, ${x.auth.len} bytes]` : '';
    answer('HTTP', l.tls ? 'decrypted' : 'observed', `${safeText(x.method ?? '?')} ${safeText(x.host ?? '')}${safeText(x.path ?? '')} -> ${x.status ?? '?'}${auth}`);
  }
  const raised = [...s.findings.values()].filter((f) => e.rules.has(f.rule) && f.server === e.server && hostOnly(f.client) === e.client);
  if (raised.length) out.push({ text: 'Findings', bold: true });
  for (const f of raised) {
    const cis = f.cis?.length ? `  CIS ${f.cis.join(', ')}` : '';
    answer(f.severity.toUpperCase(), findingSource(f, l) ?? '', `${f.rule} x${f.count}${cis}`, SEV_COLOR[f.severity]);
    text(`${' '.repeat(VALUE_AT)}fix: ${f.remediation}`, {}, VALUE_AT + 5);
  }
  out.push({ text: 'Esc to go back', color: 'gray' });
  return out;

  function probed(p: NonNullable<Tls['probe']>): void {
    const when = p.probed_at ? ` (${p.probed_at.slice(0, 19).replace('T', ' ')})` : '';
    if (p.problem && p.chain === null) {
      answer('probe', 'probe', `${safeText(p.problem)}${when}`, 'yellow');
      return;
    }
    answer('probed chain', 'probe', `${p.validation}${when}`);
    if (t0().server_chain == null) for (const [i, c] of (p.chain ?? []).entries()) certificate(i, c);
    const request = p.certificate_request === null ? 'unknown' : p.certificate_request ? (p.client_cert_required ? 'required' : 'requested, not required') : 'not requested';
    answer('client cert', 'probe', `${request}${p.ca_names.length ? `  CAs: ${p.ca_names.map(safeText).join('; ')}` : ''}`);
    const accepted = Object.entries(p.versions).filter(([, ok]) => ok === true).map(([v]) => v);
    const legacy = accepted.some((v) => v === 'TLS 1.0' || v === 'TLS 1.1');
    answer('accepts', 'probe', accepted.join(', ') || 'no version answered', legacy ? 'red' : undefined);
    if (p.anonymous_status !== null) answer('anonymous', 'probe', `GET /pods -> ${p.anonymous_status}`, p.anonymous_status < 300 ? 'magenta' : p.anonymous_status === 403 ? 'cyan' : undefined);
  }

  function t0(): Tls {
    return l.tls!;
  }

  function certificate(i: number, c: { subject: string; issuer?: string; not_after?: string; key?: string }): void {
    text(`${' '.repeat(VALUE_AT)}[${i}] ${safeText(c.subject)}`, {}, VALUE_AT + 4);
    const details = [c.issuer ? `issued by ${safeText(c.issuer)}` : '', c.key ? safeText(c.key) : '', c.not_after ? `until ${c.not_after.slice(0, 10)}` : ''].filter(Boolean).join('  ');
    if (details) text(`${' '.repeat(VALUE_AT + 4)}${details}`, { color: 'gray' }, VALUE_AT + 4);
  }
}
