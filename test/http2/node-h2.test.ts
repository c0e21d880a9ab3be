import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { feed } from './helpers/run.js';
import { recordProxy, type Recorded } from './helpers/record-proxy.js';

/** A JWT shaped like a bound Kubernetes service-account token (signature is junk; never verified). */
function jwt(claims: object): string {
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
}
const TOKEN = jwt({
  iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:kube-system:konnectivity-agent',
  aud: ['system:konnectivity-server'], exp: 1900000000, 'kubernetes.io': { pod: { name: 'konnectivity-agent-x', uid: 'u1' } },
});

/** gRPC message framing: 1-byte compressed flag, 4-byte big-endian length, message. */
function grpcMessage(body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(body.length, 1);
  return Buffer.concat([h, body]);
}

interface Session { chunks: Recorded[]; port: number }

/** Runs `client` against a Node http2 server through the recording proxy and returns the bytes. */
async function record(
  onStream: (s: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders) => void,
  client: (c: http2.ClientHttp2Session) => Promise<void>,
): Promise<Session> {
  const server = http2.createServer();
  server.on('stream', onStream);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy = await recordProxy((server.address() as AddressInfo).port);
  const c = http2.connect(`http://127.0.0.1:${proxy.port}`);
  await client(c);
  await new Promise<void>((r) => c.close(() => r()));
  await proxy.drained();
  await proxy.close();
  await new Promise<void>((r) => server.close(() => r()));
  assert.is(proxy.connections.length, 1);
  return { chunks: proxy.connections[0]!, port: proxy.port };
}

function request(c: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer): Promise<{ status: number; trailers: http2.IncomingHttpHeaders | null }> {
  return new Promise((resolve, reject) => {
    const s = c.request(headers, { endStream: body === undefined });
    let status = 0;
    let trailers: http2.IncomingHttpHeaders | null = null;
    s.on('response', (h) => { status = Number(h[':status']); });
    s.on('trailers', (t) => { trailers = t; });
    s.on('data', () => {});
    s.on('end', () => resolve({ status, trailers }));
    s.on('error', reject);
    if (body !== undefined) s.end(body);
  });
}

test('Node http2 h2c: 40 requests, first 32 kept, statuses, user agent, split invariance', async () => {
  const rec = await record((s, h) => {
    s.respond({ ':status': h[':path'] === '/missing' ? 404 : 200, 'content-type': 'text/plain' });
    s.end('x'.repeat(100));
  }, async (c) => {
    for (let i = 0; i < 40; i++) {
      const r = await request(c, { ':path': i === 3 ? '/missing' : `/item/${i}?q=${i}`, 'user-agent': 'h2-test/1.0' });
      assert.is(r.status, i === 3 ? 404 : 200);
    }
  });
  const r = feed(rec.chunks);
  assert.ok(r.facts.preface);
  assert.equal(r.anomalies, []);
  assert.is(r.facts.exchanges.length, 32);
  assert.ok(r.done, 'done after 32 finished exchanges');
  const x = r.facts.exchanges;
  assert.is(x[0]!.streamId, 1);
  assert.is(x[0]!.method, 'GET');
  assert.is(x[0]!.path, '/item/0?q=0');
  assert.is(x[3]!.status, 404);
  assert.is(x[31]!.path, '/item/31?q=31');
  assert.ok(x.every((e) => e.userAgent === 'h2-test/1.0' && e.host === `127.0.0.1:${rec.port}`));
  for (const n of [1, 3, 64]) assert.is(JSON.stringify(feed(rec.chunks, n).facts), JSON.stringify(r.facts), `split ${n}`);
});

test('gRPC-shaped exchange: /AgentService/Connect, bearer metadata, grpc-status trailers, no secret in facts', async () => {
  const rec = await record((s, h) => {
    assert.is(h['content-type'], 'application/grpc');
    s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
    s.on('data', () => {});
    s.on('end', () => s.end(grpcMessage(Buffer.alloc(3000, 7))));
  }, async (c) => {
    const r = await request(c, {
      ':method': 'POST', ':path': '/AgentService/Connect', 'content-type': 'application/grpc', te: 'trailers',
      authorization: `Bearer ${TOKEN}`, agentid: 'agent-1234', 'user-agent': 'grpc-go/1.60.0',
    }, Buffer.concat([grpcMessage(Buffer.alloc(70000, 1)), grpcMessage(Buffer.from('hello'))]));
    assert.is(r.status, 200);
    assert.is(r.trailers?.['grpc-status'], '0');
  });
  const r = feed(rec.chunks);
  assert.ok(r.facts.grpc);
  assert.equal(r.anomalies, []);
  const x = r.facts.exchanges[0]!;
  assert.is(x.method, 'POST');
  assert.is(x.path, '/AgentService/Connect');
  assert.is(x.contentType, 'application/grpc');
  assert.is(x.status, 200);
  assert.is(x.grpcStatus, 0);
  assert.is(x.userAgent, 'grpc-go/1.60.0');
  const a = x.auth!;
  assert.is(a.kind, 'bearer');
  assert.is(a.carrier, 'authorization');
  assert.is(a.len, TOKEN.length);
  assert.is(a.sha256Prefix, createHash('sha256').update(TOKEN).digest('hex').slice(0, 12));
  assert.equal(a.jwt, {
    iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:kube-system:konnectivity-agent',
    aud: ['system:konnectivity-server'], exp: 1900000000, bound: true,
  });
  const all = JSON.stringify(r);
  assert.not.ok(all.includes(TOKEN.split('.')[2]!), 'signature absent');
  assert.not.ok(all.includes(TOKEN.slice(0, 40)), 'token absent');
  for (const n of [1, 5, 1000]) assert.is(JSON.stringify(feed(rec.chunks, n).facts), JSON.stringify(r.facts), `split ${n}`);
});

test('cookie token and query token credentials; the secret values never appear', async () => {
  const secret = 'S3cr3tS3ssionValue-0123456789';
  const rec = await record((s) => { s.respond({ ':status': 204 }); s.end(); }, async (c) => {
    await request(c, { ':path': '/watch?access_token=qtoken-987654&x=1', cookie: `theme=dark; session_token=${secret}` });
    await request(c, { ':path': '/b', cookie: `session_token=${secret}` });
    await request(c, { ':path': '/c?token=qtoken-987654' });
  });
  const r = feed(rec.chunks);
  const [q, ck, qo] = r.facts.exchanges;
  assert.equal(qo!.path, '/c?token=<redacted>');
  assert.equal([qo!.auth!.kind, qo!.auth!.carrier, qo!.auth!.len], ['query', 'query:token', 'qtoken-987654'.length]);
  assert.is(q!.path, '/watch?access_token=<redacted>&x=1');
  assert.is(q!.auth!.kind, 'cookie');
  assert.is(q!.auth!.carrier, 'cookie:session_token');
  assert.is(q!.auth!.sha256Prefix, createHash('sha256').update(secret).digest('hex').slice(0, 12));
  assert.is(ck!.auth!.len, secret.length);
  const all = JSON.stringify(r);
  assert.not.ok(all.includes(secret));
  assert.not.ok(all.includes('qtoken-987654'));
});

test.run();
