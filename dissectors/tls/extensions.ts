import { Cursor, TlsParseError } from './cursor.js';

export const EXT_SERVER_NAME = 0;
export const EXT_SUPPORTED_GROUPS = 10;
export const EXT_EC_POINT_FORMATS = 11;
export const EXT_SIGNATURE_ALGORITHMS = 13;
export const EXT_ALPN = 16;
export const EXT_SESSION_TICKET = 35;
export const EXT_PRE_SHARED_KEY = 41;
export const EXT_EARLY_DATA = 42;
export const EXT_SUPPORTED_VERSIONS = 43;
export const EXT_CERTIFICATE_AUTHORITIES = 47;
export const EXT_KEY_SHARE = 51;

/** At most this many extensions are kept per hello (a real ClientHello has about 20). */
export const MAX_EXTENSIONS = 128;
const MAX_NAME = 255;

export interface Extension {
  type: number;
  /** A cursor over exactly the extension's data (a Buffer view per extension cost more than parsing it). */
  data: Cursor;
}

/** Extensions block of a hello (absent entirely in old hellos: then an empty list). */
export function readExtensions(c: Cursor): Extension[] {
  const out: Extension[] = [];
  if (c.remaining === 0) return out;
  const block = c.vector(2, 'extensions');
  while (block.remaining > 0) {
    const type = block.u16('extension type');
    const data = block.vector(2, 'extension data', 'tls.bad_extension');
    if (out.length < MAX_EXTENSIONS) out.push({ type, data });
  }
  return out;
}

/** Printable ASCII only; anything else is escaped so a wire string is never trusted verbatim. */
export function safeAscii(b: Buffer, from = 0, to = b.length): string {
  const n = Math.min(to, from + MAX_NAME);
  let plain = from;
  while (plain < n && b[plain]! >= 0x20 && b[plain]! < 0x7f && b[plain] !== 0x5c) plain++;
  if (plain === n) return b.toString('latin1', from, n);
  let s = b.toString('latin1', from, plain);
  for (let i = plain; i < n; i++) {
    const ch = b[i]!;
    s += ch >= 0x20 && ch < 0x7f && ch !== 0x5c ? String.fromCharCode(ch) : '\\x' + ch.toString(16).padStart(2, '0');
  }
  return s;
}

export function parseSni(data: Cursor): string | null {
  const list = data.vector(2, 'server_name_list');
  while (list.remaining > 0) {
    const nameType = list.u8('name_type');
    const name = list.vector(2, 'host_name');
    if (nameType === 0) return safeAscii(name.buf, name.off, name.end);
  }
  return null;
}

/** ALPN protocol names as raw bytes (JA4 needs the bytes; names are shown via safeAscii). */
export function parseAlpnRaw(data: Cursor): Buffer[] {
  const list = data.vector(2, 'protocol_name_list');
  const out: Buffer[] = [];
  while (list.remaining > 0) {
    const p = list.vector(1, 'protocol_name');
    if (out.length < 32) out.push(p.buf.subarray(p.off, p.end));
  }
  return out;
}

export function parseU16List(data: Cursor, prefix: 1 | 2, what: string): number[] {
  return data.u16List(prefix, what);
}

export function parseU8List(data: Cursor, what: string): number[] {
  return data.u8List(what);
}

/** ClientHello key_share: the groups of the offered shares. */
export function parseKeyShareGroups(data: Cursor): number[] {
  const list = data.vector(2, 'client_shares');
  const out: number[] = [];
  while (list.remaining > 0) {
    const group = list.u16('key_share group');
    list.vector(2, 'key_exchange');
    if (out.length < 32) out.push(group);
  }
  return out;
}

/** ServerHello key_share (a KeyShareEntry) or HelloRetryRequest key_share (a bare group). */
export function parseServerKeyShareGroup(data: Cursor): number {
  return data.u16('selected group');
}

export function parseServerSupportedVersion(data: Cursor): number {
  if (data.remaining !== 2) throw new TlsParseError('tls.bad_extension', `server supported_versions of ${data.remaining} bytes`);
  return data.u16('supported_version');
}
