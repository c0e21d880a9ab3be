import { alertName, cipherName, versionName } from '../../dissectors/tls/names.js';
import type { CertFacts, CredentialFacts, HttpExchange, SshFacts, TlsFacts } from '../core/facts.js';
import type { ConnectionFacts } from '../facts/connection.js';
import { addr } from '../facts/connection.js';
import type { ChainCheck, Validation } from '../cluster/trust.js';
import type { PathClassification } from '../classify/path-class.js';
import type { Verdict } from '../rules/verdict.js';
import { isoFromMicros } from '../findings/dedupe.js';
import { sanitize } from './sanitize.js';
import type { ProbeSummary } from './probe-record.js';

/** SPEC certificate entry; never the DER. */
export interface CertRecord {
  subject: string;
  issuer: string;
  not_before: string;
  not_after: string;
  san: string[];
  sha256: string;
  key: string;
  sig_alg: string;
  ca: boolean;
  /** Only the certificate's head was read (over the handshake size cap); `sha256` is empty if its tail never arrived. */
  partial?: true;
}

export interface TlsRecord {
  version: string | null;
  cipher: string | null;
  sni: string | null;
  alpn: string | null;
  server_chain: CertRecord[] | null;
  validation: Validation;
  client_auth: TlsFacts['clientAuth'];
  client_auth_source: TlsFacts['clientAuthSource'];
  client_chain: CertRecord[] | null;
  resumed: boolean;
  alert: { level: 'fatal'; description: string } | null;
  ja3: string | null;
  ja3s: string | null;
  ja4: string | null;
  /** What a probe of the server learned (`--probe`), when the wire hid the chain or the client authentication. */
  probe?: ProbeSummary;
}

export interface SshRecord {
  client_banner: string | null;
  server_banner: string | null;
  kex: string | null;
  host_key: string | null;
  cipher_c2s: string | null;
  cipher_s2c: string | null;
  mac_c2s: string | null;
  mac_s2c: string | null;
  compression_c2s: string | null;
  compression_s2c: string | null;
  hassh: string | null;
  hassh_server: string | null;
  weak: string[];
}

export interface HttpRecord {
  method: string | null;
  host: string | null;
  path: string | null;
  status: number | null;
  version: string | null;
  auth: { kind: CredentialFacts['kind']; len: number; sha256_prefix: string } | null;
}

/** What a CONNECT tunnel carried, judged as a path of its own (server: the CONNECT target). */
export interface CarriedRecord {
  path: string;
  server: string;
  proto: string;
  verdict: Verdict;
  reason: string;
  /** What decided the carried path. */
  evidence: string;
  /** Rules that fired on the carried connection (their findings name the carried path). */
  findings: string[];
}

export interface ConnectionRecord {
  type: 'connection';
  path: string;
  /** What decided the path (model range, certificate, SNI, HTTP, port). */
  path_evidence: string;
  client: string;
  server: string;
  proto: string;
  start: string;
  end: string;
  tls: TlsRecord | null;
  ssh: SshRecord | null;
  http: HttpRecord[] | null;
  connect: { authority: string; status: number | null } | null;
  tunnel: boolean;
  /** Present on a CONNECT tunnel whose target was parsed. */
  carried?: CarriedRecord;
  verdict: Verdict;
  /** [client->server, server->client]. */
  packets: [number, number];
  bytes: [number, number];
  [key: string]: unknown;
}

const MAX_HTTP = 32;

function s(v: string | null | undefined): string | null {
  return v === null || v === undefined ? null : sanitize(v);
}

export function certRecord(c: CertFacts): CertRecord {
  return {
    subject: sanitize(c.subject),
    issuer: sanitize(c.issuer),
    not_before: c.notBefore,
    not_after: c.notAfter,
    san: [...c.sanDns, ...c.sanIp].map(sanitize),
    sha256: c.sha256,
    key: c.key,
    sig_alg: c.sigAlg,
    ca: c.ca,
    ...(c.partial ? { partial: true } : {}),
  };
}

function tlsRecord(t: TlsFacts, check: ChainCheck | null): TlsRecord {
  const fatal = t.alerts.find((a) => a.level === 2);
  return {
    version: t.version === null ? null : versionName(t.version),
    cipher: t.cipher === null ? null : cipherName(t.cipher),
    sni: s(t.sni),
    alpn: s(t.alpn),
    server_chain: t.serverChain ? t.serverChain.map(certRecord) : null,
    validation: check?.validation ?? 'unknown',
    client_auth: t.clientAuth,
    client_auth_source: t.clientAuthSource,
    client_chain: t.clientChain ? t.clientChain.map(certRecord) : null,
    resumed: t.resumed,
    alert: fatal ? { level: 'fatal', description: alertName(fatal.description) } : null,
    ja3: t.ja3,
    ja3s: t.ja3s,
    ja4: t.ja4,
  };
}

function sshRecord(x: SshFacts): SshRecord {
  return {
    client_banner: s(x.clientBanner),
    server_banner: s(x.serverBanner),
    kex: s(x.kex),
    host_key: s(x.hostKey),
    cipher_c2s: s(x.cipherC2s),
    cipher_s2c: s(x.cipherS2c),
    mac_c2s: s(x.macC2s),
    mac_s2c: s(x.macS2c),
    compression_c2s: s(x.compressionC2s),
    compression_s2c: s(x.compressionS2c),
    hassh: x.hassh,
    hassh_server: x.hasshServer,
    weak: x.weak.map(sanitize),
  };
}

function httpRecord(x: HttpExchange): HttpRecord {
  return {
    method: s(x.method),
    host: s(x.host),
    path: s(x.path),
    status: x.status,
    version: s(x.version),
    auth: x.auth ? { kind: x.auth.kind, len: x.auth.len, sha256_prefix: x.auth.sha256Prefix } : null,
  };
}

/** The exchanges as SPEC's `http` array: HTTP/1, HTTP/2 and gRPC alike, tunnelled ones described as if not tunnelled. */
function httpRecords(c: ConnectionFacts): HttpRecord[] | null {
  const lists = [c.http, c.http2, c.tunnel?.http, c.tunnel?.http2].filter((h) => h !== null && h !== undefined);
  if (lists.length === 0) return null;
  const out: HttpRecord[] = [];
  for (const h of lists) {
    for (const x of h!.exchanges) {
      if (out.length >= MAX_HTTP) return out;
      out.push(httpRecord(x));
    }
  }
  return out;
}

/** The SPEC `connection` record: what was seen, the path, the chain validation and the verdict. No secret and no DER. */
export function connectionRecord(c: ConnectionFacts, cls: PathClassification, check: ChainCheck | null, verdict: Verdict): ConnectionRecord {
  const tls = c.tls ?? c.tunnel?.tls ?? null;
  const ssh = c.ssh ?? c.tunnel?.ssh ?? null;
  const connect = c.http?.connect ?? null;
  return {
    type: 'connection',
    path: cls.path,
    path_evidence: sanitize(cls.evidence),
    client: addr(c.client),
    server: addr(c.server),
    proto: c.proto,
    start: isoFromMicros(c.startMicros),
    end: isoFromMicros(c.endMicros),
    tls: tls ? tlsRecord(tls, check) : null,
    ssh: ssh ? sshRecord(ssh) : null,
    http: httpRecords(c),
    connect: connect ? { authority: sanitize(connect.authority), status: connect.status } : null,
    // SPEC: `tunnel` marks what a CONNECT carried. Decrypted application data (the TLS connection's own
    // payload) and an h2c upgrade (the same connection switching protocols) are not tunnels.
    tunnel: connect !== null && c.tunnel !== null,
    verdict,
    packets: [c.packets[0], c.packets[1]],
    bytes: [c.bytes[0], c.bytes[1]],
  };
}
