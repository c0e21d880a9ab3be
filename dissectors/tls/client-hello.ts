import type { ClientHelloFacts } from '../../src/core/facts.js';
import { Cursor, TlsParseError } from './cursor.js';
import {
  EXT_ALPN, EXT_EARLY_DATA, EXT_EC_POINT_FORMATS, EXT_KEY_SHARE, EXT_PRE_SHARED_KEY, EXT_SERVER_NAME,
  EXT_SESSION_TICKET, EXT_SIGNATURE_ALGORITHMS, EXT_SUPPORTED_GROUPS, EXT_SUPPORTED_VERSIONS,
  parseAlpnRaw, parseKeyShareGroups, parseSni, parseU16List, parseU8List, readExtensions, safeAscii,
} from './extensions.js';

export interface ParsedClientHello {
  facts: ClientHelloFacts;
  /**
   * The legacy session id as a latin1 string (resumption check against the ServerHello). Kept for the
   * connection's life: a small Buffer copy would pin a whole 8 KiB pool slab.
   */
  sessionId: string;
  /** Raw ALPN names, copied (JA4 takes characters from the bytes). */
  alpnRaw: Buffer[];
}

function emptyFacts(recordVersion: number): ClientHelloFacts {
  return {
    legacyVersion: 0, recordVersion, sessionIdLength: 0, ciphers: [], compression: [], extensions: [],
    sni: null, alpn: [], supportedVersions: [], signatureAlgorithms: [], groups: [], ecPointFormats: [],
    keyShareGroups: [], psk: false, earlyData: false, sessionTicket: false, sslv2: false, random: '',
  };
}

export function parseClientHello(body: Buffer, recordVersion: number): ParsedClientHello {
  const f = emptyFacts(recordVersion);
  const c = new Cursor(body, 0, body.length, 'tls.bad_client_hello');
  f.legacyVersion = c.u16('legacy_version');
  f.random = c.bytes(32, 'random').toString('hex');
  const sid = c.vector(1, 'session_id');
  if (sid.remaining > 32) throw new TlsParseError('tls.bad_client_hello', `session id of ${sid.remaining} bytes`);
  f.sessionIdLength = sid.remaining;
  const sessionId = sid.buf.toString('latin1', sid.off, sid.end);
  f.ciphers = c.u16List(2, 'cipher_suites');
  f.compression = c.u8List('compression_methods');
  const alpnRaw: Buffer[] = [];
  for (const ext of readExtensions(c)) {
    f.extensions.push(ext.type);
    switch (ext.type) {
      case EXT_SERVER_NAME:
        f.sni = parseSni(ext.data);
        break;
      case EXT_ALPN:
        for (const p of parseAlpnRaw(ext.data)) {
          alpnRaw.push(Buffer.from(p));
          f.alpn.push(safeAscii(p));
        }
        break;
      case EXT_SUPPORTED_VERSIONS:
        f.supportedVersions = parseU16List(ext.data, 1, 'supported_versions');
        break;
      case EXT_SIGNATURE_ALGORITHMS:
        f.signatureAlgorithms = parseU16List(ext.data, 2, 'signature_algorithms');
        break;
      case EXT_SUPPORTED_GROUPS:
        f.groups = parseU16List(ext.data, 2, 'supported_groups');
        break;
      case EXT_EC_POINT_FORMATS:
        f.ecPointFormats = parseU8List(ext.data, 'ec_point_formats');
        break;
      case EXT_KEY_SHARE:
        f.keyShareGroups = parseKeyShareGroups(ext.data);
        break;
      case EXT_PRE_SHARED_KEY:
        f.psk = true;
        break;
      case EXT_EARLY_DATA:
        f.earlyData = true;
        break;
      case EXT_SESSION_TICKET:
        f.sessionTicket = true;
        break;
    }
  }
  return { facts: f, sessionId, alpnRaw };
}

/**
 * An SSLv2-compatible CLIENT-HELLO (RFC 5246 appendix E.2); `body` starts at msg_type. Cipher specs whose
 * first byte is 0 are TLS suites; SSLv2-only specs have no TLS code and are left out.
 */
export function parseSslv2ClientHello(body: Buffer): ParsedClientHello {
  const f = emptyFacts(0x0002);
  f.sslv2 = true;
  const c = new Cursor(body, 0, body.length, 'tls.bad_sslv2_hello');
  c.u8('msg_type');
  f.legacyVersion = c.u16('version');
  const specLen = c.u16('cipher_spec_length');
  const sidLen = c.u16('session_id_length');
  const chalLen = c.u16('challenge_length');
  if (specLen % 3 !== 0 || sidLen > 32 || chalLen < 16 || chalLen > 32) {
    throw new TlsParseError('tls.bad_sslv2_hello', `spec ${specLen} session ${sidLen} challenge ${chalLen}`);
  }
  const specs = c.bytes(specLen, 'cipher_specs');
  for (let i = 0; i < specLen && f.ciphers.length < 512; i += 3) {
    if (specs[i] === 0) f.ciphers.push(specs.readUInt16BE(i + 1));
  }
  const sessionId = c.bytes(sidLen, 'session_id').toString('latin1');
  f.sessionIdLength = sidLen;
  const challenge = c.bytes(chalLen, 'challenge');
  const random = Buffer.alloc(32);
  challenge.copy(random, 32 - chalLen);
  f.random = random.toString('hex');
  f.compression = [0];
  return { facts: f, sessionId, alpnRaw: [] };
}
