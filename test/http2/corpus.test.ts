import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Http2Facts, HttpExchange } from '../../src/core/facts.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';
import { CORPUS, expectedFor, tsharkByStream } from './helpers/expected.js';
import { feed } from './helpers/run.js';
import { followTcp, type Chunk } from './helpers/tshark-follow.js';

const PRIOR = 'suricata-verify/http2-h2c-prior-knowledge.pcap';
const UPGRADE = 'suricata-verify/http2-h2c-upgrade.pcap';
const ARKIME = 'arkime/http2-nghttp2.pcap';

function byId(f: Http2Facts): Map<number, HttpExchange> {
  return new Map(f.exchanges.map((x) => [x.streamId!, x]));
}

/** Every tshark HEADERS field we report must agree, stream by stream. */
function compareWithTshark(path: string, f: Http2Facts): number {
  const xs = byId(f);
  let compared = 0;
  for (const [sid, h] of tsharkByStream(path)) {
    const x = xs.get(sid);
    assert.ok(x, `stream ${sid} reported`);
    if (h[':method'] !== undefined) { assert.is(x!.method, h[':method'], `stream ${sid} method`); compared++; }
    if (h[':path'] !== undefined) { assert.is(x!.path, h[':path'], `stream ${sid} path`); compared++; }
    if (h[':authority'] !== undefined) { assert.is(x!.host, h[':authority'], `stream ${sid} authority`); compared++; }
    if (h[':status'] !== undefined) { assert.is(x!.status, Number(h[':status']), `stream ${sid} status`); compared++; }
    if (h['user-agent'] !== undefined) { assert.is(x!.userAgent, h['user-agent'], `stream ${sid} user-agent`); compared++; }
  }
  return compared;
}

/** The capture through the project's pipeline (decode, flows, reassembly, dispatch, dissectors). */
async function viaPipeline(path: string): Promise<ConnectionFacts[]> {
  const conns: ConnectionFacts[] = [];
  await analyzeFiles([`${CORPUS}/${path}`], { onConnection: (c) => conns.push(c) });
  return conns;
}

/** The h2c Upgrade case: the HTTP/1.1 request and the 101 response head belong to HTTP/1. */
function afterUpgrade(chunks: Chunk[]): Chunk[] {
  const out: Chunk[] = [];
  const skipped = [false, false];
  for (const c of chunks) {
    if (skipped[c.dir]) { out.push(c); continue; }
    const end = c.data.indexOf('\r\n\r\n');
    assert.ok(end >= 0, 'HTTP/1 head in one segment');
    skipped[c.dir] = true;
    if (end + 4 < c.data.length) out.push({ dir: c.dir, data: c.data.subarray(end + 4) });
  }
  return out;
}

test('h2c prior knowledge (suricata-verify) through the pipeline: tshark and Suricata facts', async () => {
  const conns = await viaPipeline(PRIOR);
  assert.is(conns.length, 1);
  assert.is(conns[0]!.proto, 'http2');
  assert.equal(conns[0]!.anomalies, []);
  const r = { facts: conns[0]!.http2! };
  assert.ok(r.facts.preface);
  assert.not.ok(r.facts.midStream);
  assert.ok(compareWithTshark(PRIOR, r.facts) >= 30);
  // Suricata http-basic: stream 1 GET /doc/manual/html/index.html 200, user agent; settings.
  const s = expectedFor(PRIOR).http!.find((h) => h.h2_stream_id === 1)!;
  const x = byId(r.facts).get(1)!;
  assert.is(x.method, s.method);
  assert.is(x.path, s.uri);
  assert.is(x.status, s.status_code);
  assert.is(x.userAgent, s.user_agent);
  assert.is(x.version, 'HTTP/2');
  // SETTINGSMAXCONCURRENTSTREAMS (3) = 100 both ways, SETTINGSINITIALWINDOWSIZE (4) = 65535 from the client.
  assert.is(r.facts.settings[1]!['3'], 100);
  assert.is(r.facts.settings[0]!['3'], 100);
  assert.is(r.facts.settings[0]!['4'], 65535);
  // Suricata: error_code NOERROR in the client's GOAWAY.
  assert.equal(r.facts.goaway, { lastStreamId: 0, errorCode: 0 });
  assert.is(r.facts.exchanges.length, 6);
});

test('h2c upgrade (suricata-verify) through the pipeline: the tunnel after the 101, tshark and Suricata facts', async () => {
  const conns = await viaPipeline(UPGRADE);
  assert.is(conns.length, 1);
  assert.is(conns[0]!.tunnel?.proto, 'http2');
  assert.equal(conns[0]!.anomalies, []);
  const r = { facts: conns[0]!.tunnel!.http2! };
  assert.ok(r.facts.preface);
  assert.ok(compareWithTshark(UPGRADE, r.facts) >= 6);
  const xs = byId(r.facts);
  const exp = expectedFor(UPGRADE).http!;
  // Stream 1 is the upgraded HTTP/1.1 request: only its response is HTTP/2.
  assert.is(xs.get(1)!.status, exp.find((h) => h.h2_stream_id === 1)!.status_code);
  const s3 = exp.find((h) => h.h2_stream_id === 3)!;
  assert.is(xs.get(3)!.method, s3.method);
  assert.is(xs.get(3)!.path, s3.uri);
  assert.is(xs.get(3)!.status, s3.status_code);
  // Suricata: the server's SETTINGSHEADERTABLESIZE (1) = 8192, the client's SETTINGSENABLEPUSH (2) = 0.
  assert.is(r.facts.settings[1]!['1'], 8192);
  assert.is(r.facts.settings[0]!['2'], 0);
});

test('nghttp2 with PUSH_PROMISE (Arkime) through the pipeline: paths, host, status, user agent', async () => {
  const conns = await viaPipeline(ARKIME);
  assert.is(conns.length, 1);
  assert.equal(conns[0]!.anomalies, []);
  const r = { facts: conns[0]!.http2! };
  const a = expectedFor(ARKIME).http![0]!;
  assert.ok(r.facts.preface);
  assert.ok(compareWithTshark(ARKIME, r.facts) >= 2);
  assert.equal([...new Set(r.facts.exchanges.map((x) => x.path))].sort(), a.paths);
  assert.equal([...new Set(r.facts.exchanges.map((x) => x.host))], a.hosts);
  assert.equal([...new Set(r.facts.exchanges.map((x) => x.status))], a.status_codes);
  assert.equal([...new Set(r.facts.exchanges.map((x) => x.userAgent).filter((u) => u !== null))], a.user_agents);
  // The pushed stream is even and carries the promised request.
  assert.ok(r.facts.exchanges.some((x) => x.streamId! % 2 === 0 && x.path === '/stylesheets/screen.css'));
});

test('h2c upgrade fed directly (HTTP/1 heads cut off as the HTTP/1 dissector hands over): same facts as the pipeline', async () => {
  const direct = feed(afterUpgrade(followTcp(`${CORPUS}/${UPGRADE}`, 0)));
  assert.equal(direct.anomalies, []);
  const conns = await viaPipeline(UPGRADE);
  assert.equal(direct.facts, conns[0]!.tunnel!.http2);
});

test('chunk-split invariance on the corpus: 1, 7 and 100-byte pieces give the same facts', () => {
  for (const path of [PRIOR, ARKIME]) {
    const chunks = followTcp(`${CORPUS}/${path}`, 0);
    const whole = JSON.stringify(feed(chunks).facts);
    for (const n of [1, 7, 100]) assert.is(JSON.stringify(feed(chunks, n).facts), whole, `${path} split ${n}`);
  }
});

test('mid-stream pickup: first 100 bytes of each side lost', () => {
  const chunks = followTcp(`${CORPUS}/${PRIOR}`, 0);
  // Drop the first 100 bytes of each direction (preface, SETTINGS, the first HEADERS), as a capture started late would.
  const cut: Chunk[] = [];
  const dropped = [0, 0];
  for (const c of chunks) {
    const left = 100 - dropped[c.dir]!;
    if (left >= c.data.length) { dropped[c.dir]! += c.data.length; continue; }
    const off = Math.max(0, left);
    dropped[c.dir]! += off;
    cut.push({ dir: c.dir, data: c.data.subarray(off) });
  }
  const r = feed(cut);
  assert.ok(r.facts.midStream);
  assert.not.ok(r.facts.preface);
  assert.ok(r.anomalies.some((a) => a.code === 'http2.hpack_unknown_reference'), 'unknown table entries reported');
  assert.ok(r.facts.exchanges.filter((x) => x.path !== null).length >= 4, 'later requests still decoded');
  // Whatever was decoded is right (same as tshark); nothing invented.
  const truth = tsharkByStream(PRIOR);
  for (const x of r.facts.exchanges) {
    const t = truth.get(x.streamId!)!;
    assert.ok(t, `stream ${x.streamId} exists`);
    if (x.path !== null) assert.is(x.path, t[':path']);
    if (x.status !== null) assert.is(x.status, Number(t[':status']));
  }
});

test('only the server side, from its first HEADERS frame on: mid-stream, statuses still decoded', () => {
  const all = Buffer.concat(followTcp(`${CORPUS}/${PRIOR}`, 0).filter((c) => c.dir === 1).map((c) => c.data));
  // Walk the frame headers (RFC 9113 4.1) to the first HEADERS (type 1) and start the capture there.
  let off = 0;
  while (all[off + 3] !== 1) off += 9 + all.readUIntBE(off, 3);
  assert.ok(off > 0);
  const r = feed([{ dir: 1, data: all.subarray(off) }], 1400);
  assert.ok(r.facts.midStream);
  const truth = tsharkByStream(PRIOR);
  assert.ok(r.facts.exchanges.length >= 5);
  for (const x of r.facts.exchanges) assert.is(x.status, Number(truth.get(x.streamId!)![':status']));
});

test.run();
