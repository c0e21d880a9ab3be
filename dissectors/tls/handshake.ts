import { createHash, type Hash } from 'node:crypto';
import type { CertFacts, CertificateRequestFacts, FactSource, TlsFacts } from '../../src/core/facts.js';
import type { Direction } from '../../src/core/stream.js';
import { parseCertificateRequest } from './cert-request.js';
import { parseCertificateMessage, type ParsedChain } from './certs.js';
import { MessageCache } from '../../src/core/message-cache.js';
import { clientHello, serverHello, type ClientHelloResult } from './hello-cache.js';
import { Cursor } from './cursor.js';
import { EXT_ALPN, EXT_PRE_SHARED_KEY, parseAlpnRaw, readExtensions, safeAscii } from './extensions.js';
import { cipherName } from './names.js';
import { addHistory, handshakeLetter } from './state.js';

export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;
export const HS_ENCRYPTED_EXTENSIONS = 8;
export const HS_CERTIFICATE = 11;
export const HS_SERVER_KEY_EXCHANGE = 12;
export const HS_CERTIFICATE_REQUEST = 13;
export const HS_SERVER_HELLO_DONE = 14;
export const HS_FINISHED = 20;

/** Handshake state shared by the record layer and the message dispatcher. */
export interface HandshakeState {
  tls: TlsFacts;
  clientSessionId: string | null;
  /** The negotiated version is 1.3 (or a 1.3 draft). */
  tls13: boolean;
  /** The server sent Certificate / ServerKeyExchange / ServerHelloDone: a full TLS <= 1.2 handshake. */
  fullHandshake: boolean;
  /** A client Certificate message was seen (in the clear or decrypted). */
  clientCertificateSeen: boolean;
  /** A leaf cut by the size cap, hashed as the rest of its message streams by (`restOfMessage`). */
  cutLeaf: CutLeaf | null;
  anomaly(code: string, detail: string, dir: Direction): void;
}

export interface CutLeaf {
  dir: Direction;
  hash: Hash;
  /** DER bytes still to come. */
  left: number;
  cert: CertFacts;
}

export function isTls13(version: number): boolean {
  return version === 0x0304 || (version & 0xff00) === 0x7f00;
}

/** Feeds one ClientHello (or SSLv2 CLIENT-HELLO) into the facts; the first one defines the fingerprints. */
export function applyClientHello(s: HandshakeState, p: ClientHelloResult): void {
  const f = s.tls;
  addHistory(f, 0, 'c');
  if (f.clientHello !== null) return;
  f.clientHello = p.facts;
  s.clientSessionId = p.sessionId;
  f.sni = p.facts.sni;
  f.alpnOffered = p.facts.alpn;
  f.ja3String = p.ja3String;
  f.ja3 = p.ja3;
  f.ja4 = p.ja4;
}

function onServerHello(s: HandshakeState, body: Buffer): void {
  const f = s.tls;
  const p = serverHello(body, s.clientSessionId);
  if (p.facts.helloRetryRequest) {
    f.helloRetry = true;
    addHistory(f, 1, 'j');
    return;
  }
  addHistory(f, 1, 's');
  if (f.serverHello !== null) return;
  // Only the ServerHello compares with it: the string need not live as long as the connection.
  s.clientSessionId = null;
  f.serverHello = p.facts;
  f.version = p.facts.version;
  f.cipher = p.facts.cipher;
  f.alpn = p.facts.alpn;
  f.ja3sString = p.ja3sString;
  f.ja3s = p.ja3s;
  s.tls13 = isTls13(p.facts.version);
  if (s.tls13) f.resumed = p.facts.extensions.includes(EXT_PRE_SHARED_KEY);
  else if (p.facts.sessionIdEchoed) f.resumed = true;
}

/** Certificate and CertificateRequest messages already parsed (MessageCache says why). */
const chains = new MessageCache<ParsedChain>(256);
const requests = new MessageCache<CertificateRequestFacts>(256);

/** A parsed chain, shared by every connection that saw the same message: chains are never changed. */
function certificateMessage(body: Buffer, tls13: boolean, truncated: boolean): ParsedChain {
  const variant = tls13 ? (truncated ? '3t' : '3') : truncated ? '2t' : '2';
  const hit = chains.get(body, variant);
  if (hit !== undefined) return hit;
  const parsed = parseCertificateMessage(body, tls13, truncated);
  // A cut leaf's fingerprint depends on bytes past the head: such a chain is the connection's own.
  if (parsed.cutLeaf === undefined) chains.set(body, variant, parsed);
  return parsed;
}

function onCertificate(s: HandshakeState, dir: Direction, body: Buffer, source: FactSource, truncated: boolean): void {
  const f = s.tls;
  const parsed = certificateMessage(body, s.tls13, truncated);
  for (const e of parsed.errors) s.anomaly('tls.cert_parse_error', e, dir);
  if (parsed.count > parsed.chain.length && parsed.errors.length === 0) {
    s.anomaly('tls.chain_too_long', `${parsed.count} certificates, ${parsed.chain.length} kept`, dir);
  }
  f.chainVisible = true;
  const cut = parsed.cutLeaf;
  if (cut !== undefined && parsed.chain[0] !== undefined) {
    const have = body.length - cut.start;
    s.cutLeaf = { dir, hash: createHash('sha256').update(body.subarray(cut.start)), left: cut.length - have, cert: parsed.chain[0] };
  }
  if (dir === 1) {
    f.serverChain = parsed.chain;
    s.fullHandshake = true;
    return;
  }
  s.clientCertificateSeen = true;
  f.clientChain = parsed.chain;
  f.clientAuth = parsed.count > 0 ? 'presented' : 'requested-not-presented';
  f.clientAuthSource = source;
  f.clientAuthReason = parsed.count > 0 ? `client Certificate with ${parsed.count} certificate(s)` : 'empty client Certificate';
}

/** Bytes of an oversized handshake message past its kept head, in order. */
export function restOfMessage(s: HandshakeState, dir: Direction, data: Buffer, start: number, end: number): void {
  const cut = s.cutLeaf;
  if (cut === null || cut.dir !== dir) return;
  const n = Math.min(cut.left, end - start);
  cut.hash.update(data.subarray(start, start + n));
  cut.left -= n;
  if (cut.left === 0) {
    cut.cert.sha256 = cut.hash.digest('hex');
    s.cutLeaf = null;
  }
}

/** ServerKeyExchange for ECDHE suites: ECParameters with curve_type named_curve (3) then the group. */
function onServerKeyExchange(s: HandshakeState, body: Buffer): void {
  s.fullHandshake = true;
  const cipher = s.tls.cipher;
  if (cipher === null || !cipherName(cipher).includes('ECDH')) return;
  const c = new Cursor(body, 0, body.length, 'tls.bad_server_key_exchange');
  if (c.u8('curve_type') === 3) s.tls.serverKeyExchangeGroup = c.u16('named_curve');
}

function onCertificateRequest(s: HandshakeState, dir: Direction, body: Buffer, source: FactSource): void {
  const f = s.tls;
  const variant = `${f.version ?? 0}${s.tls13 ? 't' : ''}`;
  const hit = requests.get(body, variant);
  if (hit !== undefined) {
    f.certificateRequest = hit.source === source ? hit : { ...hit, source };
  } else {
    let clean = true;
    f.certificateRequest = parseCertificateRequest(body, f.version ?? 0, s.tls13, source, (d) => {
      clean = false;
      s.anomaly('tls.bad_distinguished_name', d, dir);
    });
    // Only a request without anomalies is reused: a cached one would not report them again.
    if (clean) requests.set(body, variant, f.certificateRequest);
  }
  if (!s.clientCertificateSeen) {
    f.clientAuth = 'requested-not-presented';
    f.clientAuthSource = source;
    f.clientAuthReason = 'CertificateRequest seen, no client Certificate yet';
  }
}

function onEncryptedExtensions(s: HandshakeState, body: Buffer): void {
  const c = new Cursor(body, 0, body.length, 'tls.bad_encrypted_extensions');
  for (const ext of readExtensions(c)) {
    if (ext.type !== EXT_ALPN) continue;
    const names = parseAlpnRaw(ext.data);
    if (names.length > 0) s.tls.alpn = safeAscii(names[0]!);
  }
}

/**
 * One complete plaintext handshake message, from the clear or from a decryptor (`source` says which).
 * Throws TlsParseError on malformed input; the caller turns it into an anomaly.
 */
export function handleHandshakeMessage(
  s: HandshakeState,
  dir: Direction,
  type: number,
  body: Buffer,
  recordVersion: number,
  source: FactSource,
  fullLength = body.length,
): void {
  const f = s.tls;
  const truncated = fullLength > body.length;
  if (truncated && type !== HS_CERTIFICATE) {
    addHistory(f, dir, handshakeLetter(type));
    return;
  }
  switch (type) {
    case HS_CLIENT_HELLO:
      if (dir === 0) applyClientHello(s, clientHello(body, recordVersion));
      else addHistory(f, dir, 'c');
      return;
    case HS_SERVER_HELLO:
      if (dir === 1) onServerHello(s, body);
      else addHistory(f, dir, 's');
      return;
    case HS_CERTIFICATE:
      addHistory(f, dir, 'x');
      onCertificate(s, dir, body, source, truncated);
      return;
    case HS_SERVER_KEY_EXCHANGE:
      addHistory(f, dir, 'k');
      if (dir === 1) onServerKeyExchange(s, body);
      return;
    case HS_CERTIFICATE_REQUEST:
      addHistory(f, dir, 'r');
      if (dir === 1) onCertificateRequest(s, dir, body, source);
      return;
    case HS_SERVER_HELLO_DONE:
      addHistory(f, dir, 'n');
      s.fullHandshake = true;
      if (dir === 1 && f.certificateRequest === null) {
        f.clientAuth = 'not-requested';
        f.clientAuthSource = source;
        f.clientAuthReason = 'ServerHelloDone without CertificateRequest';
      }
      return;
    case HS_ENCRYPTED_EXTENSIONS:
      addHistory(f, dir, 'o');
      if (dir === 1) onEncryptedExtensions(s, body);
      return;
    case HS_FINISHED:
      addHistory(f, dir, 'f');
      if (dir === 1 && s.tls13 && f.certificateRequest === null && !f.resumed) {
        f.clientAuth = 'not-requested';
        f.clientAuthSource = source;
        f.clientAuthReason = 'server Finished without CertificateRequest';
      }
      return;
    default:
      addHistory(f, dir, handshakeLetter(type));
  }
}
