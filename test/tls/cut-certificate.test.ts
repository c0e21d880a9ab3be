import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCutCertificate } from '../../dissectors/tls/certs.js';
import { TlsParseError } from '../../dissectors/tls/cursor.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';

/** OpenSSL's own reading of a lab certificate, the expectation for the head-only parse. */
function openssl(file: string): { subject: string; issuer: string; der: Buffer } {
  const line = (what: string) =>
    execFileSync('openssl', ['x509', '-in', file, '-noout', `-${what}`, '-nameopt', 'RFC2253'], { encoding: 'utf8' }).trim().replace(/^\w+=/, '');
  return { subject: line('subject'), issuer: line('issuer'), der: Buffer.from(new X509Certificate(readFileSync(file)).raw) };
}

const CERTS = ['captures/pki/apiserver.crt', 'captures/pki/kubelet-node1.crt', 'captures/pki/real/etcd-server-cp.crt', 'captures/pki/ca.crt'];

test('a certificate cut anywhere past its public key still yields the subject and issuer OpenSSL reads; cut earlier, a parse error, never a crash', () => {
  for (const file of CERTS) {
    const want = openssl(file);
    let named = 0;
    for (let cut = 0; cut <= want.der.length; cut++) {
      try {
        const c = parseCutCertificate(want.der.subarray(0, cut));
        assert.is(c.subject, want.subject, `${file} cut at ${cut}`);
        assert.is(c.issuer, want.issuer, `${file} cut at ${cut}`);
        assert.is(c.partial, true);
        assert.is(c.selfSigned, false, 'a cut certificate proves no signature');
        named++;
      } catch (e) {
        assert.ok(e instanceof TlsParseError, `${file} cut at ${cut}: ${String(e)}`);
      }
    }
    // Everything from the end of subjectPublicKeyInfo on is optional for the head parse.
    assert.ok(named > want.der.length / 4, `${file}: named at only ${named} of ${want.der.length} cut points`);
  }
});

test("Zeek's 339 KiB certificate (tls-fragmented-handshake.pcap): subject, issuer and the fingerprint of the whole DER, as the corpus's Zeek baseline (ssl.log) has them", async () => {
  const conns: ConnectionFacts[] = [];
  await analyzeFiles(['../shared/corpus/zeek/tls/tls-fragmented-handshake.pcap'], { onConnection: (c) => void conns.push(c) });
  assert.is(conns.length, 1);
  const leaf = conns[0]!.tls!.serverChain![0]!;
  assert.is(leaf.subject, 'CN=Bro');
  assert.is(leaf.issuer, 'CN=Bro');
  assert.is(leaf.sha256, 'af4a46e989dc24078ee2a205490856e059e7f2f9d2114cec4d4c44974add9d34');
  assert.is(leaf.partial, true);
  assert.is(conns[0]!.anomalies.some((a) => a.code === 'tls.handshake_too_long'), true);
  // The head kept is the 64 KiB cap, not the certificate.
  assert.ok(leaf.der.length <= 64 * 1024);
  assert.is.not(createHash('sha256').update(leaf.der).digest('hex'), leaf.sha256);
});

test.run();
