import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readNodeFacts } from '../../src/node/read.js';
import { NodeFileReader, isKeyPath } from '../../src/node/reader.js';
import { nodeRecord } from '../../src/outputs/node-record.js';
import { KUBELET_CONFIG, PKI, nodeRoot, opensslKey, pemBodyLines } from './roots.js';

const KEY = opensslKey();

test('key file names are recognised', () => {
  for (const p of ['/var/lib/kubelet/pki/kubelet.key', '/etc/kubernetes/pki/sa.key', '/x/serving-kubelet.key', '/x/client-key.pem', '/x/key.pem', '/etc/ssl/private/a.pem', '/x/a.p12']) assert.ok(isKeyPath(p), p);
  for (const p of ['/var/lib/kubelet/pki/kubelet.crt', '/var/lib/kubelet/pki/kubelet-server-current.pem', '/etc/kubernetes/kubelet.conf', '/x/keycloak.yaml']) assert.not.ok(isKeyPath(p), p);
});

test('a configuration that names a key as the certificate: the key is never opened, the refusal is recorded', () => {
  const root = nodeRoot({
    '/var/lib/kubelet/config.yaml': `${KUBELET_CONFIG}tlsCertFile: /var/lib/kubelet/pki/kubelet.key\n`,
    '/var/lib/kubelet/pki/kubelet.key': KEY,
  });
  const reader = new NodeFileReader(root);
  const facts = readNodeFacts({ root, layout: 'kubeadm' }, reader);
  assert.ok(reader.opened.length > 0);
  assert.equal(reader.opened.filter((p) => /key/i.test(p)), []);
  assert.is(facts.kubelet?.servingCert, null);
  assert.equal(facts.files.filter((f) => f.status === 'refused').map((f) => f.path), ['/var/lib/kubelet/pki/kubelet.key']);
});

test('serverTLSBootstrap: the combined kubelet-server-current.pem gives its certificate; its key block is skipped', () => {
  const root = nodeRoot({
    '/var/lib/kubelet/config.yaml': `${KUBELET_CONFIG}serverTLSBootstrap: true\n`,
    // The certificate manager's file holds the key and the certificate together.
    '/var/lib/kubelet/pki/kubelet-server-current.pem': `${KEY}${PKI.node2CaSigned}`,
  });
  const reader = new NodeFileReader(root);
  const facts = readNodeFacts({ root, layout: 'kubeadm' }, reader);
  const cert = facts.kubelet!.servingCert!;
  assert.is(cert.file, '/var/lib/kubelet/pki/kubelet-server-current.pem');
  assert.is(cert.chain.length, 1);
  assert.is(cert.chain[0]!.subject, 'CN=system:node:node2,O=system:nodes');
  assert.equal(cert.chain[0]!.sanIp, ['10.20.1.6']);
  // The certificate's IP SAN names the node when nothing else does.
  assert.equal(facts.addresses.map((a) => a.ip), ['10.20.1.6']);
  const json = JSON.stringify(nodeRecord(facts));
  for (const line of pemBodyLines(KEY)) assert.not.ok(json.includes(line));
  assert.not.match(json, 'PRIVATE');
});

test('missing files are recorded once each, an unreadable one as unreadable, a broken one as malformed; nothing throws', () => {
  const root = nodeRoot({ '/etc/kubernetes/manifests/etcd.yaml': 'spec: [unclosed\n' });
  mkdirSync(join(root, 'var/lib/kubelet/config.yaml'), { recursive: true });
  const reader = new NodeFileReader(root);
  const facts = readNodeFacts({ root, layout: 'kubeadm' }, reader);
  reader.text('/etc/kubernetes/manifests/kube-apiserver.yaml');
  const paths = facts.files.map((f) => f.path);
  assert.is(new Set(paths).size, paths.length);
  const status = Object.fromEntries(reader.files.map((f) => [f.path, f.status]));
  assert.is(status['/var/lib/kubelet/config.yaml'], 'unreadable');
  assert.is(status['/etc/kubernetes/manifests/kube-apiserver.yaml'], 'missing');
  assert.is(status['/etc/kubernetes/manifests/etcd.yaml'], 'malformed');
  assert.is(facts.kubelet, null);
  assert.is(facts.apiserver, null);
});

test('--node-root prefixes every path opened', () => {
  const root = nodeRoot({ '/var/lib/kubelet/pki/kubelet.crt': PKI.node1SelfSignedTls13 });
  const reader = new NodeFileReader(root);
  readNodeFacts({ root, layout: 'kubeadm' }, reader);
  assert.ok(reader.opened.length >= 3);
  for (const p of reader.opened) assert.ok(p.startsWith(`${root}/`), p);
});

test.run();
