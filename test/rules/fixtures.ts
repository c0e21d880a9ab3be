/**
 * ConnectionFacts builders for unit tests of the pure classify / rules / outputs functions.
 * Certificates in them always come from a real PKI (test/cluster/pki.ts).
 */
import type { CertFacts, CredentialFacts, HttpExchange, HttpFacts, Http2Facts, SshFacts, TlsFacts } from '../../src/core/facts.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';

export function tls(o: Partial<TlsFacts> = {}): TlsFacts {
  return {
    clientHello: {
      legacyVersion: 0x0303, recordVersion: 0x0301, sessionIdLength: 32, ciphers: [0xc02f, 0xc02b], compression: [0], extensions: [0, 10, 11, 13, 16],
      sni: null, alpn: ['h2', 'http/1.1'], supportedVersions: [], signatureAlgorithms: [0x0403], groups: [29, 23], ecPointFormats: [0],
      keyShareGroups: [], psk: false, earlyData: false, sessionTicket: false, sslv2: false, random: '00'.repeat(32),
    },
    serverHello: {
      legacyVersion: 0x0303, version: 0x0303, cipher: 0xc02f, compression: 0, extensions: [16], alpn: 'h2', sessionIdLength: 32,
      sessionIdEchoed: false, helloRetryRequest: false, selectedGroup: null, random: '11'.repeat(32),
    },
    helloRetry: false,
    version: 0x0303,
    cipher: 0xc02f,
    sni: null,
    alpnOffered: ['h2', 'http/1.1'],
    alpn: 'h2',
    serverChain: null,
    clientChain: null,
    chainVisible: true,
    certificateRequest: null,
    clientAuth: 'not-requested',
    clientAuthSource: 'observed',
    clientAuthReason: null,
    serverKeyExchangeGroup: 29,
    resumed: false,
    established: true,
    alerts: [],
    ja3: null, ja3String: null, ja3s: null, ja3sString: null, ja4: null,
    history: 'CsSiKxCcFf',
    midStream: false,
    encryptedHandshakeRecords: [[], []],
    ...o,
  };
}

/** A TLS 1.2 handshake where the server asked for a client certificate and got `chain` (or none). */
export function mtls(serverChain: CertFacts[], clientChain: CertFacts[] | null, o: Partial<TlsFacts> = {}): TlsFacts {
  return tls({
    serverChain,
    clientChain,
    certificateRequest: { certificateTypes: [1, 64], signatureAlgorithms: [0x0403], certificateAuthorities: ['CN=kubernetes'], source: 'observed' },
    clientAuth: clientChain && clientChain.length > 0 ? 'presented' : 'requested-not-presented',
    ...o,
  });
}

/** TLS 1.3 without keys: nothing after the ServerHello is readable. */
export function tls13(o: Partial<TlsFacts> = {}): TlsFacts {
  const t = tls({ version: 0x0304, cipher: 0x1301, chainVisible: false, alpn: null, clientAuth: 'unknown', clientAuthSource: 'observed', serverKeyExchangeGroup: null, ...o });
  return t;
}

export function exchange(o: Partial<HttpExchange> = {}): HttpExchange {
  return { method: 'GET', host: null, path: '/', status: 200, version: 'HTTP/1.1', auth: null, userAgent: null, contentType: null, ...o };
}

export function http(exchanges: HttpExchange[], o: Partial<HttpFacts> = {}): HttpFacts {
  return { exchanges, exchangesDropped: 0, connect: null, upgradedTo: null, ...o };
}

export function http2(exchanges: HttpExchange[], o: Partial<Http2Facts> = {}): Http2Facts {
  return { preface: true, midStream: false, exchanges, exchangesDropped: 0, grpc: false, goaway: null, rstStreams: 0, settings: [null, null], ...o };
}

/** A service-account JWT as the HTTP dissector describes it (kind, length, hash prefix, claims). */
export function saToken(o: Partial<CredentialFacts> = {}): CredentialFacts {
  return {
    kind: 'bearer', len: 912, sha256Prefix: '3f2a9c01b7de', carrier: 'authorization',
    jwt: { iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:default:builder', aud: ['https://kubernetes.default.svc.cluster.local'], exp: 1_800_000_000, bound: true },
    ...o,
  };
}

export function ssh(o: Partial<SshFacts> = {}): SshFacts {
  return {
    clientBanner: 'SSH-2.0-OpenSSH_9.6', serverBanner: 'SSH-2.0-OpenSSH_9.6', protoVersion: '2.0', clientKexInit: null, serverKexInit: null,
    kex: 'sntrup761x25519-sha512@openssh.com', hostKey: 'ssh-ed25519', cipherC2s: 'chacha20-poly1305@openssh.com', cipherS2c: 'chacha20-poly1305@openssh.com',
    macC2s: null, macS2c: null, compressionC2s: 'none', compressionS2c: 'none', hassh: null, hasshString: null, hasshServer: null, hasshServerString: null,
    weak: [], strictKex: true, newKeys: [true, true], ...o,
  };
}

let nextId = 1;

export function conn(o: Partial<ConnectionFacts> & { atMs?: number } = {}): ConnectionFacts {
  const { atMs, ...rest } = o;
  const start = (atMs ?? Date.parse('2026-11-28T10:00:00.123Z')) * 1000;
  return {
    id: nextId++,
    transport: 'tcp',
    client: { ip: '10.20.0.10', port: 53412 },
    server: { ip: '10.20.1.5', port: 10250 },
    clientBy: 'syn',
    proto: 'unknown',
    startMicros: start,
    endMicros: start + 2_000_000,
    packets: [12, 10],
    bytes: [1500, 4200],
    missingBytes: [0, 0],
    synSeen: true,
    overlapConflicts: 0,
    endReason: 'fin',
    tls: null,
    ssh: null,
    http: null,
    http2: null,
    tunnel: null,
    anomalies: [],
    ...rest,
  };
}
