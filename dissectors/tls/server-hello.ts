import type { ServerHelloFacts } from '../../src/core/facts.js';
import { Cursor, TlsParseError } from './cursor.js';
import {
  EXT_ALPN, EXT_KEY_SHARE, EXT_SUPPORTED_VERSIONS, parseAlpnRaw, parseServerKeyShareGroup,
  parseServerSupportedVersion, readExtensions, safeAscii,
} from './extensions.js';

/** SHA-256("HelloRetryRequest"): the ServerHello random that marks a HelloRetryRequest (RFC 8446 4.1.3). */
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
export const HRR_RANDOM_BYTES = Buffer.from(HRR_RANDOM, 'hex');

export interface ParsedServerHello {
  facts: ServerHelloFacts;
  /** latin1, as the ClientHello's. */
  sessionId: string;
}

export function parseServerHello(body: Buffer, clientSessionId: string | null): ParsedServerHello {
  const c = new Cursor(body, 0, body.length, 'tls.bad_server_hello');
  const legacyVersion = c.u16('legacy_version');
  const random = c.bytes(32, 'random').toString('hex');
  // TLS 1.3 drafts before 22 put the draft version here and have no session id or compression.
  const draft = (legacyVersion & 0xff00) === 0x7f00;
  const sid = draft ? null : c.vector(1, 'session_id');
  if (sid !== null && sid.remaining > 32) throw new TlsParseError('tls.bad_server_hello', `session id of ${sid.remaining} bytes`);
  const sessionId = sid === null ? '' : sid.buf.toString('latin1', sid.off, sid.end);
  const f: ServerHelloFacts = {
    legacyVersion,
    version: legacyVersion,
    cipher: c.u16('cipher_suite'),
    compression: draft ? 0 : c.u8('compression_method'),
    extensions: [],
    alpn: null,
    sessionIdLength: sessionId.length,
    sessionIdEchoed: sessionId.length > 0 && sessionId === clientSessionId,
    helloRetryRequest: random === HRR_RANDOM,
    selectedGroup: null,
    random,
  };
  for (const ext of readExtensions(c)) {
    f.extensions.push(ext.type);
    switch (ext.type) {
      case EXT_SUPPORTED_VERSIONS:
        f.version = parseServerSupportedVersion(ext.data);
        break;
      case EXT_ALPN: {
        const names = parseAlpnRaw(ext.data);
        if (names.length > 0) f.alpn = safeAscii(names[0]!);
        break;
      }
      case EXT_KEY_SHARE:
        f.selectedGroup = parseServerKeyShareGroup(ext.data);
        break;
    }
  }
  return { facts: f, sessionId };
}
