import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificate } from '../../dissectors/tls/certs.js';
import { alertName, cipherName, groupName, isGrease, sigAlgName, versionName } from '../../dissectors/tls/names.js';
import { finishedRecordLength, inferClientAuth } from '../../dissectors/tls/tls13-inference.js';
import { feed } from './helpers/feed.js';

test('names: RFC 8446 / IANA spellings, unknown codes as hex', () => {
  assert.is(versionName(0x0300), 'SSL 3.0');
  assert.is(versionName(0x0303), 'TLS 1.2');
  assert.is(versionName(0x0304), 'TLS 1.3');
  assert.is(versionName(0x7f17), 'TLS 1.3 (draft 23)');
  assert.is(versionName(0x1234), '0x1234');
  assert.is(cipherName(0x1302), 'TLS_AES_256_GCM_SHA384');
  assert.is(cipherName(0xc02f), 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  assert.is(cipherName(0x00ff), 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV');
  assert.is(cipherName(0x5600), 'TLS_FALLBACK_SCSV');
  assert.is(cipherName(0x0060), '0x0060');
  assert.is(cipherName(0x0a0a), '0x0a0a');
  assert.is(alertName(48), 'unknown_ca');
  assert.is(alertName(116), 'certificate_required');
  assert.is(alertName(40), 'handshake_failure');
  assert.is(groupName(29), 'x25519');
  assert.is(groupName(0x11ec), 'X25519MLKEM768');
  assert.is(sigAlgName(0x0804), 'rsa_pss_rsae_sha256');
  assert.is(sigAlgName(0x0403), 'ecdsa_secp256r1_sha256');
  assert.ok(isGrease(0x1a1a) && isGrease(0xfafa) && !isGrease(0x1a2a) && !isGrease(0x0a1a));
});

test('names: every suite OpenSSL knows has its IANA name', () => {
  const out = execFileSync('openssl', ['ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']).toString();
  let n = 0;
  for (const line of out.split('\n')) {
    const m = /0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)/.exec(line);
    if (m === null) continue;
    assert.is(cipherName(parseInt(m[1]! + m[2]!, 16)), m[3], line);
    n++;
  }
  assert.ok(n > 50, `${n} suites`);
});

test('TLS 1.3 inference: record sizes worked out from RFC 8446 by hand', () => {
  // Finished = 4-byte header + Hash.length; record = plaintext + 1 content type + 16 tag.
  assert.is(finishedRecordLength(0x1301), 4 + 32 + 1 + 16);
  assert.is(finishedRecordLength(0x1302), 4 + 48 + 1 + 16);
  const cases: [number[], number, string | null][] = [
    [[53], 0x1301, 'not-requested'],
    [[69], 0x1302, 'not-requested'],
    [[25, 53], 0x1301, 'requested-not-presented'],
    [[25, 69], 0x1302, 'requested-not-presented'],
    [[8 + 36 + 17], 0x1301, 'requested-not-presented'],
    [[8 + 52 + 17], 0x1302, 'requested-not-presented'],
    [[900, 281, 53], 0x1301, 'presented'],
    [[25], 0x1301, null],
    [[40], 0x1301, 'unknown'],
    [[53], 0x1234, 'unknown'],
  ];
  for (const [client, cipher, expected] of cases) {
    assert.is(inferClientAuth([23, 841, 281, 53], client, cipher, false, false)?.clientAuth ?? null, expected, `${client}`);
  }
  // EndOfEarlyData (4 + 17) precedes the flight after 0-RTT; ALPS adds a client EncryptedExtensions.
  assert.is(inferClientAuth([], [21, 53], 0x1301, true, false)?.clientAuth, 'not-requested');
  assert.is(inferClientAuth([], [63], 0x1301, false, true)?.clientAuth, 'not-requested');
});

test('certificate names: RFC 4514 escaping and multi-valued RDNs agree with openssl -nameopt RFC2253', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-dn-'));
  try {
    const subj = '/C=DE/ST=x;y<z>\\w/L=trail /O=Bücher, "GmbH"/OU=#hash/OU= lead/CN=a+UID=b';
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem',
      '-out', 'c.pem', '-days', '2', '-utf8', '-multivalue-rdn', '-subj', subj], { cwd: dir, stdio: 'ignore' });
    const expected = execFileSync('openssl', ['x509', '-in', 'c.pem', '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb'], { cwd: dir })
      .toString().trim().replace(/^subject=/, '');
    const facts = parseCertificate(new X509Certificate(readFileSync(join(dir, 'c.pem'))).raw);
    assert.is(facts.subject, expected);
    assert.is(facts.issuer, expected);
    assert.is(facts.selfSigned, true);
    assert.is(facts.sigAlg, 'ecdsa-with-SHA256');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SSLv2-compatible CLIENT-HELLO (RFC 5246 appendix E.2), bytes written by hand', () => {
  const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const body = Buffer.concat([
    Buffer.from([1, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10]), // msg_type, version, spec/session/challenge lengths
    Buffer.from([0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x01, 0x00, 0x80]), // two TLS suites and SSL_CK_RC4_128_WITH_MD5
    challenge,
  ]);
  const record = Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
  const { facts, anomalies } = feed([{ dir: 0, data: record }]);
  const ch = facts.clientHello!;
  assert.equal([ch.sslv2, ch.legacyVersion, ch.ciphers, ch.sessionIdLength], [true, 0x0301, [0x2f, 0x35], 0]);
  assert.is(ch.random, '00'.repeat(16) + challenge.toString('hex'));
  assert.is(facts.history, 'C');
  assert.equal(anomalies, []);
});

test.run();
