import type { CredentialFacts, HttpExchange } from '../../src/core/facts.js';
import { AuthorizationMemo, fromCookie, redactTarget } from '../../src/core/credentials.js';

/** Exchanges kept per connection (HttpFacts says "first 32"). */
export const MAX_EXCHANGES = 32;
const VALUE_CAP = 1024;

/** The fields of one decoded header block that facts need; reused block after block. */
export class BlockFields {
  method: string | null = null;
  path: string | null = null;
  authority: string | null = null;
  host: string | null = null;
  status: string | null = null;
  contentType: string | null = null;
  userAgent: string | null = null;
  grpcStatus: string | null = null;
  auth: CredentialFacts | null = null;
  private readonly authorization = new AuthorizationMemo();
  readonly sink = (name: string, value: string): void => this.add(name, value);

  reset(): void {
    this.method = this.path = this.authority = this.host = this.status = null;
    this.contentType = this.userAgent = this.grpcStatus = null;
    this.auth = null;
  }

  private add(name: string, value: string): void {
    switch (name) {
      case ':method': this.method = value.slice(0, 64); break;
      case ':path': this.path = value.slice(0, VALUE_CAP * 4); break;
      case ':authority': this.authority = value.slice(0, VALUE_CAP); break;
      case 'host': this.host = value.slice(0, VALUE_CAP); break;
      case ':status': this.status = value.slice(0, 8); break;
      case 'content-type': this.contentType = value.slice(0, VALUE_CAP); break;
      case 'user-agent': this.userAgent = value.slice(0, VALUE_CAP); break;
      case 'grpc-status': this.grpcStatus = value.slice(0, 8); break;
      case 'authorization':
      case 'proxy-authorization':
        this.auth = this.authorization.read(value, name).cred ?? this.auth;
        break;
      case 'cookie':
        if (this.auth === null) this.auth = fromCookie(value);
        break;
    }
  }
}

function toInt(s: string | null): number | null {
  if (s === null || !/^\d{1,7}$/.test(s)) return null;
  return Number(s);
}

/**
 * Exchanges by stream id. Streams are new when their id is above the highest seen of the same
 * parity (client odd, server push even), so tracking stays bounded whatever the stream count.
 */
export class ExchangeTable {
  readonly list: HttpExchange[] = [];
  dropped = 0;
  grpc = false;
  /** Request heads and response statuses recorded (Dissector.news). */
  news = 0;
  private readonly byId = new Map<number, HttpExchange>();
  /** Streams whose server side ended (END_STREAM) or that were reset. */
  private readonly complete = new Set<number>();
  private maxOdd = 0;
  private maxEven = 0;

  /** Request header block (HEADERS from the client, or PUSH_PROMISE's promised request). */
  request(streamId: number, f: BlockFields): void {
    const x = this.get(streamId);
    if (x === null || x.method !== null) return;
    x.method = f.method;
    x.host = f.authority ?? f.host;
    if (f.path !== null) {
      const r = redactTarget(f.path);
      x.path = r.path;
      if (f.auth === null) f.auth = r.cred;
    }
    x.auth = f.auth;
    x.userAgent = f.userAgent;
    x.contentType = f.contentType;
    this.news++;
    if (f.contentType !== null && f.contentType.toLowerCase().startsWith('application/grpc')) this.grpc = true;
  }

  /** Server header block: response headers, informational, or trailers. */
  response(streamId: number, f: BlockFields): void {
    const x = this.get(streamId);
    if (x === null) return;
    const st = toInt(f.status);
    if (st !== null && (x.status === null || x.status < 200)) {
      x.status = st;
      this.news++;
    }
    if (x.contentType === null && f.contentType !== null && x.method === null) x.contentType = f.contentType;
    const gs = toInt(f.grpcStatus);
    if (gs !== null) x.grpcStatus = gs;
  }

  ended(streamId: number): void {
    if (this.byId.has(streamId)) this.complete.add(streamId);
  }

  /** Every kept exchange is finished, except those `ignore` says can no longer progress. */
  allComplete(ignore: (streamId: number) => boolean): boolean {
    for (const id of this.byId.keys()) if (!this.complete.has(id) && !ignore(id)) return false;
    return true;
  }

  get full(): boolean { return this.list.length >= MAX_EXCHANGES; }

  private get(streamId: number): HttpExchange | null {
    const x = this.byId.get(streamId);
    if (x !== undefined) return x;
    const odd = (streamId & 1) === 1;
    if (streamId <= (odd ? this.maxOdd : this.maxEven)) return null;
    if (odd) this.maxOdd = streamId; else this.maxEven = streamId;
    if (this.list.length >= MAX_EXCHANGES) { this.dropped++; return null; }
    const n: HttpExchange = {
      method: null, host: null, path: null, status: null, version: 'HTTP/2', auth: null,
      userAgent: null, contentType: null, streamId, grpcStatus: null,
    };
    this.list.push(n);
    this.byId.set(streamId, n);
    return n;
  }
}
