import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tls12Decryptor, tls13Decryptor } from '../../dissectors/tls/crypto/decryptor.js';
import { KeyLogStore } from '../../src/secrets/keylog.js';
import { makeCert, type TestCert } from './helpers/certs.js';
import { opensslSession } from './helpers/openssl.js';
import { decryptAll, hellos, records } from './helpers/tls-walk.js';

let cert: TestCert;
test.before(() => { cert = makeCert(); });
test.after(() => cert.cleanup());

const GET = 'GET / HTTP/1.0\r\n\r\n';

for (const [name, suite] of [['TLS_AES_128_GCM_SHA256', 0x1301], ['TLS_AES_256_GCM_SHA384', 0x1302], ['TLS_CHACHA20_POLY1305_SHA256', 0x1303]] as const) {
  test(`OpenSSL TLS 1.3 ${name} with a client KeyUpdate: all records decrypt`, async () => {
    const s = await opensslSession(cert, ['-tls1_3', '-ciphersuites', name], ['-tls1_3', '-ciphersuites', name], ['k\n', GET]);
    const keys = new KeyLogStore();
    assert.ok(keys.addText(s.keylog).added >= 4);
    const recs = records(s.chunks);
    const h = hellos(recs);
    assert.is(h.suite, suite);
    const d = decryptAll(tls13Decryptor(keys, h.clientRandom, h.suite)!, recs, true);
    assert.is(d.failed, 0);
    assert.equal(d.types[1].slice(0, 4), [8, 11, 15, 20]);
    assert.ok(d.handshake[1].find((m) => m.type === 11)!.body.includes(cert.der));
    // Client: Finished, then the KeyUpdate (24) typed as `k`; its request is under the updated keys.
    assert.equal(d.types[0], [20, 24]);
    assert.is(d.app[0].toString('latin1'), GET);
    assert.ok(d.app[1].toString('latin1').startsWith('HTTP/1.0 200 ok'), d.app[1].toString('latin1').slice(0, 40));
  });
}

for (const [proto, name, suite, etm] of [
  ['-tls1_2', 'ECDHE-RSA-AES128-GCM-SHA256', 0xc02f, false],
  ['-tls1_2', 'AES128-SHA256', 0x003c, true],
  ['-tls1_2', 'AES128-SHA256', 0x003c, false],
  ['-tls1_2', 'ECDHE-RSA-AES256-SHA384', 0xc028, true],
  ['-tls1_2', 'ECDHE-RSA-AES128-SHA', 0xc013, false],
  // TLS 1.1 (explicit IV) and TLS 1.0 (IV chained from the previous record) need security level 0 in OpenSSL 3.
  ['-tls1_1', 'AES128-SHA@SECLEVEL=0', 0x002f, true],
  ['-tls1', 'AES256-SHA@SECLEVEL=0', 0x0035, false],
] as const) {
  test(`OpenSSL ${proto} ${name}${etm ? ' encrypt-then-MAC' : ''}: CLIENT_RANDOM decrypts both directions`, async () => {
    const noEtm = etm ? [] : ['-no_etm'];
    const s = await opensslSession(cert, [proto, '-cipher', name, ...noEtm], [proto, '-cipher', name, ...noEtm], [GET]);
    const keys = new KeyLogStore();
    assert.is(keys.addText(s.keylog).added, 1);
    const recs = records(s.chunks);
    const h = hellos(recs);
    assert.is(h.suite, suite);
    assert.is(h.version, { '-tls1_2': 0x0303, '-tls1_1': 0x0302, '-tls1': 0x0301 }[proto]);
    assert.is(h.etm, etm && !name.includes('GCM'));
    const dec = tls12Decryptor(keys, h.clientRandom, h.serverRandom, h.suite, h.version, h.etm)!;
    const d = decryptAll(dec, recs, false);
    assert.is(d.failed, 0);
    assert.equal(d.types, [[20], [20]]);
    assert.is(d.app[0].toString('latin1'), GET);
    assert.ok(d.app[1].toString('latin1').startsWith('HTTP/1.0 200 ok'));
    // The wrong EtM setting must fail the MAC, not return garbage.
    if (name.includes('SHA') && !name.includes('GCM')) {
      const wrong = decryptAll(tls12Decryptor(keys, h.clientRandom, h.serverRandom, h.suite, h.version, !h.etm)!, recs, false);
      assert.is(wrong.decrypted, 0);
    }
  });
}

test.run();
