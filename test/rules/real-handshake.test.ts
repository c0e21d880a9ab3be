import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls, { type SecureVersion } from 'node:tls';
import { classify } from '../../src/classify/classify.js';
import { connectionRecord } from '../../src/outputs/connection-record.js';
import { checkServerChain } from '../../src/rules/engine.js';
import { feed } from '../tls/helpers/feed.js';
import { startRecordProxy } from '../tls/helpers/record-proxy.js';
import { conn } from './fixtures.js';
import { CP, KUBELET, pki, rootTrust, run } from './setup.js';

/**
 * Real Node.js TLS handshakes (OpenSSL underneath) between an "apiserver" and a "kubelet" using the
 * test PKI, recorded on loopback and read by the TLS dissector; the connection is then placed on
 * the kubelet port so the rules see what the apiserver -> kubelet path would show.
 */
const file = (name: string, ext: string) => readFileSync(join(pki.dir, `${name}.${ext}`));

interface Side {
  cert: string[];
  key: string;
}

async function handshake(server: Side, requestCert: boolean, client: Side | null, maxVersion: SecureVersion) {
  const srv = tls.createServer({
    cert: Buffer.concat(server.cert.map((c) => file(c, 'crt'))), key: file(server.key, 'key'),
    ca: file('root', 'crt'), requestCert, rejectUnauthorized: false, maxVersion,
  }, (s) => s.end('ok'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const proxy = await startRecordProxy((srv.address() as AddressInfo).port);
  await new Promise<void>((resolve) => {
    const c = tls.connect({
      host: '127.0.0.1', port: proxy.port, rejectUnauthorized: false, maxVersion, ALPNProtocols: ['http/1.1'],
      ...(client ? { cert: Buffer.concat(client.cert.map((x) => file(x, 'crt'))), key: file(client.key, 'key') } : {}),
    });
    c.on('data', () => undefined);
    c.on('error', () => resolve());
    c.on('close', () => resolve());
  });
  await proxy.close();
  await new Promise<void>((r) => srv.close(() => r()));
  const facts = feed(proxy.connections[0] ?? []).facts;
  return conn({ atMs: Date.now(), client: CP, server: KUBELET, proto: 'tls', tls: facts });
}

const selfPair: Side = { cert: ['kubeletSelf', 'kubeletCa'], key: 'kubeletSelf' };
const signed: Side = { cert: ['kubeletSigned'], key: 'kubeletSigned' };
const apiClient: Side = { cert: ['kubeletClient'], key: 'kubeletClient' };

test("TLS 1.2, kubelet's self-signed pair, no client CA: unverifiable cert, client auth off, insecure", async () => {
  const c = await handshake(selfPair, false, null, 'TLSv1.2');
  assert.equal(c.tls!.serverChain!.map((x) => x.subject), ['CN=node1@1700000000', 'CN=node1-ca@1700000000']);
  const r = run(c);
  // No CertificateRequest, so the apiserver sent no client certificate either (SPEC: apiserver-kubelet-no-client-cert).
  assert.equal(r.hits.map((h) => h.rule).sort(), ['apiserver-kubelet-no-client-cert', 'kubelet-cert-unverifiable', 'kubelet-client-auth-disabled']);
  assert.is(r.verdict.verdict, 'insecure');
  const cls = classify(c, null);
  assert.is(cls.strength, 'cert');
  assert.is(connectionRecord(c, cls, checkServerChain(c, rootTrust), r.verdict.verdict).tls!.validation, 'self-signed');
});

test('TLS 1.2, CA-signed kubelet cert, client CA set, apiserver presents its kubelet client cert: no finding, secure', async () => {
  const c = await handshake(signed, true, apiClient, 'TLSv1.2');
  assert.is(c.tls!.clientAuth, 'presented');
  const r = run(c);
  assert.equal(r.hits, []);
  assert.is(r.verdict.verdict, 'secure');
});

test('TLS 1.2, CA-signed kubelet cert, client CA set, apiserver without a client cert: apiserver-kubelet-no-client-cert', async () => {
  const c = await handshake(signed, true, null, 'TLSv1.2');
  const r = run(c);
  assert.equal(r.hits.map((h) => h.rule), ['apiserver-kubelet-no-client-cert']);
  assert.is(r.verdict.verdict, 'insecure');
});

test('TLS 1.3 without keys, self-signed pair: nothing about the cert is guessed; unverified', async () => {
  const c = await handshake(selfPair, false, null, 'TLSv1.3');
  assert.is(c.tls!.chainVisible, false);
  const r = run(c);
  assert.not.ok(r.hits.some((h) => h.rule === 'kubelet-cert-unverifiable' || h.rule === 'kubelet-client-auth-disabled'));
  assert.is(r.verdict.verdict, 'unverified');
});

test.after(() => pki.cleanup());
test.run();
