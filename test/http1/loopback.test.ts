import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http1Factory } from '../../dissectors/http1/index.js';
import type { HttpFacts } from '../../src/core/facts.js';
import { recordProxy, type Recording } from '../ssh/helpers/record-proxy.js';
import { runChunks } from '../ssh/helpers/run.js';
import type { Recorded, TunnelLog } from '../ssh/helpers/ctx.js';

// Real curl and raw sockets against Node servers on 127.0.0.1, recorded by a proxy and dissected.
const dir = mkdtempSync(join(tmpdir(), 'cw-http1-'));
const servers: Server[] = [];
let httpPort = 0;
let tlsPort = 0;
let connectProxyPort = 0;
let plainPort = 0;

function listen(s: Server): Promise<number> {
  servers.push(s);
  return new Promise((r) => s.listen(0, '127.0.0.1', () => {
    const a = s.address();
    r(typeof a === 'object' && a !== null ? a.port : 0);
  }));
}

function sh(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => execFile(cmd, args, { timeout: 15000 }, (_e, out) => resolve(String(out))));
}

test.before(async () => {
  const app = createHttp((req, res) => {
    if (req.url?.startsWith('/chunked')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 5; i++) res.write('x'.repeat(1000 + i));
      res.end();
    } else if (req.url?.startsWith('/empty')) {
      res.writeHead(204).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' }).end('{"ok":true}');
    }
  });
  app.on('upgrade', (req, socket: Socket) => {
    const proto = String(req.headers['upgrade']);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${proto}\r\n\r\n`);
    if (proto !== 'h2c') {
      socket.end(Buffer.from('81026869', 'hex')); // a WebSocket text frame "hi"
      return;
    }
    // The server's preface is a SETTINGS frame (no magic string); close once the client's preface arrived.
    socket.write(Buffer.from('000000040000000000', 'hex'));
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.once('data', () => {
      clearTimeout(timer);
      socket.end();
    });
  });
  httpPort = await listen(app);
  // No 'upgrade' listener: Node answers Upgrade requests as ordinary ones.
  plainPort = await listen(createHttp((_req, res) => res.writeHead(200, { 'content-length': '2' }).end('no')));

  await sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  const tls = createHttps({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_q, r) => r.end('secure'));
  tlsPort = await listen(tls as unknown as Server);

  const proxy = createHttp((_q, r) => r.writeHead(405).end());
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    const [host, port] = String(req.url).split(':');
    const up = netConnect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  connectProxyPort = await listen(proxy);
});

test.after(async () => {
  for (const s of servers) {
    s.closeAllConnections?.();
    await new Promise<void>((r) => s.close(() => r()));
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Out { facts: HttpFacts; anomalies: Recorded[]; tunnels: TunnelLog[]; rec: Recording; port: number }

/** Runs `client(port)` against a recording proxy in front of `target` and dissects the first connection. */
async function recorded(target: number, client: (port: number) => Promise<unknown>): Promise<Out> {
  const p = await recordProxy(target);
  await client(p.port);
  const rec = p.connections[0] as Recording;
  assert.ok(rec, 'a connection was recorded');
  await Promise.race([rec.closed, new Promise((r) => setTimeout(r, 3000))]);
  await p.close();
  const r = runChunks<HttpFacts>(http1Factory, rec.chunks, true);
  return { ...r, rec, port: p.port };
}

const curl = (...args: string[]) => (port: number) => sh('curl', ['-s', '-o', '/dev/null', '--max-time', '5', ...args.map((a) => a.replace('PORT', String(port)))]);

function b64url(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}
function sha12(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}
function assertNoSecret(o: Out, ...secrets: string[]): void {
  const text = JSON.stringify({ f: o.facts, a: o.anomalies });
  for (const s of secrets) assert.not.ok(text.includes(s), `secret ${s.slice(0, 4)}... leaked`);
}

test('curl with a bound service-account JWT (Bearer): kind/len/hash by hand, claims, secret absent', async () => {
  const claims = {
    iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:kube-system:node-agent',
    aud: ['https://kubernetes.default.svc.cluster.local'], exp: 1924992000, iat: 1700000000,
    'kubernetes.io': { namespace: 'kube-system', pod: { name: 'agent-x', uid: 'u-1' }, serviceaccount: { name: 'node-agent', uid: 'u-2' } },
  };
  const sig = randomBytes(64).toString('base64url');
  const token = `${b64url({ alg: 'RS256', kid: 'k1' })}.${b64url(claims)}.${sig}`;
  const o = await recorded(httpPort, curl('-H', `Authorization: Bearer ${token}`, '-A', 'kubectl/v1.30.0',
    'http://127.0.0.1:PORT/api/v1/namespaces/kube-system/pods?watch=true'));
  const ex = o.facts.exchanges[0];
  assert.is(o.facts.exchanges.length, 1);
  assert.is(ex?.method, 'GET');
  assert.is(ex?.path, '/api/v1/namespaces/kube-system/pods?watch=true');
  assert.is(ex?.host, `127.0.0.1:${o.port}`);
  assert.is(ex?.status, 200);
  assert.is(ex?.version, 'HTTP/1.1');
  assert.is(ex?.userAgent, 'kubectl/v1.30.0');
  assert.is(ex?.contentType, 'application/json');
  assert.equal(ex?.auth, {
    kind: 'bearer', len: token.length, sha256Prefix: sha12(token), carrier: 'authorization',
    jwt: { iss: claims.iss, sub: claims.sub, aud: claims.aud, exp: claims.exp, bound: true },
  });
  assertNoSecret(o, token, sig, b64url(claims));
});

test('legacy service-account JWT (no exp, no binding) is not bound', async () => {
  const claims = { iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': 'default', sub: 'system:serviceaccount:default:old' };
  const sig = randomBytes(32).toString('base64url');
  const token = `${b64url({ alg: 'RS256' })}.${b64url(claims)}.${sig}`;
  const o = await recorded(httpPort, curl('-H', `Authorization: Bearer ${token}`, 'http://127.0.0.1:PORT/api'));
  assert.equal(o.facts.exchanges[0]?.auth?.jwt, { iss: 'kubernetes/serviceaccount', sub: claims.sub, aud: [], exp: null, bound: false });
  assertNoSecret(o, token, sig);
});

test('curl -u: Basic, the secret is the base64 credentials', async () => {
  const pass = `pw-${randomBytes(8).toString('hex')}`;
  const b64 = Buffer.from(`admin:${pass}`).toString('base64');
  const o = await recorded(httpPort, curl('-u', `admin:${pass}`, 'http://127.0.0.1:PORT/healthz'));
  assert.equal(o.facts.exchanges[0]?.auth, { kind: 'basic', len: b64.length, sha256Prefix: sha12(b64), carrier: 'authorization', jwt: null });
  assertNoSecret(o, pass, b64);
});

test('token-looking cookie and access_token query parameter; path keeps <redacted>', async () => {
  const sess = randomBytes(24).toString('hex');
  const o1 = await recorded(httpPort, curl('--cookie', `theme=dark; Session_Id=${sess}`, 'http://127.0.0.1:PORT/ui'));
  assert.equal(o1.facts.exchanges[0]?.auth, { kind: 'cookie', len: sess.length, sha256Prefix: sha12(sess), carrier: 'cookie:Session_Id', jwt: null });
  assertNoSecret(o1, sess);
  const q = randomBytes(20).toString('hex');
  const o2 = await recorded(httpPort, curl(`http://127.0.0.1:PORT/logs?follow=1&access_token=${q}&tail=5`));
  const ex = o2.facts.exchanges[0];
  assert.is(ex?.path, '/logs?follow=1&access_token=<redacted>&tail=5');
  assert.equal(ex?.auth, { kind: 'query', len: q.length, sha256Prefix: sha12(q), carrier: 'query:access_token', jwt: null });
  assertNoSecret(o2, q);
});

test('Digest and other schemes: no credential, anomaly names only the scheme', async () => {
  const secret = randomBytes(16).toString('hex');
  const o = await recorded(httpPort, curl('-H', `Authorization: Negotiate ${secret}`, 'http://127.0.0.1:PORT/x'));
  assert.is(o.facts.exchanges[0]?.auth, null);
  assert.equal(o.anomalies.map((a) => [a.code, a.detail]), [['http.auth_scheme_other', 'authorization scheme negotiate']]);
  assertNoSecret(o, secret);
});

test('curl keep-alive: chunked response skipped, second request on the same connection parsed', async () => {
  const o = await recorded(httpPort, curl('http://127.0.0.1:PORT/chunked', 'http://127.0.0.1:PORT/empty', 'http://127.0.0.1:PORT/after'));
  assert.equal(o.facts.exchanges.map((e) => [e.method, e.path, e.status]), [['GET', '/chunked', 200], ['GET', '/empty', 204], ['GET', '/after', 200]]);
  assert.equal(o.anomalies, []);
});

test('pipelining from a raw socket: GET, HEAD (no body despite Content-Length), GET, matched in order', async () => {
  const o = await recorded(httpPort, (port) => new Promise<void>((resolve) => {
    const s = netConnect(port, '127.0.0.1', () => {
      s.write('GET /chunked HTTP/1.1\r\nHost: a\r\n\r\nHEAD /fixed HTTP/1.1\r\nHost: a\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    });
    s.on('data', () => undefined);
    s.on('close', () => resolve());
  }));
  assert.equal(o.rec.chunks.filter((c) => c.dir === 0).length, 1, 'the three requests left in one segment');
  assert.equal(o.facts.exchanges.map((e) => [e.method, e.path, e.status]), [['GET', '/chunked', 200], ['HEAD', '/fixed', 200], ['GET', '/last', 200]]);
  assert.equal(o.anomalies, []);
});

test('curl -p -x through a CONNECT proxy: authority, status, TLS handed to ctx.tunnel() both ways, proxy credentials', async () => {
  const pass = randomBytes(8).toString('hex');
  const b64 = Buffer.from(`proxyuser:${pass}`).toString('base64');
  const o = await recorded(connectProxyPort, curl('-k', '-p', '-x', 'http://127.0.0.1:PORT', '-U', `proxyuser:${pass}`, '--proxy-basic',
    `https://127.0.0.1:${tlsPort}/`));
  assert.equal(o.facts.exchanges[0]?.auth, { kind: 'basic', len: b64.length, sha256Prefix: sha12(b64), carrier: 'proxy-authorization', jwt: null });
  assertNoSecret(o, pass, b64);
  assert.equal(o.facts.connect, { authority: `127.0.0.1:${tlsPort}`, status: 200 });
  assert.is(o.facts.exchanges[0]?.method, 'CONNECT');
  assert.is(o.tunnels.length, 1);
  const t = o.tunnels[0] as TunnelLog;
  assert.is(t.proto, undefined);
  const c0 = Buffer.concat(t.chunks.filter((c) => c.dir === 0).map((c) => c.data));
  const c1 = Buffer.concat(t.chunks.filter((c) => c.dir === 1).map((c) => c.data));
  assert.ok(c0[0] === 0x16 && c0[5] === 1, 'ClientHello first in the tunnel');
  assert.ok(c1[0] === 0x16 && c1[5] === 2, 'ServerHello first in the tunnel');
  // Every byte after the two header blocks went to the tunnel.
  const all0 = Buffer.concat(o.rec.chunks.filter((c) => c.dir === 0).map((c) => c.data));
  assert.is(c0.length, all0.length - (all0.indexOf('\r\n\r\n') + 4));
  assert.is(t.ends, 2);
});

test('h2c upgrade: 101 hands both directions to ctx.tunnel("http2"); the client then sends the preface', async () => {
  const o = await recorded(httpPort, curl('--http2', 'http://127.0.0.1:PORT/h2'));
  assert.is(o.facts.exchanges[0]?.upgrade, 'h2c');
  assert.is(o.facts.exchanges[0]?.status, 101);
  assert.is(o.facts.upgradedTo, 'h2c');
  const t = o.tunnels[0] as TunnelLog;
  assert.is(t.proto, 'http2');
  assert.is(Buffer.concat(t.chunks.filter((c) => c.dir === 0).map((c) => c.data)).toString('latin1', 0, 24), 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  assert.is(Buffer.concat(t.chunks.filter((c) => c.dir === 1).map((c) => c.data)).toString('hex'), '000000040000000000');
});

test('h2c offered, refused with 200: the next request on the connection is parsed as HTTP/1.1', async () => {
  const o = await recorded(plainPort, (port) => new Promise<void>((resolve) => {
    const s = netConnect(port, '127.0.0.1', () => {
      s.write('GET /a HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n');
    });
    // The client waits for the answer to its offer (Node ignores bytes pipelined behind an Upgrade request).
    s.once('data', () => s.write('GET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'));
    s.on('close', () => resolve());
  }));
  assert.equal(o.facts.exchanges.map((e) => [e.path, e.status, e.upgrade ?? null]), [['/a', 200, 'h2c'], ['/b', 200, null]]);
  assert.is(o.facts.upgradedTo, null);
  assert.is(o.tunnels.length, 0);
});

test('WebSocket: after 101 the dissector is done and records the switch', async () => {
  const o = await recorded(httpPort, curl('-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket', '-H', 'Sec-WebSocket-Version: 13',
    '-H', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'http://127.0.0.1:PORT/ws'));
  assert.is(o.facts.upgradedTo, 'websocket');
  assert.is(o.tunnels.length, 0);
});

test.run();
