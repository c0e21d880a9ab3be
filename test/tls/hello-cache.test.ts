import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { parseClientHello } from '../../dissectors/tls/client-hello.js';
import { clientHello, helloCacheStats, serverHello } from '../../dissectors/tls/hello-cache.js';
import { ja3sString, ja3String, md5 } from '../../dissectors/tls/ja3.js';
import { ja4 } from '../../dissectors/tls/ja4.js';
import { parseServerHello } from '../../dissectors/tls/server-hello.js';
import { rng } from '../helpers/rng.js';

/**
 * The hello cache against the full parser on real hellos (OpenSSL, curl, Node, browsers and the
 * peers' captures) and on thousands of mutations of them: whatever the bytes, the cached answer is
 * the full parser's (facts, session id, fingerprints), or the same error.
 */
const CAPTURES = [
  ...['captures/node-apiserver-mtls-tls13.pcap', 'captures/kubelet-casigned-mtls-tls12.pcap', 'captures/mixed.pcap', 'captures/proxy-unverified-tls.pcap'],
  ...readdirSync('captures/decrypt').filter((f) => f.endsWith('.pcap')).map((f) => `captures/decrypt/${f}`),
  ...['ja4/browsers-x509.pcapng', 'ja4/latest.pcapng', 'ja4/tls-non-ascii-alpn.pcapng', 'ja4/badcurveball.pcap', 'zeek/tls/hrr.pcap',
    'zeek/tls/tls1.2.pcap', 'zeek/tls/tls13draft23-chrome67.0.3368.0-canary.pcap', 'zeek/tls/chrome-1250-tls-x25519-kyber.pcap',
    'zeek/tls/tls13_psk_succesfull.pcap', 'zeek/tls/tls-conn-with-extensions.pcap', 'zeek/tls/tls1_1.pcap', 'zeek/tls/tls13-ech.pcap',
    'suricata-verify/ja4-tls-spdy.pcap', 'arkime/curl-enabled-tls13.pcap', 'arkime/openssl-tls1_2.pcap']
    .map((f) => `../shared/corpus/${f}`),
];

let found: Map<number, Buffer[]> | null = null;

/** Bodies of ClientHellos (1) or ServerHellos (2) that open a TCP payload (record header + message header), whole. */
function hellos(type: 1 | 2): Buffer[] {
  if (found === null) {
    found = new Map([[1, []], [2, []]]);
    for (const file of CAPTURES) {
      const text = execFileSync('tshark', ['-n', '-r', file, '-Y', 'tls.handshake.type == 1 || tls.handshake.type == 2', '-T', 'fields', '-e', 'tcp.payload'], {
        maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'],
      }).toString();
      for (const hex of text.split('\n')) {
        const p = Buffer.from(hex.trim().split(',')[0]!, 'hex');
        if (p.length < 9 || p[0] !== 22 || (p[5] !== 1 && p[5] !== 2)) continue;
        const len = p.readUIntBE(6, 3);
        if (9 + len <= p.length) found.get(p[5]!)!.push(Buffer.from(p.subarray(9, 9 + len)));
      }
    }
  }
  return found.get(type)!;
}

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return { error: e instanceof Error ? `${(e as Error & { code?: string }).code}: ${e.message}` : String(e) };
  }
}

/** Fingerprints straight from the full parse, no cache of any kind. */
function directClient(body: Buffer): unknown {
  const p = parseClientHello(body, 0x0301);
  const s = ja3String(p.facts);
  return { facts: { ...p.facts }, sessionId: p.sessionId, alpnRaw: p.alpnRaw, ja3String: s, ja3: md5(s), ja4: ja4(p.facts, p.alpnRaw) };
}

function cachedClient(body: Buffer): unknown {
  const r = clientHello(body, 0x0301);
  return { facts: { ...r.facts }, sessionId: r.sessionId, alpnRaw: r.alpnRaw, ja3String: r.ja3String, ja3: r.ja3, ja4: r.ja4 };
}

function directServer(body: Buffer, sid: string | null): unknown {
  const p = parseServerHello(body, sid);
  const s = ja3sString(p.facts);
  return { facts: { ...p.facts }, sessionId: p.sessionId, ja3sString: s, ja3s: md5(s) };
}

function cachedServer(body: Buffer, sid: string | null): unknown {
  const r = serverHello(body, sid);
  return { facts: { ...r.facts }, sessionId: r.sessionId, ja3sString: r.ja3sString, ja3s: r.ja3s };
}

/** One byte changed, or a byte run copied from elsewhere in the message, or the message cut short. */
function mutate(b: Buffer, r: () => number): Buffer {
  const m = Buffer.from(b);
  const kind = r();
  if (kind < 0.6) {
    m[Math.floor(r() * m.length)] = Math.floor(r() * 256);
  } else if (kind < 0.8) {
    // Per-connection fields: random, session id bytes.
    m[2 + Math.floor(r() * 33)] = Math.floor(r() * 256);
  } else if (kind < 0.9) {
    const from = Math.floor(r() * m.length);
    const to = Math.floor(r() * m.length);
    m.copy(m, to, from, Math.min(m.length, from + 1 + Math.floor(r() * 8)));
  } else {
    return m.subarray(0, Math.floor(r() * m.length));
  }
  return m;
}

test('ClientHello: the cache answers as the full parser does, for real hellos and their mutations', () => {
  const bodies = hellos(1);
  assert.ok(bodies.length >= 20, `${bodies.length} ClientHellos`);
  const r = rng(11);
  const before = { ...helloCacheStats };
  for (const body of bodies) {
    assert.equal(outcome(() => cachedClient(body)), outcome(() => directClient(body)));
    assert.equal(outcome(() => cachedClient(body)), outcome(() => directClient(body)), 'second time, from the cache');
    for (let i = 0; i < 150; i++) {
      const m = mutate(body, r);
      assert.equal(outcome(() => cachedClient(m)), outcome(() => directClient(m)), `mutation ${i} of ${body.toString('hex')}`);
    }
  }
  // Both paths ran: mutations of per-connection fields hit, mutations of the lists miss.
  assert.ok(helloCacheStats.clientHits - before.clientHits > bodies.length * 30, `${helloCacheStats.clientHits - before.clientHits} hits`);
  assert.ok(helloCacheStats.clientMisses - before.clientMisses > bodies.length * 30, `${helloCacheStats.clientMisses - before.clientMisses} misses`);
});

test('ClientHello: another server name, session id, random or key share is a hit with its own values', () => {
  const body = hellos(1).find((b) => clientHello(b, 0x0301).facts.sni !== null && clientHello(b, 0x0301).facts.keyShareGroups.length > 0);
  assert.ok(body !== undefined, 'a TLS 1.3 hello with SNI');
  const first = clientHello(body, 0x0301);
  const sniAt = body.indexOf(Buffer.from(first.facts.sni!, 'latin1'));
  const other = Buffer.from(body);
  other[sniAt] = 'Z'.charCodeAt(0);
  other[2] ^= 0xff;
  const sidLen = body[34]!;
  if (sidLen > 0) other[35] ^= 0xff;
  const hits = helloCacheStats.clientHits;
  const again = clientHello(other, 0x0303);
  assert.is(helloCacheStats.clientHits, hits + 1);
  assert.is(again.facts.sni, 'Z' + first.facts.sni!.slice(1));
  assert.is(again.facts.recordVersion, 0x0303);
  assert.is.not(again.facts.random, first.facts.random);
  assert.is(again.facts.random, other.toString('hex', 2, 34));
  assert.is(again.sessionId, other.toString('latin1', 35, 35 + sidLen));
  assert.is(again.ja4, first.ja4);
  assert.is(again.facts.ciphers, first.facts.ciphers, 'lists are shared');
});

test('ServerHello: the cache answers as the full parser does, for real hellos and their mutations', () => {
  const bodies = hellos(2);
  assert.ok(bodies.length >= 15, `${bodies.length} ServerHellos`);
  const r = rng(12);
  const before = { ...helloCacheStats };
  for (const body of bodies) {
    const sid = body[34]! <= 32 ? body.toString('latin1', 35, 35 + body[34]!) : null;
    for (const client of [null, sid, 'x']) {
      assert.equal(outcome(() => cachedServer(body, client)), outcome(() => directServer(body, client)));
    }
    for (let i = 0; i < 150; i++) {
      const m = mutate(body, r);
      assert.equal(outcome(() => cachedServer(m, sid)), outcome(() => directServer(m, sid)), `mutation ${i} of ${body.toString('hex')}`);
    }
  }
  assert.ok(helloCacheStats.serverHits - before.serverHits > bodies.length * 30, `${helloCacheStats.serverHits - before.serverHits} hits`);
  assert.ok(helloCacheStats.serverMisses - before.serverMisses > bodies.length * 30, `${helloCacheStats.serverMisses - before.serverMisses} misses`);
});

test('ServerHello: the HelloRetryRequest random is recognised on a hit too', () => {
  const hrr = hellos(2).find((b) => parseServerHello(b, null).facts.helloRetryRequest);
  assert.ok(hrr !== undefined, 'zeek/tls/hrr.pcap has one');
  const normal = Buffer.from(hrr);
  normal[10] ^= 1;
  serverHello(normal, null);
  const hits = helloCacheStats.serverHits;
  assert.is(serverHello(hrr, null).facts.helloRetryRequest, true);
  assert.is(serverHello(normal, null).facts.helloRetryRequest, false);
  assert.ok(helloCacheStats.serverHits >= hits + 1);
});

test.run();
