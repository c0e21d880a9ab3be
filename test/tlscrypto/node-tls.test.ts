import { test } from 'uvu';
import * as assert from 'uvu/assert';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tls12Decryptor, tls13Decryptor } from '../../dissectors/tls/crypto/decryptor.js';
import { KeyLogStore } from '../../src/secrets/keylog.js';
import { recordProxy } from '../http2/helpers/record-proxy.js';
import { makeCert, type TestCert } from './helpers/certs.js';
import { decryptAll, hellos, records, type Chunk } from './helpers/tls-walk.js';

let cert: TestCert;
test.before(() => { cert = makeCert(); });
test.after(() => cert.cleanup());

const CLIENT_MSG = 'GET /secret-path HTTP/1.1\r\nHost: cw\r\n\r\n';
const SERVER_MSG = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** One Node TLS session through the recording proxy; returns the bytes and the server's key log. */
async function session(opts: tls.TlsOptions): Promise<{ chunks: Chunk[]; keylog: string }> {
  let keylog = '';
  const server = tls.createServer({ key: cert.key, cert: cert.cert, ...opts }, (s) => {
    s.once('data', () => s.end(SERVER_MSG));
    s.on('error', () => {});
  });
  server.on('keylog', (line: Buffer) => { keylog += line.toString('latin1'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy = await recordProxy((server.address() as AddressInfo).port);
  await new Promise<void>((resolve, reject) => {
    const c = tls.connect({ host: '127.0.0.1', port: proxy.port, rejectUnauthorized: false, servername: 'cw.test', ...opts as tls.ConnectionOptions }, () => c.write(CLIENT_MSG));
    c.on('data', () => {});
    c.on('end', () => { c.end(); resolve(); });
    c.on('error', reject);
  });
  await proxy.drained();
  await proxy.close();
  await new Promise<void>((r) => server.close(() => r()));
  return { chunks: proxy.connections[0]!, keylog };
}

for (const [name, suite] of [['TLS_AES_128_GCM_SHA256', 0x1301], ['TLS_AES_256_GCM_SHA384', 0x1302], ['TLS_CHACHA20_POLY1305_SHA256', 0x1303]] as const) {
  test(`Node TLS 1.3 ${name}: every encrypted record decrypts, handshake types and certificate DER`, async () => {
    const { chunks, keylog } = await session({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: name });
    const keys = new KeyLogStore();
    assert.ok(keys.addText(keylog).added >= 4);
    const recs = records(chunks);
    const h = hellos(recs);
    assert.is(h.version, 0x0304);
    assert.is(h.suite, suite);
    const dec = tls13Decryptor(keys, h.clientRandom, h.suite)!;
    assert.ok(dec);
    const d = decryptAll(dec, recs, true);
    assert.is(d.failed, 0);
    // Server: EncryptedExtensions, Certificate, CertificateVerify, Finished, then NewSessionTickets.
    assert.equal(d.types[1].slice(0, 4), [8, 11, 15, 20]);
    assert.ok(d.types[1].slice(4).length >= 1 && d.types[1].slice(4).every((t) => t === 4), `tickets: ${d.types[1]}`);
    assert.equal(d.types[0], [20]);
    const certMsg = d.handshake[1].find((m) => m.type === 11)!;
    assert.ok(certMsg.body.includes(cert.der), 'decrypted Certificate carries the server certificate DER');
    assert.is(d.app[0].toString('latin1'), CLIENT_MSG);
    assert.is(d.app[1].toString('latin1'), SERVER_MSG);
  });
}

test('Node TLS 1.3: wrong secrets give null, never garbage or an exception', async () => {
  const { chunks } = await session({ minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' });
  const recs = records(chunks);
  const h = hellos(recs);
  const keys = new KeyLogStore();
  keys.addText(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'].map((l) => `${l} ${h.clientRandom} ${'42'.repeat(32)}`).join('\n'));
  const d = decryptAll(tls13Decryptor(keys, h.clientRandom, h.suite)!, recs, true);
  assert.is(d.decrypted, 0);
  assert.ok(d.failed >= 2);
  assert.is(tls13Decryptor(keys, 'ff'.repeat(32), h.suite), null, 'no secrets for another client random');
  assert.is(tls13Decryptor(keys, h.clientRandom, 0x1304), null, 'unsupported suite');
});

test('Node TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 and ECDHE-RSA-CHACHA20-POLY1305 with CLIENT_RANDOM', async () => {
  for (const [name, suite] of [['ECDHE-RSA-AES128-GCM-SHA256', 0xc02f], ['ECDHE-RSA-AES256-GCM-SHA384', 0xc030], ['ECDHE-RSA-CHACHA20-POLY1305', 0xcca8]] as const) {
    const { chunks, keylog } = await session({ maxVersion: 'TLSv1.2', ciphers: name });
    const keys = new KeyLogStore();
    assert.is(keys.addText(keylog).added, 1, name);
    const recs = records(chunks);
    const h = hellos(recs);
    assert.is(h.version, 0x0303);
    assert.is(h.suite, suite);
    const d = decryptAll(tls12Decryptor(keys, h.clientRandom, h.serverRandom, h.suite, h.version, h.etm)!, recs, false);
    assert.is(d.failed, 0, name);
    assert.equal(d.types, [[20], [20]], name);
    assert.ok(d.handshake.every((m) => m[0]!.body.length === 12), 'Finished verify_data is 12 bytes');
    assert.is(d.app[0].toString('latin1'), CLIENT_MSG, name);
    assert.is(d.app[1].toString('latin1'), SERVER_MSG, name);
  }
});

test.run();
