import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze, type Run } from '../e2e/helpers.js';
import { KUBEADM_ETCD, KUBELET_CONFIG, PKI, kubeadmApiserver, nodeRoot, opensslDerLengths, opensslKey, pemBodyLines } from './roots.js';

/**
 * `analyze --from-node --node-root` on the real Go captures (read without their key logs, so the
 * TLS 1.3 chain is hidden). Expectations by hand from SPEC "Evidence beyond the wire" and the
 * scenarios (captures/EXPECTED.json): cp 10.20.0.10 runs the apiserver without
 * --kubelet-certificate-authority; node1 10.20.1.5's Go kubelet served its start-up self-signed pair
 * (pki/real/real-kubelet-selfsigned-tls13-kubelet.crt); node2 10.20.1.6 a CA-signed cert (pki/real/kubelet-node2.crt).
 */
const KEY = opensslKey();
const outputs: string[] = [];
const SELFSIGNED = 'captures/real-kubelet-selfsigned-tls13.pcap';
const CASIGNED = 'captures/real-kubelet-casigned-tls13.pcap';
const NO_KUBELET = 'captures/real-etcd-mtls-tls13.pcap';
const OTHER_NODE = 'captures/real-kubectl-client-cert.pcap';

async function run(capture: string, root: string, extra: string[] = []): Promise<Run> {
  const r = await analyze([capture, '--config', 'captures/cluster.yaml', '--from-node', '--node-root', root, '--json', ...extra]);
  outputs.push(r.stdout, r.stderr);
  assert.is(r.exitCode, 0, r.stderr);
  return r;
}
const findings = (r: Run, rule: string) => r.records.filter((x) => x.type === 'finding' && x.rule === rule);
const fromNodeFiles = (r: Run) => r.records.filter((x) => x.type === 'finding' && (x.evidence as { source?: string }).source === 'node-files');
const nodeRec = (r: Run) => r.records.find((x) => x.type === 'node') as Record<string, any>;

const kubeadmNode1 = (cert: string) => nodeRoot({
  '/var/lib/kubelet/config.yaml': KUBELET_CONFIG,
  '/var/lib/kubelet/kubeadm-flags.env': 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --node-ip=10.20.1.5"\n',
  '/var/lib/kubelet/pki/kubelet.crt': cert,
  '/var/lib/kubelet/pki/kubelet.key': KEY,
});

// Go's TLS 1.3 server sends the Certificate message in a record of its own:
// 4 (header) + 1 (empty context) + 3 (list length) + per certificate 3 + DER + 2 (no extensions), + 1 type + 16 tag.
const hand = (pem: string) => opensslDerLengths(pem).reduce((n, l) => n + 3 + l + 2, 4 + 1 + 3) + 17;

test('kubeadm node1: the self-signed kubelet.crt joined with apiserver -> this kubelet over TLS 1.3 raises kubelet-cert-unverifiable from node files, record size consistent', async () => {
  const r = await run(SELFSIGNED, kubeadmNode1(PKI.node1SelfSignedTls13));
  const f = findings(r, 'kubelet-cert-unverifiable');
  assert.is(f.length, 1);
  assert.match(f[0]!.client as string, /^10\.20\.0\.10:/);
  assert.is(f[0]!.server, '10.20.1.5:10250');
  assert.is(f[0]!.severity, 'high');
  const ev = f[0]!.evidence as Record<string, any>;
  assert.is(ev.source, 'node-files');
  assert.is(ev.file, '/var/lib/kubelet/pki/kubelet.crt');
  assert.is(ev.self_signed, true);
  assert.match(ev.subject, /^CN=node1@\d+$/);
  assert.match(ev.issuer, /^CN=node1-ca@\d+$/);
  assert.is(ev.certificate_record.expected, hand(PKI.node1SelfSignedTls13));
  assert.is(ev.certificate_record.consistent, true);
  assert.ok(ev.certificate_record.observed.includes(hand(PKI.node1SelfSignedTls13)));
  assert.equal(findings(r, 'apiserver-kubelet-unverified'), [], 'a worker node has no apiserver manifest');
  const conn = r.records.find((x) => x.type === 'connection') as Record<string, any>;
  assert.is(conn.tls.validation, 'unknown', 'the wire still shows no chain');
  const n = nodeRec(r);
  assert.is(n.layout, 'kubeadm');
  assert.is(n.control_plane, false);
  assert.is(n.kubelet.serving_cert.self_signed, true);
  assert.is(n.kubelet.authentication.anonymous, false);
  assert.is(n.kubelet.authorization_mode, 'Webhook');
  assert.is(n.kubelet.read_only_port, 0);
  assert.equal(n.addresses.map((a: { ip: string }) => a.ip), ['10.20.1.5']);
});

test('kubeadm node1: a served chain of another size is said to be inconsistent with the file', async () => {
  const r = await run(SELFSIGNED, kubeadmNode1(PKI.labNode1Chain));
  const ev = findings(r, 'kubelet-cert-unverifiable')[0]!.evidence as Record<string, any>;
  assert.is(ev.source, 'node-files');
  assert.is(ev.certificate_record.expected, hand(PKI.labNode1Chain));
  assert.is(ev.certificate_record.consistent, false);
});

test('kubeadm node1: no node-file finding without the path (etcd traffic) or for another node\'s kubelet', async () => {
  for (const cap of [NO_KUBELET, OTHER_NODE]) {
    const r = await run(cap, kubeadmNode1(PKI.node1SelfSignedTls13));
    assert.equal(fromNodeFiles(r), [], cap);
    assert.equal(findings(r, 'kubelet-cert-unverifiable'), [], cap);
  }
});

test('with the key log the chain is on the wire: the finding rests on it, not on the files', async () => {
  const r = await run(SELFSIGNED, kubeadmNode1(PKI.node1SelfSignedTls13), ['--keylog', 'captures/real-kubelet-selfsigned-tls13.keylog']);
  const f = findings(r, 'kubelet-cert-unverifiable');
  assert.is(f.length, 1);
  assert.is((f[0]!.evidence as { source?: string }).source, undefined);
});

test('k3s node1: tlsCertFile from the kubelet.conf.d drop-in, node-ip from /etc/rancher/k3s/config.yaml', async () => {
  const root = nodeRoot({
    '/etc/rancher/k3s/config.yaml': 'node-ip: 10.20.1.5\nnode-name: node1\n',
    '/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf': `${KUBELET_CONFIG}tlsCertFile: /var/lib/rancher/k3s/agent/serving-kubelet.crt\ntlsPrivateKeyFile: /var/lib/rancher/k3s/agent/serving-kubelet.key\n`,
    '/var/lib/rancher/k3s/agent/serving-kubelet.crt': PKI.node1SelfSignedTls13,
    '/var/lib/rancher/k3s/agent/serving-kubelet.key': KEY,
    '/var/lib/rancher/k3s/agent/server-ca.crt': PKI.realCa,
  });
  const r = await run(SELFSIGNED, root);
  const f = findings(r, 'kubelet-cert-unverifiable');
  assert.is(f.length, 1);
  const ev = f[0]!.evidence as Record<string, any>;
  assert.is(ev.source, 'node-files');
  assert.is(ev.file, '/var/lib/rancher/k3s/agent/serving-kubelet.crt');
  assert.is(ev.certificate_record.consistent, true);
  assert.is(nodeRec(r).layout, 'k3s');
  assert.equal(nodeRec(r).kubelet.config, ['/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf']);
  const again = await run(NO_KUBELET, root);
  assert.equal(fromNodeFiles(again), []);
});

test('RKE2 node2: a CA-signed serving-kubelet.crt that chains to the trust bundle raises nothing', async () => {
  const root = nodeRoot({
    '/etc/rancher/rke2/config.yaml': 'node-ip: 10.20.1.6\n',
    '/var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf': `${KUBELET_CONFIG}tlsCertFile: /var/lib/rancher/rke2/agent/serving-kubelet.crt\n`,
    '/var/lib/rancher/rke2/agent/serving-kubelet.crt': PKI.node2CaSigned,
    '/var/lib/rancher/rke2/agent/serving-kubelet.key': KEY,
  });
  const r = await run(CASIGNED, root);
  assert.equal(fromNodeFiles(r), []);
  assert.equal(findings(r, 'kubelet-cert-unverifiable'), []);
  const n = nodeRec(r);
  assert.is(n.layout, 'rke2');
  assert.is(n.kubelet.serving_cert.self_signed, false);
  assert.is(n.kubelet.serving_cert.subject, 'CN=system:node:node2,O=system:nodes');
});

test('kubeadm control plane: kube-apiserver without --kubelet-certificate-authority raises apiserver-kubelet-unverified only with apiserver -> kubelet traffic', async () => {
  const root = nodeRoot({
    '/etc/kubernetes/manifests/kube-apiserver.yaml': kubeadmApiserver([]),
    '/etc/kubernetes/manifests/etcd.yaml': KUBEADM_ETCD,
    '/etc/kubernetes/pki/ca.crt': PKI.realCa,
    '/etc/kubernetes/pki/apiserver-kubelet-client.key': KEY,
  });
  const r = await run(SELFSIGNED, root);
  const f = findings(r, 'apiserver-kubelet-unverified');
  assert.is(f.length, 1);
  assert.match(f[0]!.client as string, /^10\.20\.0\.10:/);
  assert.is(f[0]!.server, '10.20.1.5:10250');
  assert.is(f[0]!.severity, 'high');
  assert.equal(f[0]!.cis, ['1.2.5']);
  const ev = f[0]!.evidence as Record<string, any>;
  assert.is(ev.source, 'node-files');
  assert.is(ev.file, '/etc/kubernetes/manifests/kube-apiserver.yaml');
  assert.is(ev.kubelet_client_certificate, true);
  const n = nodeRec(r);
  assert.is(n.control_plane, true);
  assert.is(n.apiserver.flags['kubelet-certificate-authority'], null);
  assert.is(n.apiserver.flags['kubelet-client-certificate'], '/etc/kubernetes/pki/apiserver-kubelet-client.crt');
  assert.is(n.apiserver.flags['etcd-cafile'], '/etc/kubernetes/pki/etcd/ca.crt');
  assert.is(n.etcd.client_cert_auth, true);
  assert.is(n.etcd.peer_client_cert_auth, true);
  assert.equal(findings(r, 'kubelet-cert-unverifiable'), [], 'cp has no kubelet files and is not node1');
  assert.equal(fromNodeFiles(await run(NO_KUBELET, root)), []);

  const verified = nodeRoot({ '/etc/kubernetes/manifests/kube-apiserver.yaml': kubeadmApiserver(['--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt']) });
  assert.equal(findings(await run(SELFSIGNED, verified), 'apiserver-kubelet-unverified'), []);
});

test('RKE2 control plane: pod-manifests and the etcd config file it points at', async () => {
  const manifest = (caFlag: string[]) => kubeadmApiserver(caFlag).replace('/etc/kubernetes/pki/apiserver-kubelet-client.crt', '/var/lib/rancher/rke2/server/tls/client-kube-apiserver.crt');
  const files = (caFlag: string[]) => ({
    '/etc/rancher/rke2/config.yaml': 'advertise-address: 10.20.0.10\n',
    '/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml': manifest(caFlag),
    '/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers:\n  - command:\n    - etcd\n    args:\n    - --config-file=/var/lib/rancher/rke2/server/db/etcd/config\n    image: rancher/hardened-etcd:v3.5.19-k3s1\n    name: etcd\n',
    '/var/lib/rancher/rke2/server/db/etcd/config': 'client-transport-security:\n  cert-file: /var/lib/rancher/rke2/server/tls/etcd/server-client.crt\n  client-cert-auth: true\n  key-file: /var/lib/rancher/rke2/server/tls/etcd/server-client.key\n  trusted-ca-file: /var/lib/rancher/rke2/server/tls/etcd/server-ca.crt\npeer-transport-security:\n  client-cert-auth: true\n',
  });
  const unverified = await run(SELFSIGNED, nodeRoot(files([])));
  assert.is(findings(unverified, 'apiserver-kubelet-unverified').length, 1);
  const n = nodeRec(unverified);
  assert.is(n.layout, 'rke2');
  assert.is(n.etcd.file, '/var/lib/rancher/rke2/server/db/etcd/config');
  assert.is(n.etcd.client_cert_auth, true);
  const rke2Default = await run(SELFSIGNED, nodeRoot(files(['--kubelet-certificate-authority=/var/lib/rancher/rke2/server/tls/server-ca.crt'])));
  assert.equal(findings(rke2Default, 'apiserver-kubelet-unverified'), []);
});

test('k3s server: the in-process apiserver verifies kubelets unless kube-apiserver-arg empties the flag', async () => {
  const files = (config: string) => ({
    '/etc/rancher/k3s/config.yaml': config,
    '/var/lib/rancher/k3s/server/tls/server-ca.crt': PKI.realCa,
    '/var/lib/rancher/k3s/server/db/etcd/config': 'client-transport-security:\n  client-cert-auth: true\npeer-transport-security:\n  client-cert-auth: true\n',
  });
  const builtIn = await run(SELFSIGNED, nodeRoot(files('node-ip: 10.20.0.10\n')));
  assert.equal(findings(builtIn, 'apiserver-kubelet-unverified'), []);
  const n = nodeRec(builtIn);
  assert.is(n.apiserver.source, 'k3s-built-in');
  assert.is(n.apiserver.flags['kubelet-certificate-authority'], '/var/lib/rancher/k3s/server/tls/server-ca.crt');
  assert.is(n.etcd.client_cert_auth, true);
  const emptied = await run(SELFSIGNED, nodeRoot(files('node-ip: 10.20.0.10\nkube-apiserver-arg:\n  - "kubelet-certificate-authority="\n')));
  assert.is(findings(emptied, 'apiserver-kubelet-unverified').length, 1);
});

test('per-file overrides: --kubelet-cert and --node-address name what the layout does not', async () => {
  const root = nodeRoot({ '/opt/kubelet/serving.crt': PKI.node1SelfSignedTls13 });
  const bare = await run(SELFSIGNED, root);
  assert.match(bare.stderr, 'no address of this node');
  assert.equal(fromNodeFiles(bare), [], 'without the file and the address nothing joins');
  const r = await run(SELFSIGNED, root, ['--kubelet-cert', '/opt/kubelet/serving.crt', '--node-address', '10.20.1.5']);
  const ev = findings(r, 'kubelet-cert-unverifiable')[0]!.evidence as Record<string, any>;
  assert.is(ev.source, 'node-files');
  assert.is(ev.file, '/opt/kubelet/serving.crt');
  assert.match(ev.matched, '--node-address');
});

test('the text report has a short "This node" section', async () => {
  const r = await analyze([SELFSIGNED, '--config', 'captures/cluster.yaml', '--node-root', kubeadmNode1(PKI.node1SelfSignedTls13)]);
  outputs.push(r.stdout, r.stderr);
  const section = r.stdout.split('\n\n').find((s) => s.startsWith('This node'));
  assert.ok(section, r.stdout);
  assert.match(section!, 'kubeadm layout');
  assert.match(section!, 'kubelet serving cert /var/lib/kubelet/pki/kubelet.crt: CN=node1@');
  assert.match(section!, '(self-signed)');
  assert.match(section!, 'anonymous auth off');
});

test('no private key reaches any output', () => {
  assert.ok(outputs.length > 20);
  const all = outputs.join('\n');
  for (const line of pemBodyLines(KEY)) assert.not.ok(all.includes(line), 'key body in output');
  assert.not.match(all, 'PRIVATE KEY');
});

test.run();
