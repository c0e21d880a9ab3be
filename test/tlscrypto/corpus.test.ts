import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tls12Decryptor, tls13Decryptor } from '../../dissectors/tls/crypto/decryptor.js';
import { KeyLogStore } from '../../src/secrets/keylog.js';
import type { Http2Facts } from '../../src/core/facts.js';
import { CORPUS, expectedFor, tsharkByStream } from '../http2/helpers/expected.js';
import { feed } from '../http2/helpers/run.js';
import { followTcp } from '../http2/helpers/tshark-follow.js';
import { decryptAll, hellos, records } from './helpers/tls-walk.js';

function keys(path: string): KeyLogStore {
  const k = new KeyLogStore();
  k.addText(readFileSync(`${CORPUS}/${path}`, 'latin1'));
  return k;
}

test('Zeek tls12-decryption.pcap + key log: TLS 1.2 AES-256-GCM decrypts to the HTTP/1.1 exchange Zeek logged', () => {
  const recs = records(followTcp(`${CORPUS}/zeek/tls/tls12-decryption.pcap`, 0));
  const h = hellos(recs);
  assert.is(h.version, 0x0303);
  assert.is(h.suite, Number(expectedFor('zeek/tls/tls12-decryption.pcap').tshark!.tls![0]!.cipher_id));
  const d = decryptAll(tls12Decryptor(keys('zeek/tls/tls12-decryption.keylog'), h.clientRandom, h.serverRandom, h.suite, h.version, h.etm)!, recs, false);
  assert.is(d.failed, 0);
  assert.ok(d.decrypted >= 4);
  assert.equal(d.types, [[20], [20]]);
  // Zeek's http.log (inside_tls): GET heise.de / with Firefox 78, answered 301.
  const z = expectedFor('zeek/tls/tls12-decryption.pcap').http![0]!;
  const req = d.app[0].toString('latin1');
  assert.ok(req.startsWith(`${z.method} ${z.uri} HTTP/${z.version}\r\n`), req.slice(0, 40));
  assert.ok(req.includes(`Host: ${z.host}\r\n`));
  assert.ok(req.includes(`User-Agent: ${z.user_agent}\r\n`));
  assert.ok(d.app[1].toString('latin1').startsWith(`HTTP/1.1 ${z.status_code} ${z.status_msg}\r\n`));
});

test('JA4 http2-with-cookies.pcapng + key log: TLS 1.3 decrypts and the inner HTTP/2 matches tshark', () => {
  const path = 'ja4/http2-with-cookies.pcapng';
  const recs = records(followTcp(`${CORPUS}/${path}`, 0));
  const h = hellos(recs);
  assert.is(h.version, 0x0304);
  assert.is(h.suite, 0x1301);
  const d = decryptAll(tls13Decryptor(keys('ja4/http2-with-cookies.keylog'), h.clientRandom, h.suite)!, recs, true);
  assert.is(d.failed, 0);
  assert.ok(d.decrypted > 100, `${d.decrypted} records`);
  assert.equal(d.types[1].slice(0, 4), [8, 11, 15, 20]);
  // Chrome sends its ALPS settings in a client EncryptedExtensions (8) before its Finished.
  assert.equal(d.types[0], [8, 20]);
  // The decrypted application data is an HTTP/2 connection: run our HTTP/2 dissector on it.
  const r = feed(d.appChunks);
  const f: Http2Facts = r.facts;
  assert.ok(f.preface);
  assert.equal(r.anomalies, []);
  const byId = new Map(f.exchanges.map((x) => [x.streamId!, x]));
  let compared = 0;
  for (const [sid, t] of tsharkByStream(path)) {
    const x = byId.get(sid)!;
    assert.ok(x, `stream ${sid}`);
    if (t[':path'] !== undefined) { assert.is(x.path, t[':path']); compared++; }
    if (t[':authority'] !== undefined) { assert.is(x.host, t[':authority']); compared++; }
    if (t[':status'] !== undefined) { assert.is(x.status, Number(t[':status'])); compared++; }
    if (t['user-agent'] !== undefined) { assert.is(x.userAgent, t['user-agent']); compared++; }
  }
  assert.ok(compared >= 60, `${compared} fields compared`);
  // Cookie crumbs of stream 1 as tshark decrypts them: our credential is the SID crumb, hashed, never copied.
  const crumbs = execFileSync('tshark', ['-r', `${CORPUS}/${path}`, '-o', `tls.keylog_file:${CORPUS}/ja4/http2-with-cookies.keylog`,
    '-Y', 'http2.streamid==1 && http2.type==1', '-T', 'fields', '-e', 'http2.headers.cookie'], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim().split(',').map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)] as const);
  const sid = crumbs.find(([n]) => n === 'SID')![1];
  const auth = byId.get(1)!.auth!;
  assert.equal([auth.kind, auth.carrier, auth.len], ['cookie', 'cookie:SID', sid.length]);
  assert.is(auth.sha256Prefix, createHash('sha256').update(sid).digest('hex').slice(0, 12));
  const all = JSON.stringify(r);
  for (const [n, v] of crumbs) if (v.length >= 8) assert.not.ok(all.includes(v), `cookie ${n} value leaked`);
});

test.run();
