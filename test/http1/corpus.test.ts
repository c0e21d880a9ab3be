import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { http1Factory } from '../../dissectors/http1/index.js';
import type { HttpExchange, HttpFacts } from '../../src/core/facts.js';
import { followTcp, type FollowedStream } from '../ssh/helpers/follow.js';
import { runChunks } from '../ssh/helpers/run.js';
import type { TunnelLog } from '../ssh/helpers/ctx.js';
import { followSource, pipelineSource, type Seen, type Source } from '../ssh/helpers/sources.js';

// HTTP/1.x facts the peers state for the corpus, checked through our pipeline (analyzeFiles) and with
// tshark's reassembly fed straight to the dissector.
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

function knownClient(path: string, [a, b]: [number, number]): number {
  const ports = new Set((files.find((f) => f.path === path)?.http ?? []).map((e) => e['client_port']));
  return ports.has(b) ? b : a;
}

const pipeline = pipelineSource<HttpFacts>((c) => c.http);
const sources: Array<Source<HttpFacts>> = [pipeline, followSource<HttpFacts>(http1Factory, knownClient)];

/**
 * Disagreement with the pipeline, stated: TLS bytes sent to an HTTP server make the dispatcher attach
 * the TLS dissector (the client's first bytes decide), so no HTTP facts exist for the server's 400 that
 * Zeek logs. The HTTP dissector itself handles it (tshark-follow run).
 */
const PIPELINE_NOT_HTTP = new Set(['zeek/tls/ssl-to-http-server.pcap']);

async function byServer(src: Source<HttpFacts>, path: string, e: Rec): Promise<Seen<HttpFacts>> {
  const cp = e['client_port'] as number | null;
  const sp = e['server_port'] as number;
  const c = (await src.conns(path)).find((x) => x.serverPort === sp && (cp === null || x.clientPort === cp) && x.facts !== null);
  assert.ok(c, `${src.name} ${path}: HTTP connection to :${sp}`);
  return c as Seen<HttpFacts>;
}

/**
 * Disagreements with Zeek, stated: Zeek's http.log `version` is the reply's version (set by http_reply);
 * ours is the request's (as Suricata's http.protocol). Both values are asserted here.
 */
const ZEEK_VERSION_DISAGREES: Record<string, { ours: string; zeek: string | null; why: string }> = {
  'zeek/http/connect-with-header.pcap': { ours: 'HTTP/1.1', zeek: '1.0', why: 'request line says HTTP/1.1, the proxy answers HTTP/1.0' },
  'zeek/http/get-to-ssh-server.pcap': { ours: 'HTTP/1.1', zeek: null, why: 'an SSH server never answers, so Zeek has no reply version' },
};

test.before(async () => {
  for (const src of sources) await src.prefetch(files.map((f) => f.path));
});

for (const src of sources) {
  test(`[${src.name}] Zeek http.log: method, host, uri, status, version field by field`, async () => {
    let n = 0;
    for (const f of files) {
      if (!f.path.startsWith('zeek/')) continue;
      for (const e of f.http ?? []) {
        if (e['inside_tls'] === true || e['server_port'] === undefined || e['zeek_uid'] !== undefined) continue;
        if (src.name === 'pipeline' && PIPELINE_NOT_HTTP.has(f.path)) {
          assert.ok((await src.conns(f.path)).every((c) => c.facts === null), `${f.path}: the pipeline still routes it to TLS`);
          continue;
        }
        const { facts } = await byServer(src, f.path, e);
        const where = `${src.name} ${f.path}`;
        const ex = facts?.exchanges[0] as HttpExchange;
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
        if (e['method'] === 'CONNECT') assert.equal(facts?.connect, { authority: e['uri'], status: e['status_code'] }, `${where} connect`);
        n++;
      }
    }
    assert.ok(n >= (src.name === 'pipeline' ? 8 : 9), `compared ${n} Zeek exchanges`);
  });

  test(`[${src.name}] Zeek get.pcap and docker-http-upgrade (6 exchanges over 3 connections, Upgrade: tcp)`, async () => {
    const g = file('zeek/http/get.pcap').http?.[0] as Rec;
    const ex = (await src.conns('zeek/http/get.pcap')).flatMap((c) => c.facts?.exchanges ?? []);
    assert.is(ex.length, 1);
    assert.is(ex[0]?.method, g['method']);
    assert.is(ex[0]?.host, g['host']);
    assert.is(ex[0]?.userAgent, g['user_agent']);

    const want = (file('zeek/http/docker-http-upgrade.pcap').http ?? []).map((e) => `${e['method']} ${e['uri']} ${e['status_code']}`).sort();
    const conns = await src.conns('zeek/http/docker-http-upgrade.pcap');
    const got = conns.flatMap((c) => c.facts?.exchanges ?? []).map((e) => `${e.method} ${e.path} ${e.status}`).sort();
    assert.equal(got, want);
    assert.equal(conns.map((c) => c.facts?.upgradedTo ?? null).filter((u) => u !== null), ['tcp']);
  });

  test(`[${src.name}] Zeek websocket.pcap: 101 with upgradedTo websocket`, async () => {
    const conns = (await src.conns('zeek/http/websocket.pcap')).filter((c) => c.facts !== null);
    assert.is(conns.length, 1);
    assert.is(conns[0]?.facts?.upgradedTo, 'websocket');
    assert.is(conns[0]?.facts?.exchanges[0]?.upgrade, 'websocket');
  });

  test(`[${src.name}] Arkime: methods, hosts, paths, uris, final status codes, client versions`, async () => {
    let n = 0;
    for (const f of files) {
      if (!f.path.startsWith('arkime/') || f.path === 'arkime/http2-nghttp2.pcap') continue;
      for (const e of f.http ?? []) {
        const ex = (await byServer(src, f.path, e)).facts?.exchanges ?? [];
        const where = `${src.name} ${f.path}`;
        assert.equal([...new Set(ex.map((x) => x.method))].sort(), (e['methods'] as string[]).slice().sort(), `${where} methods`);
        if (e['hosts']) assert.equal([...new Set(ex.map((x) => x.host))], e['hosts'], `${where} hosts`);
        if (e['paths']) assert.equal(ex.map((x) => x.path), e['paths'], `${where} paths`);
        assert.equal([...new Set(ex.map((x) => x.version))], (e['client_versions'] as string[]).map((v) => `HTTP/${v}`), `${where} versions`);
        if (e['user_agents']) assert.equal(ex.map((x) => x.userAgent), e['user_agents'], `${where} user agents`);
        assert.equal(ex.map((x) => (x.method === 'CONNECT' ? x.path : `${x.host}${x.path}`)), e['uris'], `${where} uris`);
        // Arkime lists interim 1xx codes too (100 Continue); an exchange keeps only the final status.
        assert.equal(ex.map((x) => x.status), (e['status_codes'] as number[]).filter((s) => s >= 200 || s === 101), `${where} final status`);
        n++;
      }
    }
    assert.ok(n >= 4, `compared ${n} Arkime sessions`);
  });

  test(`[${src.name}] Suricata-Verify: CONNECT exchanges, h2c upgrade request, IPv6 hostname`, async () => {
    for (const f of files) {
      if (!f.path.startsWith('suricata-verify/')) continue;
      const outer = (await src.conns(f.path)).flatMap((c) => c.facts?.exchanges ?? []);
      for (const e of f.http ?? []) {
        const raw = e['raw_match'] as Rec;
        if (Object.keys(raw).some((k) => k.startsWith('http.http2.'))) continue; // HTTP/2 frames: the http2 dissector's
        // A GET inside a CONNECT tunnel is a second transaction for Suricata; see the tunnel tests below.
        if (raw['http.http_method'] === 'GET' && f.path.includes('connect')) continue;
        const m = (x: HttpExchange): boolean =>
          (raw['http.http_method'] === undefined || x.method === raw['http.http_method'])
          && (raw['http.protocol'] === undefined || x.version === raw['http.protocol'])
          && (raw['http.status'] === undefined || x.status === raw['http.status'])
          && (raw['http.url'] === undefined || x.path === raw['http.url'])
          // Suricata's http.hostname is the Host field without its port.
          && (raw['http.hostname'] === undefined || (x.host ?? '').replace(/:[0-9]+$/, '') === raw['http.hostname']);
        assert.is(outer.filter(m).length, e['expected_count'], `${src.name} ${f.path} ${JSON.stringify(raw)}`);
      }
    }
  });
}

test('[pipeline] tunnels: TLS inside CONNECT (SNI from the tunnel), HTTP/2 after the h2c 101', async () => {
  const zeek = (await pipeline.conns('zeek/http/connect-with-header.pcap')).find((c) => c.facts?.connect);
  assert.is(zeek?.tunnel?.proto, 'tls');
  assert.is(zeek?.tunnel?.tls?.sni, 'secure.newegg.com');
  const ark = (await pipeline.conns('arkime/https-connect.pcap')).find((c) => c.facts?.connect);
  assert.is(ark?.tunnel?.proto, 'tls');
  assert.ok(ark?.tunnel?.tls?.clientHello, 'ClientHello parsed inside the tunnel');
  const h2c = (await pipeline.conns('suricata-verify/http2-h2c-upgrade.pcap')).find((c) => c.facts?.upgradedTo === 'h2c');
  assert.is(h2c?.tunnel?.proto, 'http2');
  // Suricata-Verify: stream 3 GET /humans.txt answered 404, on the HTTP/2 side of the upgrade.
  assert.ok(h2c?.tunnel?.http2?.exchanges.some((x) => x.method === 'GET' && x.path === '/humans.txt' && x.status === 404));
});

test('[pipeline] Suricata-Verify CONNECT captures: the stray LF that starts each tunnel direction is stepped over, as Suricata does', async () => {
  // The synthetic captures end each header block with an extra LF, which lands first in the tunnel.
  // Suricata: http-connect-tls flow app_proto tls (app_proto_orig http); http-connect-simple: the tunnelled GET.
  const tls = (await pipeline.conns('suricata-verify/http-connect-tls.pcap')).find((x) => x.facts?.connect);
  assert.equal(tls?.facts?.connect, { authority: 'abc:443', status: 200 });
  assert.is(tls?.tunnel?.proto, 'tls');
  const simple = (await pipeline.conns('suricata-verify/http-connect-simple.pcap')).find((x) => x.facts?.connect);
  assert.equal(simple?.facts?.connect, { authority: 'abc:443', status: 200 });
  assert.is(simple?.tunnel?.proto, 'http');
  const want = (file('suricata-verify/http-connect-simple.pcap').http ?? []).find((e) => e['method'] === 'GET') as Rec;
  assert.equal(simple?.tunnel?.http?.exchanges.map((x) => [x.method, x.version, x.status]), [[want['method'], want['version'], want['status_code']]]);
});

// Dissector-only checks on tshark's streams: exact tunnel bytes, re-dissected the way the dispatcher would.
function sideBytes(t: TunnelLog, dir: 0 | 1): Buffer {
  return Buffer.concat(t.chunks.filter((c) => c.dir === dir).map((c) => c.data));
}

function runFollowed(path: string): Array<{ facts: HttpFacts; tunnels: TunnelLog[] }> {
  return followTcp(`${CORPUS}/${path}`).map((s: FollowedStream) => runChunks<HttpFacts>(http1Factory, s.chunks, true));
}

test('[tshark follow] CONNECT: TLS reaches ctx.tunnel() both ways; cleartext GET in the tunnel re-dissected', () => {
  for (const p of ['zeek/http/connect-with-header.pcap', 'arkime/https-connect.pcap', 'suricata-verify/http-connect-tls.pcap']) {
    const r = runFollowed(p).find((x) => x.facts.connect !== null);
    assert.is(r?.tunnels.length, 1, `${p} one tunnel`);
    const t = r?.tunnels[0] as TunnelLog;
    // Suricata-Verify's synthetic captures end each header block with an extra LF, which is tunnel payload.
    const skip = p.startsWith('suricata-verify/') ? 1 : 0;
    if (skip === 1) assert.is(sideBytes(t, 0)[0], 0x0a, `${p} stray LF`);
    const c0 = sideBytes(t, 0).subarray(skip);
    const c1 = sideBytes(t, 1).subarray(skip);
    assert.ok(c0[0] === 0x16 && c0[1] === 0x03, `${p} TLS handshake record in the tunnel`);
    if (skip === 1) continue; // a bare, empty handshake record and no server answer in that capture
    assert.is(c0[5], 1, `${p} ClientHello`);
    assert.ok(c1[0] === 0x16 && c1[5] === 2, `${p} ServerHello in the tunnel`);
  }
  const simple = runFollowed('suricata-verify/http-connect-simple.pcap').find((x) => x.facts.connect !== null);
  const inner = runChunks<HttpFacts>(http1Factory, simple?.tunnels[0]?.chunks ?? [], true).facts;
  const want = (file('suricata-verify/http-connect-simple.pcap').http ?? []).find((e) => e['method'] === 'GET') as Rec;
  assert.equal(inner.exchanges.map((x) => [x.method, x.version, x.status]), [[want['method'], want['version'], want['status_code']]]);
});

test('[tshark follow] Arkime http2-nghttp2.pcap: HTTP/2 prior knowledge handed to the http2 tunnel with the full preface', () => {
  const r = runFollowed('arkime/http2-nghttp2.pcap')[0];
  const t = r?.tunnels[0];
  assert.is(t?.proto, 'http2');
  assert.is(sideBytes(t as TunnelLog, 0).toString('latin1', 0, 24), 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  assert.is(r?.facts.exchanges.length, 0);
});

test('[tshark follow] Zeek ssl-to-http-server: TLS bytes to an HTTP server give a response-only exchange (method null, 400)', () => {
  const e = (file('zeek/tls/ssl-to-http-server.pcap').http ?? [])[0] as Rec;
  const r = runFollowed('zeek/tls/ssl-to-http-server.pcap').find((x) => x.facts.exchanges.length > 0);
  assert.is(r?.facts.exchanges.length, 1);
  assert.is(r?.facts.exchanges[0]?.method, e['method']);
  assert.is(r?.facts.exchanges[0]?.status, e['status_code']);
  assert.is(r?.facts.exchanges[0]?.version, `HTTP/${String(e['version'])}`);
});

test.run();
