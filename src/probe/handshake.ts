import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type SecureVersion, type TLSSocket } from 'node:tls';
import { tlsFactory } from '../../dissectors/tls/index.js';
import type { TlsFacts } from '../core/facts.js';
import type { Dissector, StreamSink } from '../core/dissector.js';
import type { Endpoint } from '../facts/connection.js';
import { KeyLogStore } from '../secrets/keylog.js';
import type { OwnTraffic } from './own-traffic.js';
import { TapDuplex } from './tap.js';
import type { ProbeProblem, ProbeTarget, VersionName } from './types.js';

const SECURE_VERSION: Record<VersionName, SecureVersion> = {
  'TLS 1.0': 'TLSv1',
  'TLS 1.1': 'TLSv1.1',
  'TLS 1.2': 'TLSv1.2',
  'TLS 1.3': 'TLSv1.3',
};
/** Bytes of a kubelet's answer read before the status line must have come. */
const MAX_STATUS_BYTES = 8192;
const BIND_TRIES = 5;

export interface HandshakeOptions {
  target: ProbeTarget;
  /** Offer only this version; null: the client's defaults (TLS 1.2 and 1.3). */
  version: VersionName | null;
  /** Whole connection: TCP connect, handshake and what follows. */
  timeoutMs: number;
  own: OwnTraffic | null;
  /** Send one unauthenticated `GET /pods` and keep only its status code. */
  getPods: boolean;
  /** How long to wait after the handshake for a refusal of the missing client certificate. */
  settleMs: number;
}

export interface HandshakeOutcome {
  established: boolean;
  local: Endpoint | null;
  /** The handshake's facts from our own dissector over the bytes that crossed. */
  tls: TlsFacts | null;
  /** A fatal alert (or close) right after the handshake: the server wants a client certificate. */
  refusedAfter: boolean;
  status: number | null;
  problem: ProbeProblem | null;
  /** The server answered in TLS but refused the offered version. */
  versionRefused: boolean;
}

function problemOf(e: NodeJS.ErrnoException, established: boolean): ProbeProblem {
  const code = e.code ?? '';
  // OpenSSL's message carries its source file and line; its `reason` is the part a reader needs.
  const reason = (e as { reason?: string }).reason ?? e.message.split(' - Local')[0];
  const detail = `${code || 'error'}: ${reason}`.slice(0, 200);
  if (code === 'ECONNREFUSED') return { code: 'probe.refused', detail };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { code: 'probe.reset', detail };
  if (code === 'ETIMEDOUT' || code === 'PROBE_TIMEOUT') return { code: 'probe.timeout', detail };
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE|UNEXPECTED_MESSAGE|BAD_PACKET|HTTP_REQUEST|RECORD_LENGTH/.test(code)) return { code: 'probe.not_tls', detail };
  if (code.startsWith('ERR_SSL') && !established) return { code: 'probe.handshake_failed', detail };
  return { code: 'probe.error', detail };
}

function isVersionRefusal(e: NodeJS.ErrnoException): boolean {
  return /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW|VERSION_TOO_HIGH|ALERT_HANDSHAKE_FAILURE|NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE|INAPPROPRIATE_FALLBACK/.test(e.code ?? '');
}

/** Alerts a server sends when the client brought no certificate (TLS 1.3 sends them after our Finished). */
function isClientCertRefusal(e: NodeJS.ErrnoException): boolean {
  return /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|HANDSHAKE_FAILURE|UNKNOWN_CA|ACCESS_DENIED|CERTIFICATE_UNKNOWN/.test(e.code ?? '');
}

function openTcp(target: ProbeTarget, own: OwnTraffic | null, tries: number): Promise<{ socket: Socket; localPort: number | null }> {
  const { ip, port } = target.server;
  const localPort = own ? own.claim(ip, port) : null;
  const socket = tcpConnect({ host: ip, port, ...(localPort !== null ? { localPort } : {}) });
  return new Promise((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => {
      socket.destroy();
      if (localPort !== null) own!.release(ip, port, localPort);
      if (e.code === 'EADDRINUSE' && tries > 1) openTcp(target, own, tries - 1).then(resolve, reject);
      else reject(e);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      resolve({ socket, localPort });
    });
  });
}

/** Feeds the bytes that crossed to our TLS dissector, with the probe's own session secrets. */
function dissect(chunks: readonly [0 | 1, Buffer][], keys: KeyLogStore): TlsFacts | null {
  if (chunks.length === 0) return null;
  const none: StreamSink = { data() {}, gap() {}, end() {} };
  const session: Dissector = tlsFactory.create({ anomaly() {}, tunnel: () => none, secrets: keys, decryptApp: false });
  const now = Date.now() * 1000;
  for (const [dir, b] of chunks) {
    if (session.done) break;
    session.data(dir, b, now);
  }
  return session.facts() as TlsFacts;
}

/**
 * One TLS connection to the target as a client without credentials. Never throws: every failure
 * is a `problem`. What is learned comes from the bytes themselves, read by our own TLS dissector.
 */
export async function probeHandshake(o: HandshakeOptions): Promise<HandshakeOutcome> {
  const out: HandshakeOutcome = { established: false, local: null, tls: null, refusedAfter: false, status: null, problem: null, versionRefused: false };
  const keys = new KeyLogStore(16);
  let tap: TapDuplex | null = null;
  let sock: TLSSocket | null = null;
  let tcp: { socket: Socket; localPort: number | null } | null = null;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: 'PROBE_TIMEOUT' })), o.timeoutMs);
  });
  deadline.catch(() => {});
  try {
    tcp = await Promise.race([openTcp(o.target, o.own, BIND_TRIES), deadline]);
    out.local = { ip: tcp.socket.localAddress ?? '', port: tcp.socket.localPort ?? 0 };
    tap = new TapDuplex(tcp.socket);
    const sni = o.target.sni !== null && isIP(o.target.sni) === 0 ? o.target.sni : undefined;
    const legacy = o.version === 'TLS 1.0' || o.version === 'TLS 1.1';
    const s = tlsConnect({
      socket: tap,
      ...(sni ? { servername: sni } : {}),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      ...(o.version ? { minVersion: SECURE_VERSION[o.version], maxVersion: SECURE_VERSION[o.version] } : {}),
      // OpenSSL 3 refuses TLS 1.0 / 1.1 at its default security level: the question is what the server takes.
      ...(legacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
    });
    sock = s;
    s.on('keylog', (line: Buffer) => keys.addText(line.toString('latin1')));
    const errors: NodeJS.ErrnoException[] = [];
    s.on('error', (e) => errors.push(e));
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        s.once('secureConnect', resolve);
        s.once('error', reject);
        s.once('close', () => reject(Object.assign(new Error('closed during the handshake'), { code: 'ECONNRESET' })));
      }),
      deadline,
    ]);
    out.established = true;
    if (o.getPods || o.settleMs > 0) {
      const after = await Promise.race([afterHandshake(s, o), deadline.catch(() => ({ status: null, closed: false }))]);
      out.status = after.status;
      const e = errors.find(isClientCertRefusal);
      out.refusedAfter = e !== undefined || (after.status === null && after.closed && !o.getPods);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    out.versionRefused = o.version !== null && isVersionRefusal(err);
    out.problem = problemOf(err, out.established);
  } finally {
    clearTimeout(timer);
    sock?.destroy();
    tap?.destroy();
    if (tcp?.localPort != null) o.own?.release(o.target.server.ip, o.target.server.port, tcp.localPort);
  }
  out.tls = tap ? dissect(tap.chunks, keys) : null;
  return out;
}

/**
 * After the handshake: the kubelet's `GET /pods` (status line kept, the body never read past
 * it), or a short wait in which a server that needs a client certificate sends its alert.
 */
function afterHandshake(s: TLSSocket, o: HandshakeOptions): Promise<{ status: number | null; closed: boolean }> {
  return new Promise((resolve) => {
    let head = '';
    let done = false;
    const finish = (status: number | null, closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      resolve({ status, closed });
    };
    const t = setTimeout(() => finish(null, false), o.getPods ? o.timeoutMs : o.settleMs);
    s.on('data', (b: Buffer) => {
      if (!o.getPods) return;
      head += b.toString('latin1', 0, Math.min(b.length, MAX_STATUS_BYTES));
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})[ \r]/.exec(head);
      if (m) finish(Number(m[1]), false);
      else if (head.length >= MAX_STATUS_BYTES || (head.includes('\n') && !head.startsWith('HTTP/'))) finish(null, false);
    });
    s.once('close', () => finish(null, true));
    s.once('error', () => finish(null, true));
    if (o.getPods) {
      const host = o.target.server.ip.includes(':') ? `[${o.target.server.ip}]:${o.target.server.port}` : `${o.target.server.ip}:${o.target.server.port}`;
      s.write(`GET /pods HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: comms-watch-probe\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    }
  });
}
