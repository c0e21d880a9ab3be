import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrustStore } from '../../src/cluster/trust.js';
import { isWeakCipherName } from '../../src/rules/tls.js';
import { conn, exchange, http, http2, mtls, saToken, ssh, tls, tls13 } from './fixtures.js';
import { API, AT, CP, DAY, KUBELET, NODE, f, fired, model, noTrust, pki } from './setup.js';

const atMs = AT;
const apiTls = () => mtls([f.apiserverDirect!], [f.nodeClient!]);

test('cleartext-apiserver: plain HTTP to the old insecure port, not HTTPS', () => {
  const e = fired(conn({ atMs, client: NODE, server: { ip: '10.20.0.10', port: 8080 }, proto: 'http', http: http([exchange({ path: '/api/v1/pods' })]) }), 'cleartext-apiserver');
  assert.equal(e, { proto: 'http', port: 8080, request: { method: 'GET', host: null, path: '/api/v1/pods', status: 200, version: 'HTTP/1.1' } });
  assert.is(fired(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: apiTls() }), 'cleartext-apiserver'), undefined);
  assert.ok(fired(conn({ atMs, client: NODE, server: API, proto: 'http' }), 'cleartext-apiserver', { model }));
});

test('cleartext-credentials: a bearer JWT over plain HTTP is described by its claims; inside TLS it is not a finding', () => {
  const x = exchange({ path: '/api/v1/secrets', auth: saToken() });
  const e = fired(conn({ atMs, client: { ip: '10.244.1.7', port: 40000 }, server: { ip: '10.20.0.10', port: 8080 }, proto: 'http', http: http([x]) }), 'cleartext-credentials') as Record<string, any>;
  assert.equal(e.credential, {
    kind: 'bearer', len: 912, sha256_prefix: '3f2a9c01b7de', carrier: 'authorization',
    jwt: { iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:default:builder', aud: ['https://kubernetes.default.svc.cluster.local'], exp: '2027-01-15T08:00:00.000Z', bound: true },
  });
  const decrypted = conn({ atMs, server: API, proto: 'tls', tls: apiTls(), tunnel: { proto: 'http', tls: null, http: http([x]), http2: null, ssh: null } });
  assert.is(fired(decrypted, 'cleartext-credentials'), undefined);
  const basic = exchange({ auth: { kind: 'basic', len: 17, sha256Prefix: 'aabbccddeeff', carrier: 'authorization', jwt: null } });
  assert.ok(fired(conn({ atMs, server: { ip: '10.1.1.1', port: 80 }, proto: 'http', http: http([basic]) }), 'cleartext-credentials'));
});

test('kubelet-cleartext: HTTP to 10250', () => {
  const c = conn({ atMs, client: CP, server: KUBELET, proto: 'http', http: http([exchange({ path: '/containerLogs/default/web/nginx' })]) });
  assert.ok(fired(c, 'kubelet-cleartext'));
  assert.is(fired(conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: mtls([f.kubeletSigned!], [f.kubeletClient!]) }), 'kubelet-cleartext'), undefined);
});

test('etcd-cleartext: h2c or unrecognised bytes from the first byte on 2379; not TLS, not mid-stream', () => {
  const etcd = { ip: '10.20.0.11', port: 2379 };
  assert.ok(fired(conn({ atMs, client: CP, server: etcd, proto: 'http2', http2: http2([exchange({ method: 'POST', path: '/etcdserverpb.KV/Range', version: 'HTTP/2' })]) }), 'etcd-cleartext'));
  assert.ok(fired(conn({ atMs, client: CP, server: etcd, proto: 'unknown' }), 'etcd-cleartext'));
  assert.is(fired(conn({ atMs, client: CP, server: etcd, proto: 'unknown', synSeen: false }), 'etcd-cleartext'), undefined);
  assert.is(fired(conn({ atMs, client: CP, server: etcd, proto: 'tls', tls: mtls([f.etcd!, f.etcdCa!], [f.etcdClient!]) }), 'etcd-cleartext'), undefined);
});

test('etcd-no-client-auth: a visible TLS 1.2 handshake without CertificateRequest; not with mTLS, not TLS 1.3 without keys', () => {
  const etcd = { ip: '10.20.0.11', port: 2379 };
  assert.equal(fired(conn({ atMs, client: CP, server: etcd, proto: 'tls', tls: tls({ serverChain: [f.etcd!, f.etcdCa!] }) }), 'etcd-no-client-auth'), { certificate_request: false, port: 2379, source: 'observed' });
  assert.is(fired(conn({ atMs, client: CP, server: etcd, proto: 'tls', tls: mtls([f.etcd!, f.etcdCa!], [f.etcdClient!]) }), 'etcd-no-client-auth'), undefined);
  assert.is(fired(conn({ atMs, client: CP, server: etcd, proto: 'tls', tls: tls13() }), 'etcd-no-client-auth'), undefined);
  assert.is(fired(conn({ atMs, client: CP, server: etcd, proto: 'tls', tls: tls({ serverChain: [f.etcd!], resumed: true }) }), 'etcd-no-client-auth'), undefined);
});

test('kubelet-readonly-port: HTTP to 10255', () => {
  const e = fired(conn({ atMs, client: CP, server: { ip: '10.20.1.5', port: 10255 }, proto: 'http', http: http([exchange({ path: '/pods' })]) }), 'kubelet-readonly-port') as Record<string, unknown>;
  assert.is(e.answered, true);
  assert.is(fired(conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: mtls([f.kubeletSigned!], [f.kubeletClient!]) }), 'kubelet-readonly-port'), undefined);
});

test('kubelet-cert-unverifiable: the self-signed pair fires; a CA-signed cert that verifies does not; TLS 1.3 without keys does not guess', () => {
  const selfPair = conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: mtls([f.kubeletSelf!, f.kubeletCa!], [f.kubeletClient!]) });
  const e = fired(selfPair, 'kubelet-cert-unverifiable') as Record<string, unknown>;
  assert.is(e.subject, 'CN=node1@1700000000');
  assert.is(e.issuer, 'CN=node1-ca@1700000000');
  assert.is(e.self_signed, true);
  assert.ok(fired(selfPair, 'kubelet-cert-unverifiable', { trust: noTrust }));
  const signed = conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: mtls([f.kubeletSigned!], [f.kubeletClient!]) });
  assert.is(fired(signed, 'kubelet-cert-unverifiable'), undefined);
  assert.is(fired(signed, 'kubelet-cert-unverifiable', { trust: noTrust }), undefined);
  assert.is(fired(conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: tls13() }), 'kubelet-cert-unverifiable'), undefined);
  const foreignSigned = conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: mtls([f.kubeletSigned!], [f.kubeletClient!]) });
  const etcdOnly = new TrustStore();
  etcdOnly.addPem(pki.pem.etcdCa!, 'etcd-ca.pem');
  assert.equal((fired(foreignSigned, 'kubelet-cert-unverifiable', { trust: etcdOnly }) as Record<string, unknown>).self_signed, false);
});

test('kubelet-client-auth-disabled: no CertificateRequest in a visible kubelet handshake; not when requested, resumed or inferred', () => {
  const base = { atMs, client: CP, server: KUBELET, proto: 'tls' as const };
  assert.ok(fired(conn({ ...base, tls: tls({ serverChain: [f.kubeletSigned!] }) }), 'kubelet-client-auth-disabled'));
  assert.is(fired(conn({ ...base, tls: mtls([f.kubeletSigned!], [f.kubeletClient!]) }), 'kubelet-client-auth-disabled'), undefined);
  assert.is(fired(conn({ ...base, tls: tls({ serverChain: null, chainVisible: false, resumed: true }) }), 'kubelet-client-auth-disabled'), undefined);
  assert.is(fired(conn({ ...base, tls: tls13({ clientAuth: 'not-requested', clientAuthSource: 'inferred' }) }), 'kubelet-client-auth-disabled'), undefined);
});

test('konnectivity-cleartext: CONNECT or gRPC without TLS', () => {
  const frontend = conn({ atMs, client: CP, server: { ip: '10.20.0.10', port: 8131 }, proto: 'connect', http: http([exchange({ method: 'CONNECT', host: '127.0.0.1', path: '10.244.1.7:10250' })], { connect: { authority: '10.244.1.7:10250', status: 200 } }) });
  assert.ok(fired(frontend, 'konnectivity-cleartext'));
  const agent = conn({ atMs, client: NODE, server: { ip: '10.20.0.10', port: 8132 }, proto: 'grpc', http2: http2([exchange({ method: 'POST', path: '/AgentService/Connect', version: 'HTTP/2' })], { grpc: true }) });
  assert.ok(fired(agent, 'konnectivity-cleartext'));
  assert.is(fired(conn({ atMs, client: NODE, server: { ip: '10.20.0.10', port: 8132 }, proto: 'tls', tls: tls13() }), 'konnectivity-cleartext'), undefined);
});

test('tls-legacy-version: TLS 1.0 / 1.1 / SSL 3.0, not TLS 1.2', () => {
  assert.equal(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ version: 0x0301 }) }), 'tls-legacy-version'), { version: 'TLS 1.0' });
  assert.equal(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ version: 0x0300 }) }), 'tls-legacy-version'), { version: 'SSL 3.0' });
  assert.ok(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ version: 0x0302 }) }), 'tls-legacy-version'));
  assert.is(fired(conn({ atMs, server: API, proto: 'tls', tls: tls() }), 'tls-legacy-version'), undefined);
});

test('cert-expired: server or client cert outside its validity at packet time', () => {
  const e = fired(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: tls({ serverChain: [f.expired!] }) }), 'cert-expired') as Record<string, unknown>;
  assert.equal(e, { side: 'server', subject: 'CN=old-apiserver', not_before: '2020-01-01T00:00:00.000Z', not_after: '2021-01-01T00:00:00.000Z', at: new Date(atMs).toISOString(), not_yet_valid: false });
  assert.is((fired(conn({ atMs, server: API, proto: 'tls', tls: mtls([f.apiserverDirect!], [f.expired!]) }), 'cert-expired') as Record<string, unknown>).side, 'client');
  assert.is(fired(conn({ atMs, server: API, proto: 'tls', tls: apiTls() }), 'cert-expired'), undefined);
  assert.ok(fired(conn({ atMs: f.apiserverDirect!.notAfterMs + DAY, server: API, proto: 'tls', tls: apiTls() }), 'cert-expired'));
});

test('cert-untrusted: only with bundles, only off the kubelet path', () => {
  const mitm = conn({ atMs, client: NODE, server: API, proto: 'tls', tls: tls({ serverChain: [f.foreign!, f.foreignCa!] }) });
  assert.equal(fired(mitm, 'cert-untrusted'), { subject: 'CN=kube-apiserver', issuer: 'CN=evil-ca', validation: 'self-signed', reason: 'chain ends at self-signed CN=evil-ca which no trust bundle holds' });
  assert.is(fired(mitm, 'cert-untrusted', { trust: noTrust }), undefined);
  assert.is(fired(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: tls({ serverChain: [f.apiserver!, f.intermediate!] }) }), 'cert-untrusted'), undefined);
  assert.is(fired(conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: tls({ serverChain: [f.kubeletSelf!, f.kubeletCa!] }) }), 'cert-untrusted'), undefined);
});

test('apiserver-kubelet-no-client-cert: requested, not presented (observed or inferred)', () => {
  const base = { atMs, client: CP, server: KUBELET, proto: 'tls' as const };
  assert.equal(fired(conn({ ...base, tls: mtls([f.kubeletSigned!], null) }), 'apiserver-kubelet-no-client-cert'), { client_auth: 'requested-not-presented', certificate_request: true, source: 'observed' });
  const inferred = tls13({ clientAuth: 'requested-not-presented', clientAuthSource: 'inferred', clientAuthReason: 'client flight 25+53 bytes: empty Certificate then Finished' });
  assert.equal((fired(conn({ ...base, tls: inferred }), 'apiserver-kubelet-no-client-cert') as Record<string, unknown>).source, 'inferred');
  assert.is(fired(conn({ ...base, tls: mtls([f.kubeletSigned!], [f.kubeletClient!]) }), 'apiserver-kubelet-no-client-cert'), undefined);
  assert.is(fired(conn({ ...base, tls: tls13() }), 'apiserver-kubelet-no-client-cert'), undefined);
});

test('proxy-cleartext and proxy-unverified-tls: control plane to the pod network', () => {
  const pod = { ip: '10.244.3.4', port: 8080 };
  assert.ok(fired(conn({ atMs, client: CP, server: pod, proto: 'http', http: http([exchange({ path: '/metrics' })]) }), 'proxy-cleartext', { model }));
  const https = conn({ atMs, client: CP, server: { ip: '10.244.3.4', port: 8443 }, proto: 'tls', tls: tls({ serverChain: [f.wildcard!] }) });
  assert.is(fired(https, 'proxy-cleartext', { model }), undefined);
  assert.equal(fired(https, 'proxy-unverified-tls', { model }), { client_auth: 'not-requested', source: 'observed', sni: null });
  const withCert = conn({ atMs, client: CP, server: { ip: '10.244.3.4', port: 8443 }, proto: 'tls', tls: mtls([f.wildcard!], [f.kubeletClient!]) });
  assert.is(fired(withCert, 'proxy-unverified-tls', { model }), undefined);
  assert.is(fired(conn({ atMs, client: CP, server: { ip: '10.244.3.4', port: 8443 }, proto: 'tls', tls: tls13() }), 'proxy-unverified-tls', { model }), undefined);
});

test('tls-weak-cipher: RC4 / 3DES / NULL / EXPORT / anon / MD5 suites', () => {
  assert.equal(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ cipher: 0x000a }) }), 'tls-weak-cipher'), { cipher: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA' });
  assert.equal(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ cipher: 0x0005 }) }), 'tls-weak-cipher'), { cipher: 'TLS_RSA_WITH_RC4_128_SHA' });
  assert.is(fired(conn({ atMs, server: API, proto: 'tls', tls: tls() }), 'tls-weak-cipher'), undefined);
  const table: [string, boolean][] = [
    ['TLS_RSA_WITH_NULL_SHA256', true], ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', true], ['TLS_DH_anon_WITH_AES_128_CBC_SHA', true],
    ['TLS_RSA_WITH_DES_CBC_SHA', true], ['TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA', true], ['TLS_RSA_WITH_NULL_MD5', true],
    ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', false], ['TLS_AES_256_GCM_SHA384', false], ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', false],
    ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', false],
  ];
  for (const [n, want] of table) assert.is(isWeakCipherName(n), want, n);
});

test('cert-name-mismatch: SNI, else the server IP, not covered by the SANs', () => {
  const e = fired(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: tls({ sni: 'api.example.com', serverChain: [f.apiserverDirect!] }) }), 'cert-name-mismatch') as Record<string, unknown>;
  assert.is(e.name, 'api.example.com');
  assert.is(fired(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: tls({ sni: 'kubernetes.default.svc', serverChain: [f.apiserverDirect!] }) }), 'cert-name-mismatch'), undefined);
  assert.is(fired(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: tls({ serverChain: [f.apiserverDirect!] }) }), 'cert-name-mismatch'), undefined);
  assert.is((fired(conn({ atMs, client: NODE, server: { ip: '10.20.0.99', port: 6443 }, proto: 'tls', tls: tls({ serverChain: [f.apiserverDirect!] }) }), 'cert-name-mismatch') as Record<string, unknown>).name, '10.20.0.99');
  // Through a CONNECT tunnel the name is the tunnel target's.
  const tunnelled = conn({ atMs, server: { ip: '10.20.0.50', port: 3128 }, proto: 'connect', http: http([exchange({ method: 'CONNECT', host: '10.20.0.10:6443', path: '10.20.0.10:6443' })], { connect: { authority: '10.20.0.10:6443', status: 200 } }), tunnel: { proto: 'tls', tls: tls({ serverChain: [f.apiserverDirect!] }), http: null, http2: null, ssh: null } });
  assert.is(fired(tunnelled, 'cert-name-mismatch'), undefined);
});

test('cert-weak-key: RSA-1024 or a SHA-1 signature on a non-root cert', () => {
  assert.equal(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ serverChain: [f.weakRsa!] }) }), 'cert-weak-key'), { side: 'server', subject: 'CN=weak-rsa', key: 'rsa-1024' });
  assert.equal(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ serverChain: [f.sha1!] }) }), 'cert-weak-key'), { side: 'server', subject: 'CN=sha1-signed', sig_alg: 'ecdsa-with-SHA1' });
  assert.is(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ serverChain: [f.apiserverDirect!, f.root!] }) }), 'cert-weak-key'), undefined);
  assert.is(fired(conn({ atMs, server: KUBELET, proto: 'tls', tls: tls({ serverChain: [f.kubeletSelf!, f.kubeletCa!] }) }), 'cert-weak-key'), undefined);
});

test('tls-handshake-failure: a fatal alert during the handshake, named as RFC 8446 spells it', () => {
  const alert = { level: 2, description: 48, dir: 0 as const, duringHandshake: true, source: 'observed' as const };
  assert.equal(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ alerts: [alert] }) }), 'tls-handshake-failure'), { alert: 'unknown_ca', level: 'fatal', sent_by: 'client' });
  assert.is(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ alerts: [{ ...alert, level: 1, description: 0, duringHandshake: false }] }) }), 'tls-handshake-failure'), undefined);
  assert.is(fired(conn({ atMs, server: API, proto: 'tls', tls: tls({ alerts: [{ ...alert, source: 'inferred' }] }) }), 'tls-handshake-failure'), undefined);
});

test('ssh-weak-algorithm and ssh-tunnel', () => {
  const weak = ssh({ kex: 'diffie-hellman-group14-sha1', macC2s: 'hmac-sha1', weak: ['kex:diffie-hellman-group14-sha1', 'mac:hmac-sha1'] });
  const tunnel = conn({ atMs, client: CP, server: { ip: '10.20.1.5', port: 22 }, proto: 'ssh', ssh: weak });
  assert.equal((fired(tunnel, 'ssh-weak-algorithm') as Record<string, unknown>).weak, ['kex:diffie-hellman-group14-sha1', 'mac:hmac-sha1']);
  assert.is(fired(conn({ atMs, client: CP, server: { ip: '10.20.1.5', port: 22 }, proto: 'ssh', ssh: ssh() }), 'ssh-weak-algorithm'), undefined);
  assert.ok(fired(tunnel, 'ssh-tunnel', { model }));
  assert.is(fired(tunnel, 'ssh-tunnel'), undefined);
  assert.is(fired(conn({ atMs, client: NODE, server: { ip: '10.20.1.6', port: 22 }, proto: 'ssh', ssh: ssh() }), 'ssh-tunnel', { model }), undefined);
});

test('kubelet-cert-expiring: within 30 days of packet time; not a year ahead, not once expired', () => {
  const leaf = f.kubeletSelf!;
  const c = (t: number) => conn({ atMs: t, client: CP, server: KUBELET, proto: 'tls', tls: tls({ serverChain: [leaf, f.kubeletCa!] }) });
  const e = fired(c(leaf.notAfterMs - 10 * DAY), 'kubelet-cert-expiring') as Record<string, unknown>;
  assert.is(e.days_left, 10);
  assert.is(e.self_signed, true);
  assert.is(fired(c(atMs), 'kubelet-cert-expiring'), undefined);
  assert.is(fired(c(leaf.notAfterMs + DAY), 'kubelet-cert-expiring'), undefined);
});

test('konnectivity-token-auth: no CertificateRequest on the agent port, or a bearer token in decrypted gRPC metadata', () => {
  const server = { ip: '10.20.0.10', port: 8132 };
  assert.equal(fired(conn({ atMs, client: NODE, server, proto: 'tls', tls: tls({ serverChain: [f.wildcard!] }) }), 'konnectivity-token-auth'), { certificate_request: false, client_auth: 'not-requested', source: 'observed' });
  assert.is(fired(conn({ atMs, client: NODE, server, proto: 'tls', tls: mtls([f.wildcard!], [f.nodeClient!]) }), 'konnectivity-token-auth', { model }), undefined);
  assert.is(fired(conn({ atMs, client: NODE, server, proto: 'tls', tls: tls13() }), 'konnectivity-token-auth'), undefined);
  const grpc = http2([exchange({ method: 'POST', path: '/AgentService/Connect', version: 'HTTP/2', auth: saToken({ jwt: { iss: 'https://kubernetes.default.svc', sub: 'system:serviceaccount:kube-system:konnectivity-agent', aud: ['system:konnectivity-server'], exp: null, bound: false } }) })], { grpc: true });
  const e = fired(conn({ atMs, client: NODE, server, proto: 'tls', tls: tls13(), tunnel: { proto: 'grpc', tls: null, http: null, http2: grpc, ssh: null } }), 'konnectivity-token-auth') as Record<string, any>;
  assert.is(e.credential.jwt.sub, 'system:serviceaccount:kube-system:konnectivity-agent');
  assert.is(e.source, 'decrypted');
});

test('handshake-not-observed: TLS or HTTP/2 picked up mid-stream', () => {
  assert.ok(fired(conn({ atMs, server: API, synSeen: false, proto: 'tls', tls: tls({ clientHello: null, serverHello: null, midStream: true, chainVisible: false, version: null, cipher: null, clientAuth: 'unknown' }) }), 'handshake-not-observed'));
  assert.ok(fired(conn({ atMs, server: API, synSeen: false, proto: 'http2', http2: http2([], { preface: false, midStream: true }) }), 'handshake-not-observed'));
  assert.is(fired(conn({ atMs, server: API, proto: 'tls', tls: apiTls() }), 'handshake-not-observed'), undefined);
});

test('node-apiserver-no-client-cert: a node component without a client certificate', () => {
  assert.equal(fired(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: mtls([f.apiserverDirect!], null) }), 'node-apiserver-no-client-cert', { model }), { client_auth: 'requested-not-presented', source: 'observed' });
  assert.is(fired(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: apiTls() }), 'node-apiserver-no-client-cert', { model }), undefined);
});

test.after(() => pki.cleanup());
test.run();
