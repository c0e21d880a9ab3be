import type { ClientHelloFacts, ServerHelloFacts } from '../../src/core/facts.js';
import { parseClientHello, type ParsedClientHello } from './client-hello.js';
import { Cursor } from './cursor.js';
import {
  EXT_ALPN, EXT_EC_POINT_FORMATS, EXT_KEY_SHARE, EXT_SERVER_NAME, EXT_SIGNATURE_ALGORITHMS, EXT_SUPPORTED_GROUPS,
  EXT_SUPPORTED_VERSIONS, MAX_EXTENSIONS, parseSni, safeAscii,
} from './extensions.js';
import { clientFingerprints, serverFingerprint } from './fingerprint-cache.js';
import { HRR_RANDOM_BYTES, parseServerHello, type ParsedServerHello } from './server-hello.js';

/**
 * ClientHellos and ServerHellos by wire shape. A cluster's clients and servers send the same few
 * hellos again and again; only the random, the session id, the key shares and the server name
 * change. One bounds-checked walk over the message copies the bytes every shared fact is made
 * of (the "shape") into a scratch buffer; a hello whose shape equals, byte for byte, that of a
 * hello parsed before takes that parse's lists and fingerprints, and only its own random, session
 * id and server name are read. Parsing each hello (an object per extension, a list per vector) and
 * its garbage was most of what a TLS handshake cost. Only hellos the full parser accepted become
 * entries, and anything the walk does not follow exactly goes to the full parser, whose errors
 * stay what they were.
 *
 * The shape is an unambiguous encoding (each extension's form follows from its type), so equal
 * shapes mean equal inputs to every shared fact.
 */

const MAX_ENTRIES = 4096;

/** Hellos answered from the cache and by the full parser, since start (tests and profiling read them). */
export const helloCacheStats = { clientHits: 0, clientMisses: 0, serverHits: 0, serverMisses: 0 };
/** Longer shapes are not cached (a real hello's is a few hundred bytes). */
const MAX_SHAPE = 2048;
const scratch = Buffer.allocUnsafeSlow(MAX_SHAPE);

/** ClientHello extensions whose whole data is part of the shape (lists the facts keep). */
function clientDataInShape(type: number): boolean {
  return type === EXT_SUPPORTED_GROUPS || type === EXT_EC_POINT_FORMATS || type === EXT_SIGNATURE_ALGORITHMS
    || type === EXT_ALPN || type === EXT_SUPPORTED_VERSIONS;
}

function fnv(n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ scratch[i]!, 0x01000193);
  return h;
}

/** A byte loop: Buffer.compare's argument checks cost more than comparing a few hundred bytes. */
function sameShape(shape: Buffer, n: number): boolean {
  if (shape.length !== n) return false;
  for (let i = 0; i < n; i++) if (shape[i] !== scratch[i]) return false;
  return true;
}

/** The entry whose shape is the scratch's first `n` bytes (none when the walk gave up, n < 0). */
function entryFor<E extends { shape: Buffer }>(map: Map<number, E>, n: number): E | undefined {
  if (n < 0) return undefined;
  const hit = map.get(fnv(n));
  return hit !== undefined && sameShape(hit.shape, n) ? hit : undefined;
}

/** Keeps a parse under the scratch's first `n` bytes (the full parser leaves the scratch alone). */
function store<E>(map: Map<number, E>, n: number, entry: (shape: Buffer) => E): void {
  if (n < 0) return;
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(fnv(n), entry(Buffer.from(scratch.subarray(0, n))));
}

/** Copies b[from, to) into the scratch at `n`; returns the new length, or -1 when it would not fit. */
function put(b: Buffer, from: number, to: number, n: number): number {
  if (n + to - from > MAX_SHAPE) return -1;
  for (let i = from; i < to; i++) scratch[n++] = b[i]!;
  return n;
}

interface ClientEntry {
  shape: Buffer;
  facts: ClientHelloFacts;
  alpnRaw: Buffer[];
  ja3String: string;
  ja3: string;
  ja4: string;
}

export interface ClientHelloResult extends ParsedClientHello {
  ja3String: string;
  ja3: string;
  ja4: string;
}

const clients = new Map<number, ClientEntry>();
/** Where the last walked ClientHello keeps its own (unshared) fields. */
let sidAt = 0;
let sidLen = 0;
let sniFrom = -1;
let sniTo = -1;

/** Walks a ClientHello body into the scratch; returns the shape length, or -1 for the full parser. */
function walkClient(b: Buffer): number {
  const end = b.length;
  if (end < 35) return -1;
  scratch[0] = b[0]!;
  scratch[1] = b[1]!;
  let n = 2;
  let p = 34;
  sidLen = b[p]!;
  sidAt = p + 1;
  if (sidLen > 32) return -1;
  p += 1 + sidLen;
  if (p + 2 > end) return -1;
  let len = (b[p]! << 8) | b[p + 1]!;
  if ((len & 1) !== 0 || p + 2 + len > end) return -1;
  n = put(b, p, p + 2 + len, n);
  p += 2 + len;
  if (n < 0 || p + 1 > end) return -1;
  len = b[p]!;
  if (p + 1 + len > end) return -1;
  n = put(b, p, p + 1 + len, n);
  p += 1 + len;
  if (n < 0) return -1;
  sniFrom = -1;
  sniTo = -1;
  return walkExtensions(b, p, end, n, false);
}

/**
 * An extensions block at `p` (none when `p` is the end) into the scratch from `n`: each extension's
 * type, then what of it belongs to the shape (`server` chooses the hello). Returns the new length or -1.
 */
function walkExtensions(b: Buffer, p: number, end: number, n: number, server: boolean): number {
  if (p === end) return n;
  if (p + 2 > end) return -1;
  const blockEnd = p + 2 + ((b[p]! << 8) | b[p + 1]!);
  if (blockEnd > end) return -1;
  p += 2;
  let count = 0;
  while (p < blockEnd) {
    if (p + 4 > blockEnd || ++count > MAX_EXTENSIONS) return -1;
    const dataEnd = p + 4 + ((b[p + 2]! << 8) | b[p + 3]!);
    if (dataEnd > blockEnd) return -1;
    n = server ? serverExtension(b, p, dataEnd, n) : clientExtension(b, p, dataEnd, n);
    if (n < 0) return -1;
    p = dataEnd;
  }
  return n;
}

/** A ClientHello extension at `p` (header included) into the shape; the server name's place is noted. */
function clientExtension(b: Buffer, p: number, dataEnd: number, n: number): number {
  if (n + 2 > MAX_SHAPE) return -1;
  const type = (b[p]! << 8) | b[p + 1]!;
  scratch[n++] = b[p]!;
  scratch[n++] = b[p + 1]!;
  if (clientDataInShape(type)) return put(b, p + 2, dataEnd, n);
  if (type === EXT_KEY_SHARE) return keyShareGroups(b, p + 4, dataEnd, n);
  if (type === EXT_SERVER_NAME) {
    sniFrom = p + 4;
    sniTo = dataEnd;
  }
  return n;
}

/** A ServerHello extension at `p` (header included) into the shape: all of it, but of a key share only its group. */
function serverExtension(b: Buffer, p: number, dataEnd: number, n: number): number {
  if (((b[p]! << 8) | b[p + 1]!) !== EXT_KEY_SHARE) return put(b, p, dataEnd, n);
  if (dataEnd - p < 6) return -1;
  n = put(b, p, p + 2, n);
  return n < 0 ? -1 : put(b, p + 4, p + 6, n);
}

/** The groups of a ClientHello key_share (not the shares), each entry's framing checked, after their count. */
function keyShareGroups(b: Buffer, p: number, end: number, n: number): number {
  if (p + 2 > end || n + 2 > MAX_SHAPE) return -1;
  const listEnd = p + 2 + ((b[p]! << 8) | b[p + 1]!);
  if (listEnd > end) return -1;
  p += 2;
  const countAt = n;
  n += 2;
  let groups = 0;
  while (p < listEnd) {
    if (p + 4 > listEnd || n + 2 > MAX_SHAPE) return -1;
    scratch[n++] = b[p]!;
    scratch[n++] = b[p + 1]!;
    groups++;
    p += 4 + ((b[p + 2]! << 8) | b[p + 3]!);
  }
  if (p !== listEnd) return -1;
  scratch[countAt] = groups >>> 8;
  scratch[countAt + 1] = groups & 0xff;
  return n;
}

/** The host name of the walked hello's server_name extension, as parseSni reads it (which also reports malformed lists). */
function serverName(b: Buffer): string | null {
  let p = sniFrom;
  if (p + 2 > sniTo) return parseSni(new Cursor(b, sniFrom, sniTo, 'tls.bad_extension'));
  const listEnd = p + 2 + ((b[p]! << 8) | b[p + 1]!);
  p += 2;
  while (p + 3 <= listEnd && listEnd <= sniTo) {
    const nameEnd = p + 3 + ((b[p + 1]! << 8) | b[p + 2]!);
    if (nameEnd > listEnd) break;
    if (b[p] === 0) return safeAscii(b, p + 3, nameEnd);
    p = nameEnd;
  }
  return parseSni(new Cursor(b, sniFrom, sniTo, 'tls.bad_extension'));
}

/**
 * A ClientHello's facts and fingerprints; throws TlsParseError as parseClientHello does. Lists of
 * equal hellos are shared: parsed facts are never changed.
 */
export function clientHello(body: Buffer, recordVersion: number): ClientHelloResult {
  const n = walkClient(body);
  const hit = entryFor(clients, n);
  if (hit !== undefined) {
    helloCacheStats.clientHits++;
    const t = hit.facts;
    const sni = sniFrom < 0 ? null : serverName(body);
    const facts: ClientHelloFacts = {
      legacyVersion: t.legacyVersion, recordVersion, sessionIdLength: sidLen, ciphers: t.ciphers, compression: t.compression,
      extensions: t.extensions, sni, alpn: t.alpn, supportedVersions: t.supportedVersions,
      signatureAlgorithms: t.signatureAlgorithms, groups: t.groups, ecPointFormats: t.ecPointFormats,
      keyShareGroups: t.keyShareGroups, psk: t.psk, earlyData: t.earlyData, sessionTicket: t.sessionTicket, sslv2: false,
      random: body.toString('hex', 2, 34),
    };
    return {
      facts, sessionId: body.toString('latin1', sidAt, sidAt + sidLen), alpnRaw: hit.alpnRaw,
      ja3String: hit.ja3String, ja3: hit.ja3, ja4: hit.ja4,
    };
  }
  helloCacheStats.clientMisses++;
  const r = fingerprinted(parseClientHello(body, recordVersion));
  store(clients, n, (shape) => ({ shape, facts: r.facts, alpnRaw: r.alpnRaw, ja3String: r.ja3String, ja3: r.ja3, ja4: r.ja4 }));
  return r;
}

/** A fully parsed ClientHello (or SSLv2 CLIENT-HELLO) with its fingerprints, lists shared with an equal earlier hello's. */
export function fingerprinted(p: ParsedClientHello): ClientHelloResult {
  const fp = clientFingerprints(p.facts, p.alpnRaw);
  if (fp.key !== p.facts) {
    const ch = p.facts;
    ch.ciphers = fp.key.ciphers;
    ch.extensions = fp.key.extensions;
    ch.groups = fp.key.groups;
    ch.ecPointFormats = fp.key.ecPointFormats;
    ch.signatureAlgorithms = fp.key.signatureAlgorithms;
    ch.supportedVersions = fp.key.supportedVersions;
  }
  return { ...p, ja3String: fp.ja3String, ja3: fp.ja3, ja4: fp.ja4 };
}

interface ServerEntry {
  shape: Buffer;
  facts: ServerHelloFacts;
  ja3sString: string;
  ja3s: string;
}

export interface ServerHelloResult extends ParsedServerHello {
  ja3sString: string;
  ja3s: string;
}

const servers = new Map<number, ServerEntry>();

/**
 * Walks a ServerHello body into the scratch: everything after the session id, except the key
 * share itself (its group is kept). Returns the shape length, or -1 for the full parser (TLS 1.3
 * drafts included: they have another layout).
 */
function walkServer(b: Buffer): number {
  const end = b.length;
  if (end < 38 || b[0] === 0x7f) return -1;
  scratch[0] = b[0]!;
  scratch[1] = b[1]!;
  sidLen = b[34]!;
  sidAt = 35;
  if (sidLen > 32) return -1;
  let p = 35 + sidLen;
  if (p + 3 > end) return -1;
  scratch[2] = b[p]!;
  scratch[3] = b[p + 1]!;
  scratch[4] = b[p + 2]!;
  return walkExtensions(b, p + 3, end, 5, true);
}

function isHelloRetry(b: Buffer): boolean {
  for (let i = 0; i < 32; i++) if (b[2 + i] !== HRR_RANDOM_BYTES[i]) return false;
  return true;
}

/** A ServerHello's facts and JA3S; throws TlsParseError as parseServerHello does. */
export function serverHello(body: Buffer, clientSessionId: string | null): ServerHelloResult {
  const n = walkServer(body);
  const hit = entryFor(servers, n);
  if (hit !== undefined) {
    helloCacheStats.serverHits++;
    const t = hit.facts;
    const sessionId = body.toString('latin1', sidAt, sidAt + sidLen);
    const facts: ServerHelloFacts = {
      legacyVersion: t.legacyVersion, version: t.version, cipher: t.cipher, compression: t.compression,
      extensions: t.extensions, alpn: t.alpn, sessionIdLength: sidLen,
      sessionIdEchoed: sidLen > 0 && sessionId === clientSessionId, helloRetryRequest: isHelloRetry(body),
      selectedGroup: t.selectedGroup, random: body.toString('hex', 2, 34),
    };
    return { facts, sessionId, ja3sString: hit.ja3sString, ja3s: hit.ja3s };
  }
  helloCacheStats.serverMisses++;
  const p = parseServerHello(body, clientSessionId);
  const fp = serverFingerprint(p.facts);
  store(servers, n, (shape) => ({ shape, facts: p.facts, ja3sString: fp.ja3sString, ja3s: fp.ja3s }));
  return { ...p, ja3sString: fp.ja3sString, ja3s: fp.ja3s };
}
