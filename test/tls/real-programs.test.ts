import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { feed } from './helpers/feed.js';
import { makePki, opensslCertFacts, runNode, runOpenssl, runOpensslSeries, type Pki } from './helpers/programs.js';

/**
 * Real OpenSSL and Node.js handshakes recorded on loopback. Expected values come from what the programs
 * were told to do (and report they did), and from `openssl x509` on the certificates made here.
 */
let pki: Pki;

test.before(() => {
  pki = makePki();
});
test.after(() => rmSync(pki.dir, { recursive: true, force: true }));

const FIN = { TLS_AES_128_GCM_SHA256: 53, TLS_AES_256_GCM_SHA384: 69 } as const;

for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] as const) {
  for (const middlebox of [true, false]) {
    const extra = ['-ciphersuites', suite, ...(middlebox ? [] : ['-no_middlebox'])];
    const label = `${suite}${middlebox ? '' : ' -no_middlebox'}`;

    test(`openssl 1.3 ${label}: no CertificateRequest -> not-requested`, async () => {
      const r = await runOpenssl(pki, extra, extra);
      assert.ok(r.clientOut.includes('No client certificate CA names sent'), 'server did not request');
      const { facts, anomalies } = feed(r.chunks);
      assert.equal(facts.version, 0x0304);
      assert.equal(facts.chainVisible, false);
      assert.equal(facts.clientAuth, 'not-requested');
      assert.equal(facts.clientAuthSource, 'inferred');
      assert.equal(facts.encryptedHandshakeRecords[0][0], FIN[suite]);
      assert.equal(anomalies, []);
    });

    test(`openssl 1.3 ${label}: -Verify 1, no client cert -> requested-not-presented`, async () => {
      // s_client exits on the server's certificate_required alert; wait for it rather than closing first.
      const r = await runOpenssl(pki, ['-Verify', '1', ...extra], extra, 5000);
      assert.ok(r.clientOut.includes('Acceptable client certificate CA names'), 'server requested');
      assert.ok(/peer did not return a certificate|certificate required/i.test(r.serverOut + r.clientOut), 'server refused');
      const { facts } = feed(r.chunks);
      assert.equal(facts.clientAuth, 'requested-not-presented');
      assert.equal(facts.encryptedHandshakeRecords[0].slice(0, 2), [25, FIN[suite]]);
      assert.ok(facts.alerts.some((a) => a.dir === 1 && a.source === 'inferred'), 'server alert inferred from a 19-byte record');
    });

    test(`openssl 1.3 ${label}: -verify 1 with client cert -> presented`, async () => {
      const r = await runOpenssl(pki, ['-verify', '1', ...extra], ['-cert', pki.client.cert, '-key', pki.client.key, ...extra]);
      assert.ok(/verify return:1/.test(r.serverOut) && /CN ?= ?admin/.test(r.serverOut), 'server got the client cert');
      const { facts } = feed(r.chunks);
      assert.equal(facts.clientAuth, 'presented');
      assert.equal(facts.clientAuthSource, 'inferred');
      assert.ok(facts.clientAuthReason!.includes('certificate'));
    });
  }
}

test('openssl 1.2: chains, CertificateRequest with CA names, client cert facts match openssl x509', async () => {
  const r = await runOpenssl(pki, ['-verify', '1', '-sigalgs', 'ECDSA+SHA256:RSA+SHA256'],
    ['-tls1_2', '-cert', pki.client.cert, '-key', pki.client.key]);
  const { facts, anomalies } = feed(r.chunks);
  const srv = opensslCertFacts(pki.server.cert);
  const cli = opensslCertFacts(pki.client.cert);
  const ca = opensslCertFacts(pki.ca);
  assert.equal(facts.version, 0x0303);
  assert.equal(facts.serverChain!.map((c) => [c.subject, c.issuer, c.sha256]), [
    [srv.subject, srv.issuer, srv.sha256],
    [ca.subject, ca.issuer, ca.sha256],
  ]);
  assert.equal(facts.serverChain!.map((c) => c.ca), [false, true]);
  assert.equal(facts.clientChain!.map((c) => [c.subject, c.issuer, c.sha256]), [
    [cli.subject, cli.issuer, cli.sha256],
    [ca.subject, ca.issuer, ca.sha256],
  ]);
  assert.equal(facts.clientChain![0]!.key, 'ec-prime256v1');
  assert.equal(facts.serverChain![0]!.key, 'rsa-2048');
  assert.equal(facts.serverChain![0]!.sigAlg, 'sha256WithRSAEncryption');
  assert.equal(facts.clientAuth, 'presented');
  assert.equal(facts.clientAuthSource, 'observed');
  assert.equal(facts.certificateRequest!.certificateAuthorities, [ca.subject]);
  assert.equal(facts.certificateRequest!.signatureAlgorithms, [0x0403, 0x0401]);
  assert.equal(facts.established, true);
  assert.equal(facts.chainVisible, true);
  assert.ok(facts.history.startsWith('CsxkrnXGYI'), facts.history);
  assert.equal(anomalies, []);
});

test('openssl 1.2: empty client Certificate after -verify 1 -> requested-not-presented; -Verify 1 -> fatal alert', async () => {
  const soft = feed((await runOpenssl(pki, ['-verify', '1'], ['-tls1_2'])).chunks).facts;
  assert.equal(soft.clientAuth, 'requested-not-presented');
  assert.equal(soft.clientChain, []);
  assert.equal(soft.established, true);
  const hard = feed((await runOpenssl(pki, ['-Verify', '1'], ['-tls1_2'])).chunks).facts;
  assert.equal(hard.clientAuth, 'requested-not-presented');
  assert.ok(hard.alerts.some((a) => a.dir === 1 && a.level === 2), 'server sent a fatal alert');
  assert.equal(hard.established, false);
});

for (const [label, extra] of [['session id', ['-no_ticket']], ['session ticket', []]] as const) {
  test(`openssl 1.2 resumption by ${label}: abbreviated handshake, no chain`, async () => {
    const sess = `${pki.dir}/sess-${label.replace(' ', '-')}.pem`;
    const [first, second] = await runOpensslSeries(pki, [...extra], [
      ['-tls1_2', '-sess_out', sess, ...extra],
      ['-tls1_2', '-sess_in', sess, ...extra],
    ]);
    assert.ok(first!.clientOut.includes('New, TLSv1.2'), 'first is a full handshake');
    assert.ok(second!.clientOut.includes('Reused, TLSv1.2'), 'openssl reports reuse');
    const full = feed(first!.chunks).facts;
    assert.equal([full.resumed, full.serverChain?.length], [false, 2]);
    const again = feed(second!.chunks).facts;
    assert.equal(again.resumed, true);
    assert.equal(again.serverChain, null);
    assert.equal(again.established, true);
    // OpenSSL also sends a session id with a ticket, which the server echoes on acceptance (RFC 5077 3.4).
    assert.equal(again.serverHello!.sessionIdEchoed, true);
    assert.equal(again.clientHello!.sessionTicket, label === 'session ticket');
  });
}

test('Ed25519 and EC self-signed server certificates', async () => {
  for (const [c, key] of [[pki.ed, 'ed25519'], [pki.ec, 'ec-prime256v1']] as const) {
    const r = await runOpenssl({ ...pki, server: c }, [], ['-tls1_2']);
    const f = feed(r.chunks).facts;
    const x = opensslCertFacts(c.cert);
    const leaf = f.serverChain![0]!;
    assert.equal([leaf.subject, leaf.sha256, leaf.key, leaf.selfSigned, leaf.ca], [x.subject, x.sha256, key, true, true]);
    if (key === 'ed25519') {
      assert.equal(leaf.sanDns, ['node-1.example']);
      assert.equal(leaf.sanIp, ['10.0.0.7']);
      assert.equal(leaf.sigAlg, 'ED25519');
    }
  }
});

for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
  for (const [requestCert, withCert, expected] of [
    [false, false, 'not-requested'],
    [true, false, 'requested-not-presented'],
    [true, true, 'presented'],
  ] as const) {
    test(`node tls ${maxVersion} requestCert=${requestCert} clientCert=${withCert} -> ${expected}`, async () => {
      const r = await runNode(pki, requestCert, withCert, maxVersion);
      assert.equal(r.serverSawCert, withCert, 'what the Node server saw');
      const { facts } = feed(r.chunks);
      assert.equal(facts.clientAuth, expected);
      assert.equal(facts.clientAuthSource, maxVersion === 'TLSv1.3' ? 'inferred' : 'observed');
      assert.equal(facts.sni, 'kubernetes.default.svc');
      assert.equal(facts.alpnOffered, ['h2', 'http/1.1']);
    });
  }
}

test.run();
