/** Test receiver: a real node:http server on 127.0.0.1 whose behaviour per request is chosen by the test. */
import * as http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FindingRecord, Severity } from '../../src/findings/finding.js';

export interface Received {
  at: number;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
  url: string;
}

/** What to do with request number n (1-based). */
export type Behaviour = (n: number) => { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

export class Receiver {
  readonly requests: Received[] = [];
  private server: http.Server | undefined;
  port = 0;
  behaviour: Behaviour = () => ({ status: 200 });

  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ at: Date.now(), body: Buffer.concat(chunks), headers: req.headers, url: req.url ?? '' });
        const b = this.behaviour(this.requests.length);
        if (b === 'hang') return;
        const answer = (): void => {
          res.writeHead(b.status, b.headers ?? {});
          res.end();
        };
        if (b.delayMs) setTimeout(answer, b.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Envelopes of the `json` format from every request (objects or arrays). */
  envelopes(): Array<{ idempotency_key: string; finding: FindingRecord }> {
    const out: Array<{ idempotency_key: string; finding: FindingRecord }> = [];
    for (const r of this.requests) {
      const v = JSON.parse(r.body.toString('utf8'));
      for (const e of Array.isArray(v) ? v : [v]) out.push(e);
    }
    return out;
  }
}

export function verifySignature(secret: string, r: Received): boolean {
  const sent = String(r.headers['x-comms-watch-signature'] ?? '');
  const want = 'sha256=' + createHmac('sha256', secret).update(r.body).digest('hex');
  return sent.length === want.length && timingSafeEqual(Buffer.from(sent), Buffer.from(want));
}

/** A SPEC-shaped finding record, written by hand after the SPEC example. */
export function finding(i: number, opts: { rule?: string; severity?: Severity; revision?: number; path?: string } = {}): FindingRecord {
  const rule = opts.rule ?? 'kubelet-cert-unverifiable';
  const client = `10.20.0.${10 + (i % 200)}`;
  const server = `10.20.1.${5 + Math.floor(i / 200)}:10250`;
  const revision = opts.revision ?? 1;
  return {
    type: 'finding',
    rule,
    severity: opts.severity ?? 'high',
    path: opts.path ?? 'apiserver-kubelet',
    client: `${client}:${50000 + i}`,
    server,
    first_seen: '2026-11-28T10:00:00.130Z',
    last_seen: '2026-11-28T10:00:05.000Z',
    count: revision,
    evidence: { subject: `CN=worker-${i}@1700000000`, self_signed: true },
    remediation: 'Give the kubelet a CA-signed serving certificate (serverTLSBootstrap: true) and start kube-apiserver with --kubelet-certificate-authority.',
    cis: ['1.2.5'],
    id: `${rule}|${client}|${server}`,
    revision,
  };
}

export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
