import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { createServer as httpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { probeServer } from '../../src/probe/prober.js';
import { ConnectionPace } from '../../src/probe/pace.js';
import { OwnTraffic } from '../../src/probe/own-traffic.js';
import { ProbeScheduler } from '../../src/probe/scheduler.js';
import type { ProbeResult, ProbeTarget } from '../../src/probe/types.js';
import { probeRecord, probeReportLines } from '../../src/outputs/probe-record.js';
import { makePki, misbehaving, opensslServer } from './servers.js';

const pki = makePki();
const procs: ChildProcess[] = [];
const closers: (() => void)[] = [];

function target(port: number, path = 'etcd'): ProbeTarget {
  return { server: { ip: '127.0.0.1', port }, path, sni: null, why: ['test'] };
}

async function probe(port: number, path = 'etcd', timeoutMs = 3000, own: OwnTraffic | null = null): Promise<ProbeResult> {
  return probeServer(target(port, path), { timeoutMs, own, pace: new ConnectionPace(50) });
}

async function openssl(extra: string[], cert = pki.cert, key = pki.key): Promise<number> {
  const s = await opensslServer(cert, key, extra);
  procs.push(s.proc);
  return s.port;
}

/** A kubelet stand-in on Node's TLS: asks for a client certificate, answers GET /pods with `status`. */
async function kubelet(status: number, seen: { headers: Record<string, unknown>[]; certs: number }): Promise<number> {
  const server: HttpsServer = httpsServer({ cert: readFileSync(pki.cert), key: readFileSync(pki.key), ca: readFileSync(pki.ca), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    seen.headers.push({ ...req.headers, url: req.url });
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    if (peer && Object.keys(peer).length > 0) seen.certs++;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? '{"kind":"PodList","items":[{"metadata":{"name":"secret-pod"}}]}' : '{"kind":"Status"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

test('OpenSSL TLS 1.3 server that requires a client certificate: chain, CA names, refusal, versions', async () => {
  const port = await openssl(['-Verify', '1', '-CAfile', pki.ca]);
  const r = await probe(port);
  assert.is(r.problem, null);
  // s_server completes the chain from -CAfile: leaf and CA.
  assert.equal(r.handshake.chain?.map((c) => c.subject), ['CN=probe-test-server', 'CN=probe-test-ca']);
  assert.is(r.handshake.tls?.version, 0x0304);
  assert.is(r.handshake.certificateRequest, true);
  assert.equal(r.handshake.caNames, ['CN=probe-test-ca']);
  assert.is(r.handshake.clientCertRequired, true);
  assert.equal(r.versions, { 'TLS 1.0': false, 'TLS 1.1': false, 'TLS 1.2': true, 'TLS 1.3': true });
  assert.is(r.connections, 5);
});

test('OpenSSL server that requests but does not require a client certificate', async () => {
  const port = await openssl(['-verify', '1', '-CAfile', pki.ca]);
  const r = await probe(port);
  assert.is(r.handshake.certificateRequest, true);
  assert.is(r.handshake.clientCertRequired, false);
});

test('OpenSSL server that asks for no client certificate', async () => {
  const port = await openssl([]);
  const r = await probe(port);
  assert.is(r.handshake.certificateRequest, false);
  assert.equal(r.handshake.caNames, []);
  assert.is(r.handshake.clientCertRequired, false);
});

test('a server that only speaks TLS 1.0: versions say so and the chain is read at TLS 1.0', async () => {
  const port = await openssl(['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0']);
  const r = await probe(port);
  assert.equal(r.versions, { 'TLS 1.0': true, 'TLS 1.1': false, 'TLS 1.2': false, 'TLS 1.3': false });
  assert.equal(r.handshake.chain?.map((c) => c.subject), ['CN=probe-test-server']);
  assert.is(r.handshake.tls?.version, 0x0301);
});

test('the text report lines of a probe say the chain, the client certificate and the accepted versions', async () => {
  const port = await openssl(['-Verify', '1', '-CAfile', pki.ca]);
  const lines = probeReportLines(probeRecord(await probe(port), null), (x) => x);
  assert.is(lines.length, 2);
  assert.match(lines[0]!, `127.0.0.1:${port} (etcd), 5 connection(s)`);
  assert.match(lines[1]!, 'chain CN=probe-test-server (unknown); client certificate required; accepts TLS 1.2, TLS 1.3');
});

test('a TLS 1.2-only server (OpenSSL -tls1_2) with a self-signed certificate', async () => {
  const port = await openssl(['-tls1_2'], pki.ca, pki.caKey);
  const r = await probe(port);
  assert.equal(r.versions, { 'TLS 1.0': false, 'TLS 1.1': false, 'TLS 1.2': true, 'TLS 1.3': false });
  assert.is(r.handshake.chain?.[0]?.selfSigned, true);
});

for (const [status, label] of [[200, 'anonymous allowed'], [403, 'anonymous authenticated, then denied'], [401, 'anonymous refused']] as const) {
  test(`kubelet GET /pods without credentials: ${status} (${label}); nothing but the status is kept, no credential sent`, async () => {
    const seen = { headers: [] as Record<string, unknown>[], certs: 0 };
    const port = await kubelet(status, seen);
    const r = await probe(port, 'apiserver-kubelet');
    assert.is(r.anonymousStatus, status);
    assert.is(seen.headers.length, 1, 'exactly one request');
    assert.is(seen.headers[0]!.url, '/pods');
    assert.is(seen.headers[0]!.authorization, undefined);
    assert.is(seen.headers[0]!.cookie, undefined);
    assert.is(seen.certs, 0, 'no client certificate');
    assert.not.match(JSON.stringify(r, (_k, v) => (Buffer.isBuffer(v) ? undefined : v)), 'secret-pod');
  });
}

test('no GET is sent to a server that is not a kubelet', async () => {
  const seen = { headers: [] as Record<string, unknown>[], certs: 0 };
  const port = await kubelet(200, seen);
  const r = await probe(port, 'etcd');
  assert.is(r.anonymousStatus, null);
  assert.is(seen.headers.length, 0);
});

test('a target that hangs ends in probe.timeout within the timeout, and is not asked again', async () => {
  const m = await misbehaving('hang');
  closers.push(() => m.server.close());
  const t0 = Date.now();
  const r = await probe(m.port, 'apiserver-kubelet', 600);
  const took = Date.now() - t0;
  assert.is(r.problem?.code, 'probe.timeout');
  assert.ok(took >= 550 && took < 2000, `took ${took} ms`);
  assert.is(r.connections, 1);
  assert.is(m.accepted(), 1);
});

test('a target that resets ends in probe.reset; one that sends garbage in probe.not_tls; a closed port in probe.refused', async () => {
  const reset = await misbehaving('reset');
  const garbage = await misbehaving('garbage');
  closers.push(() => reset.server.close(), () => garbage.server.close());
  assert.is((await probe(reset.port)).problem?.code, 'probe.reset');
  assert.is((await probe(garbage.port)).problem?.code, 'probe.not_tls');
  const closed = reset.port;
  reset.server.close();
  await new Promise((r) => setTimeout(r, 50));
  assert.is((await probe(closed)).problem?.code, 'probe.refused');
});

test('hostile servers: TLS-shaped records with random lengths and bodies never throw, hang or leak control characters', async () => {
  const { createServer } = await import('node:net');
  const { rng } = await import('../helpers/rng.js');
  const next = rng(12);
  const server = createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => {
      const parts: Buffer[] = [];
      for (let i = 0; i < 1 + Math.floor(next() * 4); i++) {
        const len = Math.floor(next() * 70000);
        const head = Buffer.from([0x16, 0x03, Math.floor(next() * 5), len >> 8 & 0xff, len & 0xff]);
        const body = Buffer.alloc(Math.min(len, Math.floor(next() * 3000)));
        for (let j = 0; j < body.length; j++) body[j] = next() < 0.1 ? 0x1b : Math.floor(next() * 256);
        // A plausible ServerHello start now and then, so parsing goes deeper than the record layer.
        if (next() < 0.5 && body.length > 4) body.set([0x02, 0x00, body.length >> 8 & 0xff, (body.length - 4) & 0xff]);
        parts.push(head, body);
      }
      s.end(Buffer.concat(parts));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  const port = (server.address() as AddressInfo).port;
  for (let i = 0; i < 40; i++) {
    const r = await probe(port, i % 2 ? 'apiserver-kubelet' : 'etcd', 1000);
    assert.ok(r.problem !== null || r.handshake.chain !== null, `round ${i}`);
    const rec = JSON.stringify(probeRecord(r, null));
    assert.not.ok(rec.includes('\\u001b') || rec.includes('\x1b'), 'no escape character reaches the record');
  }
});

test('the probe binds local ports it registered first, so its packets are known as its own', async () => {
  const port = await openssl([]);
  const own = new OwnTraffic();
  const r = await probe(port, 'etcd', 3000, own);
  assert.ok(r.handshake.local !== null);
  assert.ok(own.owns('127.0.0.1', port, r.handshake.local!.port), 'the first handshake is ours');
  assert.not.ok(own.owns('127.0.0.1', port, r.handshake.local!.port === 40000 ? 40001 : 40000));
  assert.is(own.size, r.connections);
});

test('scheduler: at most 4 servers at a time, each once per interval', async () => {
  const servers = await Promise.all(Array.from({ length: 7 }, () => misbehaving('hang')));
  const results: ProbeResult[] = [];
  let running = 0;
  let most = 0;
  for (const m of servers) {
    closers.push(() => m.server.close());
    m.server.on('connection', () => {
      running++;
      most = Math.max(most, running);
    });
  }
  const s = new ProbeScheduler({ intervalMs: 60_000, timeoutMs: 400, perSecond: 20, concurrency: 4, own: null, onResult: (r) => { running--; results.push(r); } });
  for (const m of servers) assert.ok(s.offer(target(m.port)));
  assert.not.ok(s.offer(target(servers[0]!.port)), 'once per interval');
  await s.idle();
  assert.is(results.length, 7);
  assert.is(most, 4, `${most} at once`);
  assert.equal(servers.map((m) => m.accepted()), [1, 1, 1, 1, 1, 1, 1], 'one connection per hanging server, no version handshakes after a timeout');
  assert.ok(results.every((r) => r.problem?.code === 'probe.timeout'));
});

test('pace: 12 connections at 10 a second take about a second', async () => {
  const pace = new ConnectionPace(10);
  const t0 = Date.now();
  for (let i = 0; i < 12; i++) await pace.take();
  const took = Date.now() - t0;
  assert.ok(took >= 150 && took < 1500, `took ${took} ms`);
});

test.after(() => {
  for (const p of procs) p.kill();
  for (const c of closers) c();
});

test.run();
