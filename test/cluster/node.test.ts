import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeViewModel, readNodeView } from '../../src/cluster/node.js';
import { TrustStore } from '../../src/cluster/trust.js';
import { makePki } from './pki.js';

const pki = makePki();
const dir = mkdtempSync(join(tmpdir(), 'cw-node-'));
const paths = {
  kubeletKubeconfig: join(dir, 'etc/kubernetes/kubelet.conf'),
  kubeletConfig: join(dir, 'var/lib/kubelet/config.yaml'),
  clusterCa: join(dir, 'etc/kubernetes/pki/ca.crt'),
  konnectivityManifests: [join(dir, 'etc/kubernetes/manifests/konnectivity-agent.yaml'), join(dir, 'etc/kubernetes/manifests/konnectivity-server.yaml')],
};
for (const p of [paths.kubeletKubeconfig, paths.kubeletConfig, paths.clusterCa, paths.konnectivityManifests[0]!]) mkdirSync(join(p, '..'), { recursive: true });

// kubeadm's kubelet.conf shape.
writeFileSync(paths.kubeletKubeconfig, `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(pki.pem.root!).toString('base64')}
    server: https://10.20.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: system:node:node1
  name: system:node:node1@kubernetes
current-context: system:node:node1@kubernetes
users:
- name: system:node:node1
  user:
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
`);
writeFileSync(paths.kubeletConfig, `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 10255
authentication:
  anonymous:
    enabled: true
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: AlwaysAllow
serverTLSBootstrap: false
rotateCertificates: true
`);
writeFileSync(paths.konnectivityManifests[0]!, `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: konnectivity-agent
  namespace: kube-system
spec:
  template:
    spec:
      containers:
      - name: konnectivity-agent
        image: registry.k8s.io/kas-network-proxy/proxy-agent:v0.31.0
        command: ["/proxy-agent"]
        args:
        - --logtostderr=true
        - --ca-cert=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt
        - --proxy-server-host=10.20.0.10
        - --proxy-server-port=8132
        - --admin-server-port=8133
        - --service-account-token-path=/var/run/secrets/tokens/konnectivity-agent-token
`);

test('kubeconfig, kubelet config and a konnectivity agent DaemonSet are read; a missing file is recorded', () => {
  const view = readNodeView(paths);
  assert.is(view.apiserverUrl, 'https://10.20.0.10:6443');
  assert.equal(view.kubelet, {
    readOnlyPort: 10255, anonymousAuth: true, x509ClientCAFile: '/etc/kubernetes/pki/ca.crt', webhookAuthn: true,
    authorizationMode: 'AlwaysAllow', serverTLSBootstrap: false, tlsCertFile: null, rotateCertificates: true,
  });
  assert.equal(view.konnectivity, [{ role: 'agent', file: paths.konnectivityManifests[0], proxyServer: '10.20.0.10:8132', agentPort: null, serverPort: null, auth: 'token' }]);
  assert.equal(view.files.map((x) => x.status), ['read', 'read', 'missing', 'read', 'missing']);
  assert.is(view.trustPems.length, 1);
  const store = new TrustStore();
  store.addPem(view.trustPems[0]!.pem, view.trustPems[0]!.source);
  assert.is(store.verify([pki.facts.apiserverDirect!], pki.facts.apiserverDirect!.notBeforeMs + 1000, '10.20.0.10').validation, 'trusted');
  const model = nodeViewModel(view);
  assert.equal(model.apiservers.map((a) => a.text), ['10.20.0.10:6443']);
  assert.equal(model.konnectivityServers.map((a) => a.text), ['10.20.0.10:8132']);
});

test('a certificate-authority file, an IPv6 server, the cluster CA and a konnectivity server manifest', () => {
  const d2 = join(dir, 'second');
  mkdirSync(d2);
  writeFileSync(join(d2, 'ca.crt'), pki.pem.root!);
  writeFileSync(join(d2, 'kubelet.conf'), `clusters:\n- name: c\n  cluster:\n    server: https://[fd00::10]:6443\n    certificate-authority: ca.crt\n`);
  writeFileSync(join(d2, 'server.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: konnectivity-server, namespace: kube-system}
spec:
  containers:
  - name: konnectivity-server-container
    image: registry.k8s.io/kas-network-proxy/proxy-server:v0.31.0
    command: ["/proxy-server"]
    args: ["--uds-name=/etc/kubernetes/konnectivity-server/konnectivity-server.socket", "--server-port=0", "--agent-port", "8132",
           "--cluster-ca-cert=/etc/kubernetes/pki/ca.crt", "--cluster-cert=/etc/kubernetes/pki/apiserver.crt"]
`);
  const view = readNodeView({ kubeletKubeconfig: join(d2, 'kubelet.conf'), kubeletConfig: join(d2, 'none.yaml'), clusterCa: join(d2, 'ca.crt'), konnectivityManifests: [join(d2, 'server.yaml')] });
  assert.equal(view.trustPems.map((t) => t.source), [join(d2, 'ca.crt'), join(d2, 'ca.crt')]);
  assert.is(view.kubelet, null);
  assert.equal(view.konnectivity.map((k) => [k.role, k.agentPort, k.serverPort, k.auth]), [['server', 8132, 0, 'mtls']]);
  assert.equal(nodeViewModel(view).apiservers.map((a) => [a.ip, a.port]), [['fd00::10', 6443]]);
});

test('nothing on disk: an empty view, no error', () => {
  const view = readNodeView({ kubeletKubeconfig: '/nonexistent/a', kubeletConfig: '/nonexistent/b', clusterCa: '/nonexistent/c', konnectivityManifests: [] });
  assert.is(view.apiserverUrl, null);
  assert.equal(view.files.map((x) => x.status), ['missing', 'missing', 'missing']);
  assert.is(nodeViewModel(view).apiservers.length, 0);
});

test('a malformed kubelet config is recorded as malformed, not thrown', () => {
  const p = join(dir, 'bad.yaml');
  writeFileSync(p, 'authentication: [\n');
  const view = readNodeView({ kubeletKubeconfig: '/nonexistent/a', kubeletConfig: p, clusterCa: '/nonexistent/c', konnectivityManifests: [] });
  assert.is(view.files[1]!.status, 'malformed');
  assert.is(view.kubelet, null);
});

test.after(() => {
  rmSync(dir, { recursive: true, force: true });
  pki.cleanup();
});
test.run();
