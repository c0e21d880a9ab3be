import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { http1Factory } from '../../dissectors/http1/index.js';
import type { HttpFacts } from '../../src/core/facts.js';
import { followTcp, type FollowedStream } from '../ssh/helpers/follow.js';
import { resplit, rng, runChunks, type Chunks } from '../ssh/helpers/run.js';
import { testContext } from '../ssh/helpers/ctx.js';

const CORPUS = '../shared/corpus';
const streams: FollowedStream[] = ['zeek/http/docker-http-upgrade.pcap', 'zeek/http/100-continue.pcap', 'zeek/http/connect-with-header.pcap',
  'zeek/http/websocket.pcap', 'arkime/v6-http.pcap', 'suricata-verify/http-connect-simple.pcap', 'suricata-verify/http2-h2c-upgrade.pcap',
  'zeek/http/get.pcap'].flatMap((p) => followTcp(`${CORPUS}/${p}`));

function snapshot(chunks: Chunks): string {
  const r = runChunks<HttpFacts>(http1Factory, chunks, true);
  const tunnels = r.tunnels.map((t) => [0, 1].map((d) => createHash('sha256')
    .update(Buffer.concat(t.chunks.filter((c) => c.dir === d).map((c) => c.data))).digest('hex')).concat(String(t.proto), String(t.ends)));
  return JSON.stringify({ f: r.facts, a: r.anomalies, tunnels });
}

test('chunk-split invariance: facts, anomalies and tunnelled bytes are identical however the streams are cut', () => {
  assert.ok(streams.length >= 10);
  for (let seed = 1; seed <= 3; seed++) {
    const rand = rng(seed);
    for (const s of streams) assert.is(snapshot(resplit(s.chunks, rand)), snapshot(s.chunks), `stream ${s.index} seed ${seed}`);
  }
});

function feed(parts: Array<[0 | 1, string]>): { facts: HttpFacts; codes: string[]; done: boolean; tunnels: number } {
  const { ctx, anomalies, tunnels } = testContext();
  const d = http1Factory.create(ctx);
  for (const [dir, s] of parts) d.data(dir, Buffer.from(s, 'latin1'), 0);
  return { facts: d.facts() as HttpFacts, codes: anomalies.map((a) => a.code), done: d.done, tunnels: tunnels.length };
}

test('CONNECT refused (407): bytes the client pipelined behind it are the next request', () => {
  const r = feed([
    [0, 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\n'],
    [1, 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ]);
  assert.equal(r.facts.connect, { authority: 'a:443', status: 407 });
  assert.equal(r.facts.exchanges.map((e) => [e.method, e.host, e.status]), [['CONNECT', 'a:443', 407], ['GET', 'b', 200]]);
  assert.is(r.tunnels, 0);
  assert.equal(r.codes, []);
});

test('pipelined request, then an h2c offer: the first answer does not release the held bytes, the 101 tunnels them', () => {
  const { ctx, anomalies, tunnels } = testContext();
  const d = http1Factory.create(ctx);
  d.data(0, Buffer.from('GET /first HTTP/1.1\r\nHost: h\r\n\r\nGET /up HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n'
    + 'Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 0);
  d.data(1, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 0);
  d.data(1, Buffer.from('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00'), 0);
  const f = d.facts() as HttpFacts;
  assert.equal(f.exchanges.map((e) => [e.path, e.status]), [['/first', 200], ['/up', 101]]);
  assert.is(f.upgradedTo, 'h2c');
  assert.is(tunnels[0]?.proto, 'http2');
  assert.is(Buffer.concat((tunnels[0]?.chunks ?? []).filter((c) => c.dir === 0).map((c) => c.data)).toString('latin1'), 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  assert.equal(anomalies, []);
});

test('RFC 9112 framing: 1xx interim, 304 and HEAD without body, chunked with extensions and trailers', () => {
  const r = feed([
    [0, 'POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n'],
    [0, 'GET /c HTTP/1.1\r\nHost: h\r\n\r\nHEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /z HTTP/1.1\r\nHost: h\r\n\r\n'],
    [1, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok'],
    [1, 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n'],
    [1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n'],
  ]);
  assert.equal(r.facts.exchanges.map((e) => [e.method, e.path, e.status]), [['POST', '/u', 201], ['GET', '/c', 304], ['HEAD', '/h', 200], ['GET', '/z', 200]]);
  assert.equal(r.codes, []);
});

test('kubectl exec style SPDY/3.1 upgrade: 101 records the protocol and ends dissection', () => {
  const r = feed([
    [0, 'POST /api/v1/namespaces/default/pods/p/exec?command=sh&stdin=true HTTP/1.1\r\nHost: 10.0.0.1:6443\r\n'
      + 'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n'],
    [1, 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n\x80\x03\x00\x01'],
    [0, '\x80\x03\x00\x01\x01\x00\x00\x1a'],
  ]);
  assert.is(r.facts.upgradedTo, 'SPDY/3.1');
  assert.equal(r.facts.exchanges.map((e) => [e.method, e.status, e.upgrade]), [['POST', 101, 'SPDY/3.1']]);
  assert.is(r.facts.exchanges[0]?.path, '/api/v1/namespaces/default/pods/p/exec?command=sh&stdin=true');
  assert.ok(r.done);
  assert.is(r.tunnels, 0);
  assert.equal(r.codes, []);
});

test('response without length is read until close; exchanges past 32 are counted', () => {
  const reqs = Array.from({ length: 40 }, (_, i) => `GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`).join('');
  const resps = Array.from({ length: 39 }, () => 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx').join('');
  const r = feed([[0, reqs], [1, `${resps}HTTP/1.0 200 OK\r\n\r\nbody until close GET / HTTP/1.1\r\n\r\n`]]);
  assert.is(r.facts.exchanges.length, 32);
  assert.is(r.facts.exchangesDropped, 8);
  assert.is(r.facts.exchanges[31]?.path, '/31');
  assert.equal(r.codes, []);
});

test('hostile input: bad chunk size, huge chunk size, bad Content-Length, long line, too many headers, unparsable start line', () => {
  assert.equal(feed([[1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']]).codes, ['http.bad_chunking']);
  assert.equal(feed([[1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n']]).codes, ['http.bad_chunking']);
  assert.equal(feed([[1, 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n']]).codes, ['http.bad_content_length']);
  assert.equal(feed([[0, `GET /${'a'.repeat(9000)} HTTP/1.1\r\n`]]).codes, ['http.line_too_long']);
  const many = feed([[0, `GET / HTTP/1.1\r\n${'X-A: b\r\n'.repeat(150)}\r\nGET /2 HTTP/1.1\r\n\r\n`]]);
  assert.equal(many.codes, ['http.too_many_headers']);
  assert.equal(many.facts.exchanges.map((e) => e.path), ['/', '/2']);
  const bad = feed([[0, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n']]);
  assert.equal(bad.codes, ['http.bad_request_line']);
  const smuggle = feed([[0, 'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx']]);
  assert.equal(smuggle.codes, ['http.content_length_conflict']);
  const both = feed([[0, 'POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /n HTTP/1.1\r\n\r\n']]);
  assert.equal(both.codes, ['http.te_and_content_length']);
  assert.equal(both.facts.exchanges.map((e) => e.path), ['/', '/n']);
});

test('gaps: mid-stream start (gap 0) and a lost segment resynchronise on the next start line', () => {
  const { ctx, anomalies } = testContext();
  const d = http1Factory.create(ctx);
  d.gap(0, 0, 0);
  d.gap(1, 0, 0);
  d.data(0, Buffer.from('ost: tail-of-a-lost-request\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n'), 0);
  d.data(1, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234'), 0);
  d.gap(1, 5, 0);
  d.data(0, Buffer.from('GET /b HTTP/1.1\r\nHost: h\r\n\r\n'), 0);
  d.data(1, Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'), 0);
  d.gap(1, 100, 0);
  d.data(1, Buffer.from('zz\r\n0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'), 0);
  const f = d.facts() as HttpFacts;
  // The 5 missing body bytes are skipped silently; the 100 missing in a 5-byte chunk break the framing, and the
  // status line found after it has no request left to answer.
  assert.equal(f.exchanges.map((e) => [e.path, e.status]), [['/a', 200], ['/b', 200], [null, 404]]);
  assert.equal(anomalies.map((a) => a.code), ['http.gap']);
  assert.is(d.done, false);
});

test('a secret in a malformed message never reaches an anomaly', () => {
  const secret = 'S3CRET-abcdef0123456789';
  const r = feed([[0, `GET /?token=${secret} HTTP/1.1 junk\r\nAuthorization: Bearer ${secret}\r\nCookie ${secret}\r\n\r\n`]]);
  const { ctx, anomalies } = testContext();
  const d = http1Factory.create(ctx);
  d.data(0, Buffer.from(`GET /x?access_token=${secret} HTTP/1.1\r\nAuthorization: Digest ${secret}\r\nbad ${secret}\r\n\r\n`), 0);
  assert.not.ok(JSON.stringify({ r, f: d.facts(), anomalies }).includes(secret));
  assert.ok(anomalies.length >= 2);
});

test('fuzz (3 s): mutated streams, hostile lengths, random gaps/ends never throw', () => {
  const rand = rng(0xbeef);
  const until = Date.now() + 3000;
  const digits = Buffer.from('0123456789abcdef');
  let runs = 0;
  while (Date.now() < until) {
    const s = streams[Math.floor(rand() * streams.length)] as FollowedStream;
    const chunks = resplit(s.chunks.slice(0, 10), rand).map((c) => ({ dir: c.dir, data: Buffer.from(c.data) }));
    for (const c of chunks) {
      if (rand() < 0.2 && c.data.length > 0) c.data[Math.floor(rand() * c.data.length)] = Math.floor(rand() * 256);
      if (rand() < 0.1 && c.data.length > 8) {
        const at = Math.floor(rand() * (c.data.length - 8));
        for (let i = 0; i < 8; i++) c.data[at + i] = digits[Math.floor(rand() * 16)] ?? 0x30;
      }
    }
    const { ctx } = testContext();
    const d = http1Factory.create(ctx);
    for (const c of chunks) {
      const r = rand();
      if (r < 0.01) d.gap(c.dir, Math.floor(rand() * 100000), 0);
      else if (r < 0.015) d.end(c.dir, 'fin', 0);
      else if (!d.done) d.data(c.dir, c.data, 0);
    }
    JSON.stringify(d.facts());
    runs++;
  }
  assert.ok(runs > 100, `${runs} runs`);
});

test.run();
