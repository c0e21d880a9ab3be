import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { http1Factory } from '../../dissectors/http1/index.js';
import type { HttpExchange, HttpFacts } from '../../src/core/facts.js';
import { followTcp, orient, type FollowedStream } from '../ssh/helpers/follow.js';
import { runChunks } from '../ssh/helpers/run.js';
import type { TunnelLog } from '../ssh/helpers/ctx.js';

const CORPUS = '../shared/corpus';
type Rec = Record<string, unknown>;
interface FileRec { path: string; http?: Rec[] }
const files = (JSON.parse(readFileSync(`${CORPUS}/expected.json`, 'utf8')) as { files: FileRec[] }).files
  .filter((f) => (f.http?.length ?? 0) > 0);
const file = (p: string): FileRec => {
  const f = files.find((x) => x.path === p);
  assert.ok(f, `${p} in expected.json`);
  return f as FileRec;
};

function sideBytes(t: TunnelLog, dir: 0 | 1): Buffer {
  return Buffer.concat(t.chunks.filter((c) => c.dir === dir).map((c) => c.data));
}

interface Run { facts: HttpFacts; tunnels: TunnelLog[]; inner: HttpFacts[]; stream: FollowedStream }

/** Dissects a stream; cleartext HTTP inside a CONNECT tunnel is dissected again, as the dispatcher's re-detection would. */
function run(s: FollowedStream, clientPort?: number): Run {
  const r = runChunks<HttpFacts>(http1Factory, clientPort === undefined ? s.chunks : orient(s, clientPort), true);
  const inner = r.tunnels
    .filter((t) => t.proto === undefined && /^\s*[A-Z]+ /.test(sideBytes(t, 0).toString('latin1', 0, 16)))
    .map((t) => runChunks<HttpFacts>(http1Factory, t.chunks, true).facts);
  return { facts: r.facts, tunnels: r.tunnels, inner, stream: s };
}

const followed = new Map<string, FollowedStream[]>();
function follow(path: string): FollowedStream[] {
  let s = followed.get(path);
  if (!s) followed.set(path, (s = followTcp(`${CORPUS}/${path}`)));
  return s;
}

function runAll(path: string): Run[] {
  return follow(path).map((s) => run(s));
}

function byServer(path: string, e: Rec): Run {
  const streams = follow(path);
  const cp = e['client_port'] as number | null;
  const sp = e['server_port'] as number;
  const s = streams.find((x) => (cp === null || x.node0.port === cp || x.node1.port === cp) && (x.node0.port === sp || x.node1.port === sp));
  assert.ok(s, `${path}: stream to :${sp}`);
  const ss = s as FollowedStream;
  const client = cp ?? (ss.node0.port === sp ? ss.node1.port : ss.node0.port);
  return run(ss, client);
}

/**
 * Disagreements with Zeek, stated: Zeek's http.log `version` is the reply's version (set by http_reply);
 * ours is the request's (as Suricata's http.protocol). Both values are asserted here.
 */
const ZEEK_VERSION_DISAGREES: Record<string, { ours: string; zeek: string | null; why: string }> = {
  'zeek/http/connect-with-header.pcap': { ours: 'HTTP/1.1', zeek: '1.0', why: 'request line says HTTP/1.1, the proxy answers HTTP/1.0' },
  'zeek/http/get-to-ssh-server.pcap': { ours: 'HTTP/1.1', zeek: null, why: 'an SSH server never answers, so Zeek has no reply version' },
};

test('Zeek http.log: method, host, uri, status, version field by field', () => {
  let n = 0;
  for (const f of files) {
    if (!f.path.startsWith('zeek/')) continue;
    for (const e of f.http ?? []) {
      if (e['inside_tls'] === true || e['server_port'] === undefined || e['zeek_uid'] !== undefined) continue;
      const { facts } = byServer(f.path, e);
      const where = `${f.path}`;
      const ex = facts.exchanges[0] as HttpExchange;
      assert.ok(ex, `${where}: an exchange`);
      assert.is(ex.method, e['method'], `${where} method`);
      assert.is(ex.path, e['uri'], `${where} uri`);
      assert.is(ex.status, e['status_code'], `${where} status`);
      const d = ZEEK_VERSION_DISAGREES[f.path];
      if (d) {
        assert.is(ex.version, d.ours, `${where} ours (${d.why})`);
        assert.is(e['version'], d.zeek, `${where} zeek (${d.why})`);
      } else {
        assert.is(ex.version, e['version'] === null ? null : `HTTP/${String(e['version'])}`, `${where} version`);
      }
      if (e['host'] !== undefined) assert.is(ex.host, e['host'], `${where} host`);
      if (e['user_agent'] !== undefined) assert.is(ex.userAgent, e['user_agent'], `${where} user_agent`);
      if (e['method'] === 'CONNECT') {
        assert.equal(facts.connect, { authority: e['uri'], status: e['status_code'] }, `${where} connect`);
      }
      n++;
    }
  }
  assert.ok(n >= 9, `compared ${n} Zeek exchanges`);
});

test('Zeek get.pcap (http_all_headers) and docker-http-upgrade (6 exchanges over 3 connections, Upgrade: tcp)', () => {
  const g = file('zeek/http/get.pcap').http?.[0] as Rec;
  const ex = runAll('zeek/http/get.pcap').flatMap((r) => r.facts.exchanges);
  assert.is(ex.length, 1);
  assert.is(ex[0]?.method, g['method']);
  assert.is(ex[0]?.host, g['host']);
  assert.is(ex[0]?.userAgent, g['user_agent']);

  const want = (file('zeek/http/docker-http-upgrade.pcap').http ?? []).map((e) => `${e['method']} ${e['uri']} ${e['status_code']}`).sort();
  const runs = runAll('zeek/http/docker-http-upgrade.pcap');
  const got = runs.flatMap((r) => r.facts.exchanges).map((e) => `${e.method} ${e.path} ${e.status}`).sort();
  assert.equal(got, want);
  assert.equal(runs.map((r) => r.facts.upgradedTo).filter((u) => u !== null), ['tcp']);
});

test('Zeek websocket.pcap: 101 ends dissection with upgradedTo websocket', () => {
  const runs = runAll('zeek/http/websocket.pcap');
  assert.is(runs.length, 1);
  assert.is(runs[0]?.facts.upgradedTo, 'websocket');
  assert.is(runs[0]?.facts.exchanges[0]?.upgrade, 'websocket');
  assert.is(runs[0]?.tunnels.length, 0);
});

test('CONNECT: TLS inside the tunnel reaches ctx.tunnel() in both directions (Zeek, Arkime, Suricata)', () => {
  for (const p of ['zeek/http/connect-with-header.pcap', 'arkime/https-connect.pcap', 'suricata-verify/http-connect-tls.pcap']) {
    const runs = runAll(p);
    const r = runs.find((x) => x.facts.connect !== null) as Run;
    assert.ok(r, p);
    assert.is(r.tunnels.length, 1, `${p} one tunnel`);
    const t = r.tunnels[0] as TunnelLog;
    // Suricata-Verify's synthetic captures end each header block with an extra LF, which is tunnel payload.
    const skip = p.startsWith('suricata-verify/') ? 1 : 0;
    const c0 = sideBytes(t, 0).subarray(skip);
    const c1 = sideBytes(t, 1).subarray(skip);
    if (skip === 1) assert.is(sideBytes(t, 0)[0], 0x0a, `${p} stray LF`);
    // RFC 8446 5.1: a handshake record starts 0x16 0x03; the first is a ClientHello (1), the server's a ServerHello (2).
    assert.ok(c0[0] === 0x16 && c0[1] === 0x03, `${p} TLS handshake record in the tunnel`);
    // The Suricata-Verify capture carries a bare, empty handshake record and no server answer.
    if (skip === 1) continue;
    assert.is(c0[5], 1, `${p} ClientHello`);
    assert.ok(c1[0] === 0x16 && c1[5] === 2, `${p} ServerHello in the tunnel`);
  }
});

test('Arkime: methods, hosts, paths, uris, status codes, client versions (100 Continue disagreement stated)', () => {
  let n = 0;
  for (const f of files) {
    if (!f.path.startsWith('arkime/') || f.path === 'arkime/http2-nghttp2.pcap') continue;
    for (const e of f.http ?? []) {
      const { facts } = byServer(f.path, e);
      const ex = facts.exchanges;
      const where = f.path;
      assert.equal([...new Set(ex.map((x) => x.method))].sort(), (e['methods'] as string[]).slice().sort(), `${where} methods`);
      if (e['hosts']) assert.equal([...new Set(ex.map((x) => x.host))], e['hosts'], `${where} hosts`);
      if (e['paths']) assert.equal(ex.map((x) => x.path), e['paths'], `${where} paths`);
      assert.equal([...new Set(ex.map((x) => x.version))], (e['client_versions'] as string[]).map((v) => `HTTP/${v}`), `${where} versions`);
      if (e['user_agents']) assert.equal(ex.map((x) => x.userAgent), e['user_agents'], `${where} user agents`);
      const uris = ex.map((x) => (x.method === 'CONNECT' ? x.path : `${x.host}${x.path}`));
      assert.equal(uris, e['uris'], `${where} uris`);
      // Arkime lists interim 1xx codes too; an exchange here keeps only the final status.
      const finals = (e['status_codes'] as number[]).filter((s) => s >= 200 || s === 101);
      assert.equal(ex.map((x) => x.status), finals, `${where} final status`);
      n++;
    }
  }
  assert.ok(n >= 4, `compared ${n} Arkime sessions`);
});

test('Arkime http2-nghttp2.pcap: HTTP/2 prior knowledge is handed to the http2 tunnel with the full preface', () => {
  const runs = runAll('arkime/http2-nghttp2.pcap');
  const t = runs[0]?.tunnels[0];
  assert.is(t?.proto, 'http2');
  const client = Buffer.concat((t?.chunks ?? []).filter((c) => c.dir === 0).map((c) => c.data));
  assert.is(client.toString('latin1', 0, 24), 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  assert.is(runs[0]?.facts.exchanges.length, 0);
});

test('Suricata-Verify: CONNECT exchanges, tunnelled GET, h2c upgrade, IPv6 hostname', () => {
  for (const f of files) {
    if (!f.path.startsWith('suricata-verify/')) continue;
    const runs = runAll(f.path);
    const outer = runs.flatMap((r) => r.facts.exchanges);
    const inner = runs.flatMap((r) => r.inner.flatMap((i) => i.exchanges));
    for (const e of f.http ?? []) {
      const raw = e['raw_match'] as Rec;
      if (Object.keys(raw).some((k) => k.startsWith('http.http2.'))) continue; // HTTP/2 frames: the http2 dissector's
      const m = (x: HttpExchange): boolean =>
        (raw['http.http_method'] === undefined || x.method === raw['http.http_method'])
        && (raw['http.protocol'] === undefined || x.version === raw['http.protocol'])
        && (raw['http.status'] === undefined || x.status === raw['http.status'])
        && (raw['http.url'] === undefined || x.path === raw['http.url'])
        // Suricata's http.hostname is the Host field without its port.
        && (raw['http.hostname'] === undefined || (x.host ?? '').replace(/:[0-9]+$/, '') === raw['http.hostname']);
      // A GET inside a CONNECT tunnel is a second transaction for Suricata; here it is the tunnel's own dissection.
      const pool = raw['http.http_method'] === 'GET' && f.path.includes('connect') ? inner : outer;
      assert.is(pool.filter(m).length, e['expected_count'], `${f.path} ${JSON.stringify(raw)}`);
    }
    if (f.path.endsWith('http2-h2c-upgrade.pcap')) {
      assert.is(runs[0]?.facts.upgradedTo, 'h2c');
      assert.is(runs[0]?.tunnels[0]?.proto, 'http2');
    }
  }
});

test('Zeek ssl-to-http-server: TLS bytes to an HTTP server give a response-only exchange (method null, 400)', () => {
  const e = (file('zeek/tls/ssl-to-http-server.pcap').http ?? [])[0] as Rec;
  const { facts } = byServer('zeek/tls/ssl-to-http-server.pcap', e);
  assert.is(facts.exchanges.length, 1);
  assert.is(facts.exchanges[0]?.method, e['method']);
  assert.is(facts.exchanges[0]?.status, e['status_code']);
  assert.is(facts.exchanges[0]?.version, `HTTP/${String(e['version'])}`);
});

test.run();
