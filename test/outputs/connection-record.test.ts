import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { classify } from '../../src/classify/classify.js';
import { FindingTable } from '../../src/findings/dedupe.js';
import { connectionRecord } from '../../src/outputs/connection-record.js';
import { checkServerChain, evaluate } from '../../src/rules/engine.js';
import { verdictOf } from '../../src/rules/verdict.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';
import { conn, exchange, http, http2, mtls, saToken, ssh, tls } from '../rules/fixtures.js';
import { AT, CP, KUBELET, f, pki, rootTrust } from '../rules/setup.js';

function record(c: ConnectionFacts) {
  const cls = classify(c, null);
  const check = checkServerChain(c, rootTrust);
  const hits = evaluate(c, cls, null, rootTrust, check);
  return { rec: connectionRecord(c, cls, check, verdictOf(c, cls, hits, check).verdict), hits, cls };
}

function opensslSha256(name: string): string {
  const out = execFileSync('openssl', ['x509', '-in', join(pki.dir, `${name}.crt`), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  return out.split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
}

test("SPEC's apiserver -> kubelet example: self-signed kubelet pair, apiserver client cert", () => {
  const c = conn({
    atMs: AT, client: CP, server: KUBELET, proto: 'tls',
    tls: mtls([f.kubeletSelf!, f.kubeletCa!], [f.kubeletClient!], { ja3: 'a0e9f5d64349fb13191bc781f81f42e1', ja3s: 'ccc514751b175866924439bdbb5bba34', ja4: 't12d1909h2_d83cc789557e_7af1ed941c26' }),
  });
  const { rec } = record(c);
  const start = new Date(AT).toISOString();
  // What decided the path (no cluster model here): the client certificate, checked before the server's.
  const { path_evidence, ...fields } = rec;
  assert.match(path_evidence, /^client cert CN=kube-apiserver-kubelet-client,O=system:masters /);
  assert.equal(fields, {
    type: 'connection', path: 'apiserver-kubelet', client: '10.20.0.10:53412', server: '10.20.1.5:10250', proto: 'tls',
    start, end: new Date(AT + 2000).toISOString(),
    tls: {
      version: 'TLS 1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', sni: null, alpn: 'h2',
      server_chain: [
        { subject: 'CN=node1@1700000000', issuer: 'CN=node1-ca@1700000000', not_before: f.kubeletSelf!.notBefore, not_after: f.kubeletSelf!.notAfter, san: ['node1'], sha256: opensslSha256('kubeletSelf'), key: 'rsa-2048', sig_alg: 'sha256WithRSAEncryption', ca: false },
        { subject: 'CN=node1-ca@1700000000', issuer: 'CN=node1-ca@1700000000', not_before: f.kubeletCa!.notBefore, not_after: f.kubeletCa!.notAfter, san: [], sha256: opensslSha256('kubeletCa'), key: 'rsa-2048', sig_alg: 'sha256WithRSAEncryption', ca: true },
      ],
      validation: 'self-signed', client_auth: 'presented', client_auth_source: 'observed',
      client_chain: [{ subject: 'CN=kube-apiserver-kubelet-client,O=system:masters', issuer: 'CN=kubernetes', not_before: f.kubeletClient!.notBefore, not_after: f.kubeletClient!.notAfter, san: [], sha256: opensslSha256('kubeletClient'), key: 'ec-prime256v1', sig_alg: 'ecdsa-with-SHA256', ca: false }],
      resumed: false, alert: null,
      ja3: 'a0e9f5d64349fb13191bc781f81f42e1', ja3s: 'ccc514751b175866924439bdbb5bba34', ja4: 't12d1909h2_d83cc789557e_7af1ed941c26',
    },
    ssh: null, http: null, connect: null, tunnel: false, verdict: 'insecure',
    packets: [12, 10], bytes: [1500, 4200],
  });
});

test('IPv6 endpoints, a fatal alert, HTTP exchanges with their auth as kind/len/hash only', () => {
  const c = conn({
    atMs: AT, client: { ip: 'fd00:20::10', port: 40000 }, server: { ip: 'fd00:21::5', port: 10255 }, proto: 'http',
    http: http([exchange({ path: '/pods', auth: saToken() }), exchange({ method: 'POST', path: '/run/default/web/nginx', status: 401, version: 'HTTP/1.0' })]),
  });
  const { rec } = record(c);
  assert.is(rec.client, '[fd00:20::10]:40000');
  assert.is(rec.server, '[fd00:21::5]:10255');
  assert.is(rec.path, 'kubelet-readonly');
  assert.equal(rec.http, [
    { method: 'GET', host: null, path: '/pods', status: 200, version: 'HTTP/1.1', auth: { kind: 'bearer', len: 912, sha256_prefix: '3f2a9c01b7de' } },
    { method: 'POST', host: null, path: '/run/default/web/nginx', status: 401, version: 'HTTP/1.0', auth: null },
  ]);
  const alerted = record(conn({ atMs: AT, proto: 'tls', tls: tls({ alerts: [{ level: 2, description: 42, dir: 1, duringHandshake: true, source: 'observed' }] }) })).rec;
  assert.equal(alerted.tls!.alert, { level: 'fatal', description: 'bad_certificate' });
});

test('SSH keys as SPEC lists them', () => {
  const { rec } = record(conn({ atMs: AT, server: { ip: '10.20.1.5', port: 22 }, proto: 'ssh', ssh: ssh({ hassh: 'ec7378c1a92f5a8dde7e8b7a1ddf33d1', hasshServer: 'b12d2871a1189eff20364cf5333619ee', macC2s: 'umac-64-etm@openssh.com', weak: ['mac:umac-64-etm@openssh.com'] }) }));
  assert.equal(Object.keys(rec.ssh!), ['client_banner', 'server_banner', 'kex', 'host_key', 'cipher_c2s', 'cipher_s2c', 'mac_c2s', 'mac_s2c', 'compression_c2s', 'compression_s2c', 'hassh', 'hassh_server', 'weak']);
  assert.is(rec.ssh!.client_banner, 'SSH-2.0-OpenSSH_9.6');
  assert.equal(rec.ssh!.weak, ['mac:umac-64-etm@openssh.com']);
});

test('CONNECT tunnels: connect {authority, status}, the inner TLS described as if not tunnelled, tunnel: true', () => {
  const c = conn({
    atMs: AT, client: CP, server: { ip: '10.20.0.10', port: 8131 }, proto: 'connect',
    http: http([exchange({ method: 'CONNECT', host: '127.0.0.1', path: '10.20.1.5:10250', status: 200 })], { connect: { authority: '10.20.1.5:10250', status: 200 } }),
    tunnel: { proto: 'tls', tls: mtls([f.kubeletSigned!], [f.kubeletClient!]), http: null, http2: null, ssh: null },
  });
  const { rec } = record(c);
  assert.equal(rec.connect, { authority: '10.20.1.5:10250', status: 200 });
  assert.is(rec.tunnel, true);
  assert.is(rec.tls!.server_chain![0]!.subject, 'CN=system:node:node1,O=system:nodes');
  assert.is(rec.tls!.validation, 'trusted');
});

test('not tunnels: decrypted application data of a TLS connection, an h2c upgrade; their HTTP is still listed', () => {
  const decrypted = record(conn({
    atMs: AT, server: { ip: '10.20.0.10', port: 6443 }, proto: 'tls', tls: tls({ sni: 'kubernetes' }),
    tunnel: { proto: 'http', tls: null, http: http([exchange({ path: '/api/v1/nodes' })]), http2: null, ssh: null },
  })).rec;
  assert.is(decrypted.tunnel, false);
  assert.equal(decrypted.http!.map((x) => x.path), ['/api/v1/nodes']);
  const h2c = record(conn({
    atMs: AT, server: { ip: '10.20.0.10', port: 8080 }, proto: 'http',
    http: http([exchange({ path: '/' })], { upgradedTo: 'h2c' }),
    tunnel: { proto: 'http2', tls: null, http: null, http2: null, ssh: null },
  })).rec;
  assert.is(h2c.tunnel, false);
});

test('wire strings lose control characters (ESC, C1, NUL)', () => {
  const { rec } = record(conn({
    atMs: AT, server: { ip: '10.1.1.1', port: 443 }, proto: 'tls',
    tls: tls({ sni: 'evil\u001b[2J.example', alpn: 'h2\u009b31m' }),
  }));
  assert.is(rec.tls!.sni, 'evil[2J.example');
  assert.is(rec.tls!.alpn, 'h231m');
  const s = record(conn({ atMs: AT, proto: 'ssh', ssh: ssh({ serverBanner: 'SSH-2.0-x\u0000\u0007\u007f' }) })).rec;
  assert.is(s.ssh!.server_banner, 'SSH-2.0-x');
});

test('no secret in connection or finding records: no token, no password, no DER', () => {
  const header = Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url');
  const payload = Buffer.from(JSON.stringify({ iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:default:builder', aud: ['https://kubernetes.default.svc.cluster.local'], exp: 1_800_000_000 })).toString('base64url');
  const signature = Buffer.from('signature-bytes-that-must-never-leak-0123456789').toString('base64url');
  const token = `${header}.${payload}.${signature}`;
  const password = 'hunter2-is-the-admin-password';
  const cred = saToken({ len: token.length });
  const basic = { kind: 'basic' as const, len: `admin:${password}`.length, sha256Prefix: 'c0ffee00beef', carrier: 'authorization', jwt: null };
  const c = conn({
    atMs: AT, client: { ip: '10.244.1.7', port: 40000 }, server: { ip: '10.20.0.10', port: 8080 }, proto: 'http',
    http: http([exchange({ path: '/api/v1/secrets', auth: cred }), exchange({ path: '/api/v1/nodes', auth: basic })]),
    tunnel: { proto: 'tls', tls: mtls([f.apiserverDirect!, f.root!], [f.nodeClient!]), http: null, http2: http2([]), ssh: null },
  });
  const { rec, hits, cls } = record(c);
  const table = new FindingTable();
  table.add(c, cls.path, hits);
  const out = JSON.stringify([rec, table.all()]);
  assert.ok(hits.some((h) => h.rule === 'cleartext-credentials'));
  assert.match(out, 'system:serviceaccount:default:builder');
  for (const secret of [token, signature, payload, password, Buffer.from(`admin:${password}`).toString('base64')]) assert.not.match(out, secret);
  for (const cert of [f.apiserverDirect!, f.root!, f.nodeClient!]) {
    assert.not.match(out, cert.der.toString('base64').slice(20, 80));
    assert.not.match(out, cert.der.toString('hex').slice(40, 160));
  }
  assert.not.match(out, '"der"');
});

test.after(() => pki.cleanup());
test.run();
