import type { TlsFacts } from '../../../src/core/facts.js';
import { alertName, cipherName, groupName, versionName } from '../../../dissectors/tls/names.js';
import type { PeerFact, TlsConn } from './corpus.js';

/** Suricata writes `C=US, O=x, CN=y` (forward order, comma-space); turn it into RFC 4514 order. */
export function normaliseDn(dn: string): string {
  if (/^(C|DC)=/.test(dn) && dn.includes(', ')) return dn.split(', ').reverse().join(',');
  return dn;
}

export interface Field {
  name: string;
  peer: unknown;
  ours: unknown;
}

const nullIfEmpty = (v: unknown): unknown => (v === '' || v === undefined ? null : v);

/** The fields a peer fact states, each paired with our value. */
export function fieldsOf(p: PeerFact, t: TlsFacts): Field[] {
  const out: Field[] = [];
  const add = (name: string, key: string, ours: unknown, map: (v: unknown) => unknown = (v) => v): void => {
    if (key in p && p[key] !== undefined) out.push({ name, peer: map(p[key]), ours });
  };
  const leaf = t.serverChain?.[0];
  add('version', p.source === 'tshark' ? 'negotiated_version' : 'tls_version', t.version === null ? null : versionName(t.version));
  add('cipher', 'cipher', t.cipher === null ? null : cipherName(t.cipher));
  add('sni', 'sni', t.sni);
  add('alpn_offered', 'alpn_offered', t.alpnOffered);
  add('alpn', 'alpn_negotiated', t.alpn, nullIfEmpty);
  add('alpn', 'alpn_selected', t.alpn, nullIfEmpty);
  add('established', 'established', t.established);
  add('resumed', 'resumed', t.resumed);
  add('leaf_subject', 'server_cert_subject', leaf?.subject ?? null, (v) => (typeof v === 'string' ? normaliseDn(v) : v));
  add('leaf_issuer', 'server_cert_issuer', leaf?.issuer ?? null, (v) => (typeof v === 'string' ? normaliseDn(v) : v));
  add('chain_len', 'server_cert_chain_len', t.serverChain?.length ?? 0);
  add('chain_sha256', 'server_cert_chain_fps_sha256', t.serverChain?.map((c) => c.sha256) ?? null, (v) =>
    Array.isArray(v) && v.length === 0 ? null : v,
  );
  add('client_cert_present', 'client_cert_present', (t.clientChain?.length ?? 0) > 0);
  add('client_cert_subject', 'client_cert_subject', t.clientChain?.[0]?.subject ?? null);
  add('certificate_request', 'certificate_request_seen', t.certificateRequest !== null);
  add('ja4', 'ja4', t.ja4);
  add('ja3', 'ja3', t.ja3);
  const group = t.serverKeyExchangeGroup ?? t.serverHello?.selectedGroup ?? null;
  add('curve', 'curve', group === null ? null : groupName(group));
  add('history', 'ssl_history', t.history);
  const last = t.alerts[t.alerts.length - 1];
  add('last_alert', 'last_alert', last === undefined || last.description < 0 ? null : alertName(last.description), nullIfEmpty);
  return out;
}

export function findConn(p: PeerFact, conns: TlsConn[]): TlsConn | undefined {
  if (typeof p.client_port === 'number') {
    return conns.find((c) => c.clientPort === p.client_port && (p.server_port === undefined || c.serverPort === p.server_port));
  }
  const withHello = conns.filter((c) => c.tls.clientHello !== null);
  return withHello.length === 1 ? withHello[0] : undefined;
}

export function sourceOf(p: PeerFact): string {
  return p.source === 'tshark' ? 'tshark' : p.source.split(' ')[0]!;
}
