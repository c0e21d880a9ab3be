import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classify } from '../../src/classify/classify.js';
import { PATH_NAMES } from '../../src/classify/path-class.js';
import { parseClusterModel } from '../../src/cluster/model.js';
import { makePki } from '../cluster/pki.js';
import { conn, exchange, http, http2, mtls, saToken, ssh, tls, tls13 } from '../rules/fixtures.js';

const pki = makePki();
const f = pki.facts;
const model = parseClusterModel(
  `apiservers: ["10.20.0.10:6443", "10.96.0.1:443", "[fd00:20::10]:6443"]
controlPlane: ["10.20.0.0/24", "fd00:20::/64"]
nodes: ["10.20.1.0/24", "fd00:21::/64"]
podCIDRs: ["10.244.0.0/16"]
serviceCIDRs: ["10.96.0.0/12"]
konnectivityServers: ["10.20.0.10:8132"]
`, 'test.yaml', '/');

function at(ip: string, port: number): { ip: string; port: number } {
  return { ip, port };
}

function pathOf(c: ReturnType<typeof conn>, m = null as typeof model | null): [string, string] {
  const r = classify(c, m);
  return [r.path, r.strength];
}

test('path names are SPEC\'s, in SPEC\'s order', () => {
  assert.equal([...PATH_NAMES], ['node-apiserver', 'pod-apiserver', 'controlplane-apiserver', 'apiserver-kubelet', 'kubelet-readonly', 'apiserver-proxy', 'ssh-tunnel', 'konnectivity-agent', 'konnectivity-server', 'etcd', 'other']);
});

test('certificate identities, no config', () => {
  const odd = at('10.9.9.9', 12345);
  assert.equal(pathOf(conn({ server: odd, proto: 'tls', tls: tls({ serverChain: [f.kubeletSelf!, f.kubeletCa!] }) })), ['apiserver-kubelet', 'cert']);
  assert.equal(pathOf(conn({ server: odd, proto: 'tls', tls: tls({ serverChain: [f.kubeletSigned!] }) })), ['apiserver-kubelet', 'cert']);
  // Older kubelets served one self-signed leaf.
  assert.equal(pathOf(conn({ server: odd, proto: 'tls', tls: tls({ serverChain: [f.kubeletOld!] }) })), ['apiserver-kubelet', 'cert']);
  // A leaf named like a kubelet's but issued by an unrelated CA is not one.
  assert.equal(pathOf(conn({ server: odd, proto: 'tls', tls: tls({ serverChain: [{ ...f.wildcard!, subject: 'CN=node1@1700000000' }] }) })), ['other', 'port']);
  assert.equal(pathOf(conn({ server: odd, proto: 'tls', tls: mtls([f.foreign!], [f.kubeletClient!]) })), ['apiserver-kubelet', 'cert']);
  assert.equal(pathOf(conn({ server: odd, proto: 'tls', tls: tls({ serverChain: [f.etcd!, f.etcdCa!] }) })), ['etcd', 'cert']);
  assert.equal(pathOf(conn({ server: at('10.20.0.10', 6443), proto: 'tls', tls: mtls([f.apiserverDirect!], [f.nodeClient!]) })), ['node-apiserver', 'cert']);
  assert.equal(pathOf(conn({ server: at('10.96.0.1', 443), proto: 'tls', tls: tls({ serverChain: [f.apiserverDirect!] }) })), ['pod-apiserver', 'cert']);
});

test('SNI, gRPC methods, HTTP paths and the CONNECT fingerprint', () => {
  const odd = at('10.9.9.9', 12345);
  assert.equal(pathOf(conn({ server: odd, proto: 'tls', tls: tls13({ sni: 'kubernetes.default.svc' }) })), ['node-apiserver', 'sni']);
  const agent = conn({ server: odd, proto: 'tls', tls: tls13({ sni: 'konnectivity.example' }), tunnel: { proto: 'grpc', tls: null, http: null, ssh: null, http2: http2([exchange({ method: 'POST', path: '/AgentService/Connect', version: 'HTTP/2' })], { grpc: true }) } });
  assert.equal(pathOf(agent), ['konnectivity-agent', 'grpc']);
  assert.equal(pathOf(conn({ server: odd, proto: 'connect', http: http([exchange({ method: 'CONNECT', host: '127.0.0.1', path: '10.244.1.7:10250', status: 200 })], { connect: { authority: '10.244.1.7:10250', status: 200 } }) })), ['konnectivity-server', 'http']);
  assert.equal(pathOf(conn({ server: odd, proto: 'connect', http: http([exchange({ method: 'CONNECT', host: 'proxy.example', path: 'example.com:443' })]) })), ['other', 'port']);
  assert.equal(pathOf(conn({ server: odd, proto: 'http', http: http([exchange({ path: '/exec/default/web/nginx?command=sh' })]) })), ['apiserver-kubelet', 'http']);
  assert.equal(pathOf(conn({ server: at('10.20.1.5', 10255), proto: 'http', http: http([exchange({ path: '/pods' })]) })), ['kubelet-readonly', 'http']);
  assert.equal(pathOf(conn({ server: at('10.20.0.10', 8080), proto: 'http', http: http([exchange({ path: '/api/v1/namespaces' })]) })), ['node-apiserver', 'http']);
  assert.equal(pathOf(conn({ server: at('10.20.0.10', 8080), proto: 'http', http: http([exchange({ path: '/api/v1/secrets', auth: saToken() })]) })), ['pod-apiserver', 'http']);
  assert.equal(pathOf(conn({ server: at('10.20.0.10', 8080), proto: 'http', http: http([exchange({ path: '/apis/apps/v1', userAgent: 'kube-scheduler/v1.31.0 (linux/amd64)' })]) })), ['controlplane-apiserver', 'http']);
  assert.equal(pathOf(conn({ server: at('10.20.0.10', 8080), proto: 'http', http: http([exchange({ path: '/apiary' })]) })), ['other', 'port']);
});

test('ports, last', () => {
  const t13 = { proto: 'tls' as const, tls: tls13() };
  assert.equal(pathOf(conn({ server: at('10.1.1.1', 6443), ...t13 })), ['node-apiserver', 'port']);
  assert.equal(pathOf(conn({ server: at('10.1.1.1', 10250), ...t13 })), ['apiserver-kubelet', 'port']);
  assert.equal(pathOf(conn({ server: at('10.1.1.1', 10255) })), ['kubelet-readonly', 'port']);
  assert.equal(pathOf(conn({ server: at('10.1.1.1', 2380) })), ['etcd', 'port']);
  assert.equal(pathOf(conn({ server: at('10.1.1.1', 8132), ...t13 })), ['konnectivity-agent', 'port']);
  assert.equal(pathOf(conn({ server: at('10.1.1.1', 8131), ...t13 })), ['konnectivity-server', 'port']);
  assert.equal(pathOf(conn({ server: at('10.96.0.1', 443), ...t13 })), ['pod-apiserver', 'port']);
  assert.equal(pathOf(conn({ server: at('10.96.0.1', 443), transport: 'udp' })), ['other', 'port']);
  assert.equal(pathOf(conn({ server: at('104.18.1.1', 443), proto: 'tls', tls: tls13({ sni: 'registry-1.docker.io' }) })), ['other', 'port']);
  assert.equal(pathOf(conn({ server: at('10.20.1.5', 22), proto: 'ssh', ssh: ssh() })), ['other', 'port']);
});

test('cluster model: the apiserver paths by client range', () => {
  const api = at('10.20.0.10', 6443);
  assert.equal(pathOf(conn({ client: at('10.20.1.5', 40000), server: api, proto: 'tls', tls: tls13() }), model), ['node-apiserver', 'model']);
  assert.equal(pathOf(conn({ client: at('10.20.0.11', 40000), server: api, proto: 'tls', tls: tls13() }), model), ['controlplane-apiserver', 'model']);
  assert.equal(pathOf(conn({ client: at('10.244.1.7', 40000), server: at('10.96.0.1', 443), proto: 'tls', tls: tls13() }), model), ['pod-apiserver', 'model']);
  assert.equal(pathOf(conn({ client: at('fd00:21::5', 40000), server: at('fd00:20::10', 6443), proto: 'tls', tls: tls13() }), model), ['node-apiserver', 'model']);
  // The model outranks a certificate that says otherwise.
  assert.equal(pathOf(conn({ client: at('10.20.1.5', 40000), server: api, proto: 'tls', tls: tls({ serverChain: [f.kubeletSelf!, f.kubeletCa!] }) }), model), ['node-apiserver', 'model']);
});

test('cluster model: the kubernetes service VIP is the first address of the service CIDR', () => {
  const m = parseClusterModel('serviceCIDRs: ["10.96.0.0/12"]\npodCIDRs: ["10.244.0.0/16"]\n', 'm.yaml', '/');
  assert.equal(pathOf(conn({ client: at('10.244.1.7', 40000), server: at('10.96.0.1', 443), proto: 'tls', tls: tls13() }), m), ['pod-apiserver', 'model']);
  assert.equal(pathOf(conn({ client: at('10.244.1.7', 40000), server: at('10.96.0.10', 443), proto: 'tls', tls: tls13({ sni: 'web.default.svc' }) }), m), ['other', 'port']);
});

test('cluster model: kubelet ports, SSH tunnels, etcd, proxy, konnectivity', () => {
  const cp = at('10.20.0.10', 50000);
  assert.equal(pathOf(conn({ client: cp, server: at('10.20.1.5', 10250), proto: 'tls', tls: tls13() }), model), ['apiserver-kubelet', 'model']);
  assert.equal(pathOf(conn({ client: cp, server: at('10.20.1.5', 10255), proto: 'http' }), model), ['kubelet-readonly', 'model']);
  assert.equal(pathOf(conn({ client: cp, server: at('10.20.1.5', 22), proto: 'ssh', ssh: ssh() }), model), ['ssh-tunnel', 'model']);
  assert.equal(pathOf(conn({ client: at('10.20.1.5', 50000), server: at('10.20.1.6', 22), proto: 'ssh', ssh: ssh() }), model), ['other', 'port']);
  assert.equal(pathOf(conn({ client: cp, server: at('10.20.0.11', 2379), proto: 'tls', tls: tls13() }), model), ['etcd', 'model']);
  assert.equal(pathOf(conn({ client: cp, server: at('10.244.3.4', 8080), proto: 'http', http: http([exchange({ path: '/healthz' })]) }), model), ['apiserver-proxy', 'model']);
  assert.equal(pathOf(conn({ client: at('10.20.1.5', 50000), server: at('10.20.0.10', 8132), proto: 'tls', tls: tls13() }), model), ['konnectivity-agent', 'model']);
});

test('evidence says what decided', () => {
  const r = classify(conn({ client: at('10.20.1.5', 40000), server: at('10.20.0.10', 6443), proto: 'tls', tls: tls13() }), model);
  assert.match(r.evidence, '10.20.0.10:6443');
  assert.match(r.evidence, '10.20.1.0/24');
});

test.after(() => pki.cleanup());
test.run();
