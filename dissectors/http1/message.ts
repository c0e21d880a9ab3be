/**
 * HTTP/1.x start lines and header fields (RFC 9112 sections 3, 4, 5), read line by line with caps:
 * a line longer than MAX_LINE or more than MAX_HEADERS fields is hostile here, not a message.
 */
export const MAX_LINE = 8192;
export const MAX_HEADERS = 100;

/**
 * Collects one line at a time; never holds more than MAX_LINE bytes. A line that lies whole in one
 * chunk is read where it lies; only a line split across chunks is copied, into a buffer allocated
 * when first needed (most connections never split a line, and four 8 KiB buffers per connection
 * were most of what HTTP dissection allocated). A completed line is offered as its length and its
 * text, not as a view: a Buffer per header line cost more than reading it.
 */
export class LineReader {
  private buf: Buffer | null = null;
  private len = 0;
  /** Where the completed line lies (valid until the next feed). */
  private src: Buffer | null = null;
  private start = 0;
  private end = 0;
  /** Set by `feed` when a line completed (without CR LF: `lineLength`, `text()`). */
  done = false;
  /** Set by `feed` when the line outgrew MAX_LINE. */
  overflow = false;

  get lineLength(): number {
    return this.end - this.start;
  }

  /** The completed line, latin1. */
  text(): string {
    return this.src === null ? '' : this.src.toString('latin1', this.start, this.end);
  }

  feed(chunk: Buffer, off: number): number {
    this.done = false;
    const lf = chunk.indexOf(0x0a, off);
    const stop = lf < 0 ? chunk.length : lf;
    if (stop - off > MAX_LINE - this.len) {
      this.overflow = true;
      return chunk.length;
    }
    if (lf >= 0 && this.len === 0) {
      this.completed(chunk, off, stop > off && chunk[stop - 1] === 0x0d ? stop - 1 : stop);
      return lf + 1;
    }
    const need = this.len + stop - off;
    if (this.buf === null || this.buf.length < need) {
      const grown = Buffer.allocUnsafe(Math.min(MAX_LINE, Math.max(need, 256, this.buf === null ? 0 : this.buf.length * 2)));
      if (this.buf !== null) this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len, off, stop);
    this.len = need;
    if (lf < 0) return chunk.length;
    let end = this.len;
    if (end > 0 && this.buf[end - 1] === 0x0d) end--;
    this.completed(this.buf, 0, end);
    this.len = 0;
    return lf + 1;
  }

  reset(): void {
    this.len = 0;
    this.overflow = false;
    this.done = false;
    this.src = null;
  }

  private completed(src: Buffer, start: number, end: number): void {
    this.src = src;
    this.start = start;
    this.end = end;
    this.done = true;
  }
}

export interface RequestLine {
  method: string;
  target: string;
  version: string;
  /** The target contained spaces (tolerated as Zeek does, e.g. `CONNECT host:25 / HTTP/1.0`). */
  spaces: boolean;
}
export interface StatusLine { version: string; status: number }

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VERSION = /^HTTP\/[0-9]\.[0-9]$/;

export function parseRequestLine(line: string): RequestLine | null {
  const a = line.indexOf(' ');
  const b = line.lastIndexOf(' ');
  if (a <= 0 || b <= a) return null;
  const method = line.slice(0, a);
  const target = line.slice(a + 1, b);
  const version = line.slice(b + 1);
  if (!TOKEN.test(method) || target.length === 0 || !VERSION.test(version)) return null;
  return { method, target, version, spaces: target.includes(' ') };
}

export function parseStatusLine(line: string): StatusLine | null {
  if (line.length < 12 || !VERSION.test(line.slice(0, 8)) || line[8] !== ' ') return null;
  const code = line.slice(9, 12);
  if (!/^[0-9]{3}$/.test(code) || (line.length > 12 && line[12] !== ' ')) return null;
  return { version: line.slice(0, 8), status: Number(code) };
}

/** The header fields this dissector uses; everything else is only counted. */
export interface Headers {
  count: number;
  host: string | null;
  contentLength: string | null;
  /** Several differing Content-Length values (request smuggling signal, RFC 9112 6.3). */
  contentLengthConflict: boolean;
  transferEncoding: string | null;
  upgrade: string | null;
  connection: string | null;
  userAgent: string | null;
  contentType: string | null;
  /** Raw Authorization / Proxy-Authorization / Cookie values: secrets, handed to auth.ts and dropped with the message. */
  authorization: string | null;
  proxyAuthorization: string | null;
  cookie: string | null;
}

export function emptyHeaders(): Headers {
  return {
    count: 0, host: null, contentLength: null, contentLengthConflict: false, transferEncoding: null, upgrade: null,
    connection: null, userAgent: null, contentType: null, authorization: null, proxyAuthorization: null, cookie: null,
  };
}

/** A field line's name: token characters up to the first colon. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/;

const enum Field { Other, Host, ContentLength, TransferEncoding, Upgrade, Connection, UserAgent, ContentType, Authorization, ProxyAuthorization, Cookie }

/** `line` starts with `name` (lower-case letters and '-'), any case. Only token characters reach here. */
function named(line: string, name: string): boolean {
  for (let i = 0; i < name.length; i++) if ((line.charCodeAt(i) | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/** Which used field a name of `len` characters is, read in place: a lower-cased copy of every name was most of a header's garbage. */
function fieldOf(line: string, len: number): Field {
  switch (len) {
    case 4: return named(line, 'host') ? Field.Host : Field.Other;
    case 6: return named(line, 'cookie') ? Field.Cookie : Field.Other;
    case 7: return named(line, 'upgrade') ? Field.Upgrade : Field.Other;
    case 10: return named(line, 'connection') ? Field.Connection : named(line, 'user-agent') ? Field.UserAgent : Field.Other;
    case 12: return named(line, 'content-type') ? Field.ContentType : Field.Other;
    case 13: return named(line, 'authorization') ? Field.Authorization : Field.Other;
    case 14: return named(line, 'content-length') ? Field.ContentLength : Field.Other;
    case 17: return named(line, 'transfer-encoding') ? Field.TransferEncoding : Field.Other;
    case 19: return named(line, 'proxy-authorization') ? Field.ProxyAuthorization : Field.Other;
    default: return Field.Other;
  }
}

/** Adds one field line; returns false when it is not `name: value`. */
export function addHeader(h: Headers, line: string): boolean {
  if (!FIELD_NAME.test(line)) return false;
  h.count++;
  const colon = line.indexOf(':');
  const field = fieldOf(line, colon);
  if (field === Field.Other) return true;
  const value = line.slice(colon + 1).trim();
  switch (field) {
    case Field.Host: h.host ??= value; break;
    case Field.ContentLength:
      if (h.contentLength !== null && h.contentLength !== value) h.contentLengthConflict = true;
      h.contentLength ??= value;
      break;
    case Field.TransferEncoding: h.transferEncoding = h.transferEncoding === null ? value : `${h.transferEncoding}, ${value}`; break;
    case Field.Upgrade: h.upgrade ??= value; break;
    case Field.Connection: h.connection ??= value; break;
    case Field.UserAgent: h.userAgent ??= value; break;
    case Field.ContentType: h.contentType ??= value; break;
    case Field.Authorization: h.authorization ??= value; break;
    case Field.ProxyAuthorization: h.proxyAuthorization ??= value; break;
    case Field.Cookie:
      if (h.cookie === null) h.cookie = value;
      else if (h.cookie.length + value.length < MAX_LINE) h.cookie = `${h.cookie}; ${value}`;
      break;
  }
  return true;
}

/** The last transfer coding is chunked (RFC 9112 section 6.3 rule 4). */
export function isChunked(te: string | null): boolean {
  if (te === null) return false;
  const parts = te.split(',');
  return (parts[parts.length - 1] ?? '').trim().toLowerCase() === 'chunked';
}

/** A Content-Length value as a safe integer, or null when it is not one. */
export function parseContentLength(v: string): number | null {
  if (!/^[0-9]{1,15}$/.test(v)) return null;
  return Number(v);
}
