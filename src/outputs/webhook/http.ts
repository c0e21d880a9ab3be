/**
 * One POST to one receiver with node's http/https: absolute timeout, HMAC signature, Retry-After parsing.
 * Never throws; every outcome is a PostResult the sender turns into ack, retry or rejection.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { createHmac } from 'node:crypto';

export interface PostResult {
  /** 'ok' 2xx; 'retry' transient (network, timeout, 5xx, 429, 408, other 4xx); 'reject' the receiver refuses this body. */
  outcome: 'ok' | 'retry' | 'reject';
  status?: number;
  /** From Retry-After, when present and parseable. */
  retryAfterMs?: number;
  /** Short description for logs: never the URL or a header value. */
  reason: string;
}

export interface Target {
  url: URL;
  agent: http.Agent;
  /** Basic-auth userinfo from the URL, sent as a header and never logged. */
  auth?: string;
}

/** Bodies the receiver will never accept, however often they are retried. */
const REJECT_STATUS = new Set([400, 405, 413, 415, 422]);

export function signature(secret: Buffer, body: Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

/** RFC 9110 Retry-After: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v), 365 * 86400) * 1000;
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

export function makeTarget(raw: string, ca: Array<string | Buffer> | undefined): Target {
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`webhook URL must be http or https: ${redactUrl(raw)}`);
  const auth = url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  url.username = '';
  url.password = '';
  const agent =
    url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(ca ? { ca } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
  return { url, agent, ...(auth ? { auth } : {}) };
}

/** What may appear in a log line: scheme, host and port. Paths carry tokens (Slack) and userinfo carries passwords. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}/...`;
  } catch {
    return '<unparseable URL>';
  }
}

export function post(
  target: Target,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
  abort: AbortSignal,
): Promise<PostResult> {
  if (abort.aborted) return Promise.resolve({ outcome: 'retry', reason: 'aborted' });
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: PostResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      abort.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const base = target.url.pathname.replace(/\/+$/, '');
    const fullPath = (path && !base.endsWith(path) ? base + path : target.url.pathname) + target.url.search;
    const mod = target.url.protocol === 'https:' ? https : http;
    const req = mod.request(
      {
        protocol: target.url.protocol,
        hostname: target.url.hostname.replace(/^\[|\]$/g, ''),
        port: target.url.port || undefined,
        method: 'POST',
        path: fullPath || '/',
        agent: target.agent,
        ...(target.auth ? { auth: target.auth } : {}),
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'comms-watch',
          ...headers,
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // Drain so the keep-alive socket can be reused; the body itself is not needed.
        res.resume();
        res.on('error', () => finish({ outcome: 'retry', status, reason: 'response error' }));
        res.on('end', () => {
          const retryAfterMs = parseRetryAfter(headerValue(res.headers['retry-after']), Date.now());
          const extra = retryAfterMs !== undefined ? { retryAfterMs } : {};
          if (status >= 200 && status < 300) finish({ outcome: 'ok', status, reason: `HTTP ${status}` });
          else if (REJECT_STATUS.has(status)) finish({ outcome: 'reject', status, reason: `HTTP ${status}`, ...extra });
          else finish({ outcome: 'retry', status, reason: `HTTP ${status}`, ...extra });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ outcome: 'retry', reason: `timeout after ${timeoutMs} ms` });
    }, timeoutMs);
    const onAbort = (): void => {
      req.destroy();
      finish({ outcome: 'retry', reason: 'aborted' });
    };
    abort.addEventListener('abort', onAbort);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ outcome: 'retry', reason: e.code ?? 'network error' }));
    req.end(body);
  });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
