import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrustStore } from '../../src/cluster/trust.js';
import { conn, exchange, http, mtls, ssh, tls, tls13 } from './fixtures.js';
import { API, AT, CP, KUBELET, NODE, f, model, noTrust, pki, run } from './setup.js';

const atMs = AT;

test('insecure: any hit of medium or above; the reason lists the rules', () => {
  const r = run(conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: mtls([f.kubeletSelf!, f.kubeletCa!], [f.kubeletClient!]) }));
  assert.equal(r.verdict, { verdict: 'insecure', reason: 'kubelet-cert-unverifiable' });
  assert.is(run(conn({ atMs, server: API, proto: 'tls', tls: mtls([f.apiserverDirect!], [f.nodeClient!], { cipher: 0x000a }) })).verdict.verdict, 'insecure');
});

test('TLS 1.3 to the kubelet without keys: unverified, and no rule guesses', () => {
  const r = run(conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: tls13() }));
  assert.equal(r.hits.map((h) => h.rule), []);
  assert.equal(r.verdict, { verdict: 'unverified', reason: 'server certificate chain not visible' });
});

test('secure: trusted apiserver chain and a node client certificate', () => {
  const r = run(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: mtls([f.apiserverDirect!], [f.nodeClient!]) }), { model });
  assert.equal(r.hits, []);
  assert.is(r.path, 'node-apiserver');
  assert.is(r.verdict.verdict, 'secure');
});

test('secure: CA-signed kubelet cert that verifies, client cert presented', () => {
  const r = run(conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: mtls([f.kubeletSigned!], [f.kubeletClient!]) }));
  assert.equal(r.hits, []);
  assert.is(r.verdict.verdict, 'secure');
});

test('unverified: no bundle to check a CA-signed chain against', () => {
  const r = run(conn({ atMs, client: CP, server: KUBELET, proto: 'tls', tls: mtls([f.kubeletSigned!], [f.kubeletClient!]) }), { trust: noTrust });
  assert.equal(r.verdict, { verdict: 'unverified', reason: 'server chain unknown: no trust bundle to verify against' });
});

test('unverified: handshake picked up mid-stream; an mTLS path whose client auth is not visible', () => {
  const mid = run(conn({ atMs, server: API, synSeen: false, proto: 'tls', tls: tls({ clientHello: null, serverHello: null, midStream: true, chainVisible: false, clientAuth: 'unknown' }) }));
  assert.equal(mid.verdict, { verdict: 'unverified', reason: 'handshake not observed' });
  const etcdTrust = new TrustStore();
  etcdTrust.addPem(pki.pem.etcdCa!, 'etcd-ca.pem');
  const etcd = conn({ atMs, client: CP, server: { ip: '10.20.0.10', port: 2379 }, proto: 'tls', tls: tls({ serverChain: [f.etcd!, f.etcdCa!], clientAuth: 'unknown' }) });
  assert.equal(run(etcd, { model, trust: etcdTrust }).verdict, { verdict: 'unverified', reason: 'client authentication not visible' });
  // Against the cluster CA the etcd chain is untrusted: cert-untrusted makes it insecure.
  assert.is(run(etcd, { model }).verdict.verdict, 'insecure');
});

test('info and low hits alone do not make a connection insecure', () => {
  const r = run(conn({ atMs, client: NODE, server: API, proto: 'tls', tls: mtls([f.apiserverDirect!], null) }), { model });
  assert.equal(r.hits.map((h) => h.rule), ['node-apiserver-no-client-cert']);
  assert.is(r.verdict.verdict, 'secure');
});

test('other paths with nothing wrong are secure; SSH tunnels need their key exchange seen', () => {
  assert.is(run(conn({ atMs, server: { ip: '10.1.1.1', port: 80 }, proto: 'http', http: http([exchange()]) })).verdict.verdict, 'secure');
  assert.is(run(conn({ atMs, client: CP, server: { ip: '10.20.1.5', port: 22 }, proto: 'ssh', ssh: ssh() }), { model }).verdict.verdict, 'secure');
  assert.is(run(conn({ atMs, client: CP, server: { ip: '10.20.1.5', port: 22 }, proto: 'ssh', ssh: ssh({ kex: null }) }), { model }).verdict.verdict, 'unverified');
});

test.after(() => pki.cleanup());
test.run();
