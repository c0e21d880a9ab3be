/**
 * Protocol detection from the first bytes of one direction (DESIGN.md: first-bytes signatures,
 * ports only break ties). Pure functions over numbers: no strings are built.
 *
 * Signatures:
 * - TLS: a handshake record `16 03 00..04` (ClientHello -> sender is the client, ServerHello ->
 *   the server), an SSLv2-compatible ClientHello, or `14/15/17 03 00..04` (a connection picked
 *   up mid-stream: no role).
 * - SSH: `SSH-` in either direction (no role from the bytes alone: servers speak first).
 * - HTTP/1: a request method and a space (client), or `HTTP/1.` (server).
 * - HTTP/2: the client preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (client), or, mid-stream, a chunk
 *   that is exactly a run of well-formed frame headers and payloads; that weak match is accepted
 *   only when the port hint does not point to TLS or SSH.
 */

export const enum DetProto {
  None = 0,
  Tls = 1,
  Ssh = 2,
  Http = 3,
  Http2 = 4,
}

export const enum Role {
  Unknown = 0,
  Client = 1,
  Server = 2,
}

export const enum Verdict {
  /** Nothing of ours starts like this. */
  No = 0,
  Match = 1,
  /** The bytes so far are a prefix of a signature: wait for more. */
  More = 2,
}

/** Filled by `detect` (one reused object per caller). */
export interface Detection {
  proto: DetProto;
  role: Role;
  /** The bytes come from the middle of a conversation (TLS application data, bare HTTP/2 frames). */
  midStream: boolean;
}

export function newDetection(): Detection {
  return { proto: DetProto.None, role: Role.Unknown, midStream: false };
}

/** Protocol a port suggests, indexed by port number (`DetProto` values). */
export const portHint = new Uint8Array(65536);
for (const p of [443, 6443, 10250, 2379, 2380, 8132, 8131, 8091, 8443]) portHint[p] = DetProto.Tls;
portHint[22] = DetProto.Ssh;
for (const p of [80, 8080, 10255]) portHint[p] = DetProto.Http;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const SSH = Buffer.from('SSH-', 'latin1');
const RESPONSE = Buffer.from('HTTP/1.', 'latin1');
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PROPFIND']
  .map((m) => Buffer.from(`${m} `, 'latin1'));

/** Match / More / No for a literal prefix. */
function prefix(b: Buffer, sig: Buffer): Verdict {
  const n = b.length < sig.length ? b.length : sig.length;
  for (let i = 0; i < n; i++) if (b[i] !== sig[i]) return Verdict.No;
  return n === sig.length ? Verdict.Match : Verdict.More;
}

function set(out: Detection, proto: DetProto, role: Role, mid: boolean): Verdict {
  out.proto = proto;
  out.role = role;
  out.midStream = mid;
  return Verdict.Match;
}

function tls(b: Buffer, out: Detection): Verdict {
  const t = b[0]!;
  if (t === 0x16 || t === 0x14 || t === 0x15 || t === 0x17) {
    if (b.length < 3) return b.length === 1 || b[1] === 3 ? Verdict.More : Verdict.No;
    if (b[1] !== 3 || b[2]! > 4) return Verdict.No;
    if (t !== 0x16) return set(out, DetProto.Tls, Role.Unknown, true);
    if (b.length < 6) return Verdict.More;
    const hs = b[5]!;
    return set(out, DetProto.Tls, hs === 1 ? Role.Client : hs === 2 ? Role.Server : Role.Unknown, hs !== 1 && hs !== 2);
  }
  // SSLv2 record header (2-byte form), msg type 1 = CLIENT-HELLO, version 0x0002 or 0x0300-0x0304.
  if ((t & 0x80) !== 0) {
    if (b.length < 5) return Verdict.More;
    const len = ((t & 0x7f) << 8) | b[1]!;
    const v = (b[3]! << 8) | b[4]!;
    if (b[2] === 1 && len >= 9 && (v === 0x0002 || (v >= 0x0300 && v <= 0x0304))) {
      return set(out, DetProto.Tls, Role.Client, false);
    }
  }
  return Verdict.No;
}

/** Frame types whose stream id must be zero (SETTINGS, PING, GOAWAY) and fixed lengths (RFC 9113 section 6). */
function frameOk(type: number, len: number, stream: number): boolean {
  switch (type) {
    case 0: case 1: case 9: return stream !== 0;
    case 2: return stream !== 0 && len === 5;
    case 3: return stream !== 0 && len === 4;
    case 4: return stream === 0 && len % 6 === 0;
    case 5: return stream !== 0 && len >= 4;
    case 6: return stream === 0 && len === 8;
    case 7: return stream === 0 && len >= 8;
    case 8: return len === 4;
    default: return false;
  }
}

/** The chunk is exactly one or more whole HTTP/2 frames. */
function h2Frames(b: Buffer): boolean {
  let p = 0;
  let frames = 0;
  while (p + 9 <= b.length) {
    const len = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
    const stream = b.readUInt32BE(p + 5);
    if (len > 16384 || (stream & 0x80000000) !== 0 || !frameOk(b[p + 3]!, len, stream)) return false;
    p += 9 + len;
    frames++;
  }
  return frames > 0 && p === b.length;
}

/**
 * Detects the protocol of bytes `b` sent from `srcPort` to `dstPort` (the first bytes of that
 * direction). Fills `out` on a match.
 */
export function detect(b: Buffer, srcPort: number, dstPort: number, out: Detection): Verdict {
  if (b.length === 0) return Verdict.More;
  let more = false;
  let v = tls(b, out);
  if (v === Verdict.Match) return v;
  more ||= v === Verdict.More;
  v = prefix(b, SSH);
  if (v === Verdict.Match) return set(out, DetProto.Ssh, Role.Unknown, false);
  more ||= v === Verdict.More;
  v = prefix(b, PREFACE);
  if (v === Verdict.Match) return set(out, DetProto.Http2, Role.Client, false);
  more ||= v === Verdict.More;
  v = prefix(b, RESPONSE);
  if (v === Verdict.Match) return set(out, DetProto.Http, Role.Server, false);
  more ||= v === Verdict.More;
  for (const m of METHODS) {
    v = prefix(b, m);
    if (v === Verdict.Match) return set(out, DetProto.Http, Role.Client, false);
    more ||= v === Verdict.More;
  }
  if (more) return Verdict.More;
  const hint = portHint[dstPort] || portHint[srcPort];
  if (hint !== DetProto.Tls && hint !== DetProto.Ssh && h2Frames(b)) return set(out, DetProto.Http2, Role.Unknown, true);
  return Verdict.No;
}
