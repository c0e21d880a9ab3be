import type { Dissector, DissectorContext, DissectorFactory, Direction, EndReason, StreamSink } from '../../src/core/dissector.js';
import type { HttpExchange, HttpFacts } from '../../src/core/facts.js';
import {
  LineReader, MAX_HEADERS, addHeader, emptyHeaders, isChunked, parseContentLength, parseRequestLine, parseStatusLine,
  type Headers, type RequestLine, type StatusLine,
} from './message.js';
import { BodyReader } from './framing.js';
import { AuthorizationMemo, fromCookie, redactTarget } from '../../src/core/credentials.js';
import { Hold, MAX_HOLD, switchedTo } from './connect.js';

/** Exchanges kept per connection (SPEC: first 32); the rest are counted. */
export const MAX_EXCHANGES = 32;
/** Requests awaiting a response; deeper pipelines are not matched. */
export const MAX_PENDING = 64;
const MAX_PATH = 2048;
const MAX_FIELD = 512;
/** Bytes skipped looking for a start line after a gap before giving up on the direction. */
const MAX_RESYNC = 65536;
const H2_PREFACE_LINE = 'PRI * HTTP/2.0';
/** The part of the HTTP/2 preface consumed as a start line. */
const H2_PREFACE_LINE_CRLF = Buffer.from('PRI * HTTP/2.0\r\n', 'latin1');

type State = 'head' | 'body' | 'hold' | 'tunnel' | 'stopped';

interface Pending {
  method: string;
  ex: HttpExchange | null;
  connect: boolean;
  upgrade: string | null;
}

class Side {
  state: State = 'head';
  readonly lines = new LineReader();
  readonly body = new BodyReader(new LineReader());
  headers: Headers = emptyHeaders();
  /** Start line seen; `req` / `status` hold it parsed (by direction). */
  started = false;
  req: RequestLine | null = null;
  status: StatusLine | null = null;
  tooMany = false;
  /** After a gap: lines are skipped until one parses as a start line. */
  resync = false;
  resyncBytes = 0;

  resetHead(): void {
    this.headers = emptyHeaders();
    this.started = false;
    this.req = null;
    this.status = null;
    this.tooMany = false;
  }
}

function cap(v: string | null, n = MAX_FIELD): string | null {
  return v === null ? null : v.slice(0, n);
}

/**
 * HTTP/1.x: requests and responses matched in order (pipelining), bodies skipped by their framing,
 * credentials reduced to kind/len/hash, CONNECT and Upgrade handed to a tunnel sink.
 */
class Http1Dissector implements Dissector {
  readonly proto = 'http' as const;
  private readonly f: HttpFacts = { exchanges: [], exchangesDropped: 0, connect: null, upgradedTo: null };
  private readonly sides: [Side, Side] = [new Side(), new Side()];
  private readonly pending: Pending[] = [];
  private readonly hold = new Hold();
  private sink: StreamSink | null = null;
  private holding = false;
  private readonly authorization = new AuthorizationMemo();
  news = 0;

  constructor(private readonly ctx: DissectorContext) {}

  get done(): boolean {
    return this.sides[0].state === 'stopped' && this.sides[1].state === 'stopped';
  }

  facts(): HttpFacts {
    return this.f;
  }

  data(dir: Direction, chunk: Buffer, ts: number): void {
    const side = this.sides[dir];
    let off = 0;
    while (off < chunk.length) {
      switch (side.state) {
        case 'stopped':
          return;
        case 'tunnel':
          this.sink?.data(dir, off === 0 ? chunk : chunk.subarray(off), ts);
          return;
        case 'hold':
          if (!this.hold.add(off === 0 ? chunk : chunk.subarray(off))) this.stop(dir, 'http.hold_overflow', `more than ${MAX_HOLD} client bytes before the answer to CONNECT / Upgrade`);
          return;
        case 'body':
          off = side.body.feed(chunk, off);
          if (side.body.error !== null) this.stop(dir, 'http.bad_chunking', side.body.error);
          else if (side.body.complete) this.afterBody(dir);
          break;
        case 'head':
          off = this.headBytes(dir, side, chunk, off, ts);
          break;
      }
    }
  }

  /** The rest of a body being stepped over: the reassembler counts it instead of delivering it. */
  passOver(dir: Direction): number {
    const side = this.sides[dir];
    if (side.state !== 'body') return 0;
    const n = side.body.skippable;
    if (n === 0) return 0;
    side.body.skip(n);
    if (side.body.complete) this.afterBody(dir);
    return n;
  }

  /**
   * `len` 0 marks a mid-stream start (the reassembler's convention). A gap inside a sized body is
   * skipped; elsewhere in a message the direction resynchronises on the next valid start line.
   */
  gap(dir: Direction, len: number, ts: number): void {
    const side = this.sides[dir];
    if (side.state === 'tunnel') this.sink?.gap(dir, len, ts);
    else if (side.state === 'body' && side.body.gap(len)) {
      if (side.body.complete) this.afterBody(dir);
    } else if (side.state === 'head' || side.state === 'body') {
      if (len > 0) this.ctx.anomaly('http.gap', `${len} bytes missing in ${side.state}; resynchronising`, dir);
      side.resetHead();
      side.lines.reset();
      side.resync = true;
      side.resyncBytes = 0;
      side.state = 'head';
    } else if (side.state === 'hold') {
      this.stop(dir, 'http.gap', `${len} bytes missing while waiting for the answer to CONNECT / Upgrade`);
    }
  }

  end(dir: Direction, reason: EndReason, ts: number): void {
    const side = this.sides[dir];
    if (side.state === 'tunnel') this.sink?.end(dir, reason, ts);
    side.state = 'stopped';
  }

  private stop(dir: Direction, code: string, detail: string): void {
    this.ctx.anomaly(code, detail, dir);
    this.sides[dir].state = 'stopped';
  }

  private headBytes(dir: Direction, side: Side, chunk: Buffer, off: number, ts: number): number {
    const next = side.lines.feed(chunk, off);
    if (side.lines.overflow && side.resync) {
      side.lines.reset();
      return this.skipResync(dir, side, next - off, next);
    }
    if (side.lines.overflow) {
      this.stop(dir, 'http.line_too_long', 'a start or field line is longer than 8192 bytes');
      return chunk.length;
    }
    const lines = side.lines;
    if (!lines.done) return next;
    const length = lines.lineLength;
    if (!side.started) {
      // RFC 9112 section 2.2: empty lines before a start line are ignored.
      if (length === 0) return next;
      const line = lines.text();
      if (side.resync && (dir === 0 ? parseRequestLine(line) === null && line !== H2_PREFACE_LINE : parseStatusLine(line) === null)) {
        return this.skipResync(dir, side, next - off, next);
      }
      side.resync = false;
      if (dir === 0 && line === H2_PREFACE_LINE) {
        // HTTP/2 with prior knowledge (RFC 9113 section 3.3) reached this dissector: hand it over whole.
        this.openTunnel('http2', 0, chunk, next, ts, H2_PREFACE_LINE_CRLF);
        return chunk.length;
      }
      side.started = true;
      if (dir === 0) side.req = parseRequestLine(line);
      else side.status = parseStatusLine(line);
      if (dir === 0 && side.req === null) this.stop(0, 'http.bad_request_line', 'start line is not METHOD SP target SP HTTP/x.y');
      if (dir === 1 && side.status === null) this.stop(1, 'http.bad_status_line', 'start line is not HTTP/x.y SP 3DIGIT');
      return next;
    }
    if (length > 0) {
      if (side.headers.count >= MAX_HEADERS) {
        if (!side.tooMany) this.ctx.anomaly('http.too_many_headers', `more than ${MAX_HEADERS} fields; the rest ignored`, dir);
        side.tooMany = true;
      } else if (!addHeader(side.headers, lines.text())) {
        this.ctx.anomaly('http.bad_field_line', `field line of ${length} bytes without a name`, dir);
      }
      return next;
    }
    if (dir === 0) this.request(side);
    else this.response(side, chunk, next, ts);
    return side.state === 'tunnel' ? chunk.length : next;
  }

  private skipResync(dir: Direction, side: Side, n: number, next: number): number {
    side.resyncBytes += n;
    if (side.resyncBytes > MAX_RESYNC) this.stop(dir, 'http.resync_failed', `no start line within ${MAX_RESYNC} bytes after a gap`);
    return next;
  }

  private request(side: Side): void {
    const rl = side.req;
    const h = side.headers;
    side.resetHead();
    if (rl === null) return;
    if (rl.spaces) this.ctx.anomaly('http.space_in_target', 'request target contains spaces', 0);
    const connect = rl.method === 'CONNECT';
    let ex: HttpExchange | null = null;
    if (this.f.exchanges.length < MAX_EXCHANGES) {
      const target = connect ? { path: rl.target, cred: null } : redactTarget(rl.target);
      let auth = target.cred;
      // Origin credentials first; a proxy's (CONNECT to an authenticating proxy) when there are none.
      for (const [value, carrier] of [[h.proxyAuthorization, 'proxy-authorization'], [h.authorization, 'authorization']] as const) {
        if (value === null) continue;
        const a = this.authorization.read(value, carrier);
        if (a.otherScheme !== null) this.ctx.anomaly('http.auth_scheme_other', `${carrier} scheme ${a.otherScheme}`, 0);
        auth = a.cred ?? auth;
      }
      if (auth === null && h.cookie !== null) auth = fromCookie(h.cookie);
      ex = {
        method: rl.method, host: cap(h.host), path: cap(target.path, MAX_PATH), status: null, version: rl.version,
        auth, userAgent: cap(h.userAgent), contentType: cap(h.contentType), upgrade: cap(h.upgrade, 64),
      };
      this.f.exchanges.push(ex);
      this.news++;
    } else {
      this.f.exchangesDropped++;
    }
    if (connect && this.f.connect === null) this.f.connect = { authority: rl.target.slice(0, 256), status: null };
    if (this.pending.length < MAX_PENDING) this.pending.push({ method: rl.method, ex, connect, upgrade: h.upgrade });
    else this.ctx.anomaly('http.pipeline_too_deep', `more than ${MAX_PENDING} requests without a response`, 0);
    this.holding = connect || h.upgrade !== null;
    if (!this.startBody(0, side, h, false)) return;
    if (side.state === 'head' && this.holding) side.state = 'hold';
  }

  /** Chooses the body framing; returns false when the framing is unusable. */
  private startBody(dir: Direction, side: Side, h: Headers, noBody: boolean): boolean {
    if (h.contentLengthConflict) this.ctx.anomaly('http.content_length_conflict', 'differing Content-Length fields', dir);
    if (noBody) {
      side.state = 'head';
      return true;
    }
    if (h.transferEncoding !== null) {
      // RFC 9112 section 6.1: Transfer-Encoding overrides Content-Length, and a sender of both is suspect (smuggling).
      if (h.contentLength !== null) this.ctx.anomaly('http.te_and_content_length', 'both Transfer-Encoding and Content-Length', dir);
      if (isChunked(h.transferEncoding)) {
        side.body.start('chunked');
        side.state = 'body';
        return true;
      }
      if (dir === 0) {
        this.stop(0, 'http.bad_transfer_encoding', 'request transfer coding does not end in chunked');
        return false;
      }
      side.body.start('close');
      side.state = 'body';
      return true;
    }
    if (h.contentLength !== null) {
      const n = parseContentLength(h.contentLength);
      if (n === null) {
        this.stop(dir, 'http.bad_content_length', `Content-Length of ${h.contentLength.length} characters is not a number`);
        return false;
      }
      side.body.start('length', n);
      side.state = n === 0 ? 'head' : 'body';
      return true;
    }
    if (dir === 1) {
      side.body.start('close');
      side.state = 'body';
    } else {
      side.state = 'head';
    }
    return true;
  }

  private afterBody(dir: Direction): void {
    const side = this.sides[dir];
    side.state = dir === 0 && this.holding ? 'hold' : 'head';
  }

  private response(side: Side, chunk: Buffer, next: number, ts: number): void {
    const sl = side.status;
    const h = side.headers;
    side.resetHead();
    if (sl === null) return;
    const s = sl.status;
    if (s >= 100 && s < 200 && s !== 101) return;
    const p = this.pending.shift();
    let ex = p?.ex ?? null;
    if (p === undefined) {
      if (this.f.exchanges.length < MAX_EXCHANGES) {
        ex = { method: null, host: null, path: null, status: null, version: sl.version, auth: null, userAgent: null, contentType: null };
        this.f.exchanges.push(ex);
      } else {
        this.f.exchangesDropped++;
      }
    }
    if (ex !== null) {
      this.news++;
      ex.status = s;
      ex.version ??= sl.version;
      ex.contentType ??= cap(h.contentType);
    }
    if (p?.connect === true) {
      if (this.f.connect !== null && this.f.connect.status === null) this.f.connect.status = s;
      if (s >= 200 && s < 300) {
        this.openTunnel(undefined, 1, chunk, next, ts);
        return;
      }
    }
    if (s === 101) {
      const to = switchedTo(h.upgrade ?? p?.upgrade ?? null);
      this.f.upgradedTo = to.name;
      if (to.kind === 'h2c') {
        this.openTunnel('http2', 1, chunk, next, ts);
      } else {
        // WebSocket and SPDY frames are not dissected: the connection is finished for us.
        this.sides[0].state = 'stopped';
        this.sides[1].state = 'stopped';
      }
      return;
    }
    this.release(ts);
    const noBody = p?.method === 'HEAD' || s === 204 || s === 304 || (p?.connect === true && s >= 200 && s < 300);
    this.startBody(1, side, h, noBody);
  }

  /**
   * The answer refused the CONNECT / Upgrade: held client bytes are the next requests. The offer is
   * always the last request queued (nothing is parsed behind it), so only the answer that empties
   * the queue can be its refusal.
   */
  private release(ts: number): void {
    if (!this.holding || this.pending.length > 0) return;
    this.holding = false;
    const req = this.sides[0];
    if (req.state === 'hold') req.state = 'head';
    for (const b of this.hold.take()) this.data(0, b, ts);
  }

  /** Everything after `next` in `chunk` (sent in `dir`), held client bytes and all later bytes go to the tunnel. */
  private openTunnel(proto: 'http2' | undefined, dir: Direction, chunk: Buffer, next: number, ts: number, head?: Buffer): void {
    this.holding = false;
    this.sink = this.ctx.tunnel(proto);
    this.sides[0].state = 'tunnel';
    this.sides[1].state = 'tunnel';
    if (head !== undefined) this.sink.data(dir, head, ts);
    for (const b of this.hold.take()) this.sink.data(0, b, ts);
    if (next < chunk.length) this.sink.data(dir, chunk.subarray(next), ts);
  }
}

export const http1Factory: DissectorFactory = { proto: 'http', create: (ctx) => new Http1Dissector(ctx) };
