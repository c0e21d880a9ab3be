import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CATALOG, RULE_NAMES } from '../../src/rules/catalog.js';
import { RULES } from '../../src/rules/engine.js';

// SPEC "Rule catalog", copied by hand.
const SPEC_TABLE: [string, string][] = [
  ['cleartext-apiserver', 'critical'],
  ['cleartext-credentials', 'critical'],
  ['kubelet-cleartext', 'critical'],
  ['etcd-cleartext', 'critical'],
  ['etcd-no-client-auth', 'high'],
  ['kubelet-readonly-port', 'high'],
  ['kubelet-cert-unverifiable', 'high'],
  ['kubelet-client-auth-disabled', 'high'],
  ['konnectivity-cleartext', 'high'],
  ['tls-legacy-version', 'high'],
  ['cert-expired', 'high'],
  ['cert-untrusted', 'high'],
  ['apiserver-kubelet-no-client-cert', 'medium'],
  ['proxy-cleartext', 'medium'],
  ['tls-weak-cipher', 'medium'],
  ['cert-name-mismatch', 'medium'],
  ['cert-weak-key', 'medium'],
  ['tls-handshake-failure', 'medium'],
  ['ssh-weak-algorithm', 'medium'],
  ['kubelet-cert-expiring', 'low'],
  ['konnectivity-token-auth', 'info'],
  ['handshake-not-observed', 'info'],
  ['proxy-unverified-tls', 'low'],
  ['ssh-tunnel', 'info'],
  ['node-apiserver-no-client-cert', 'info'],
  // SPEC "Evidence beyond the wire".
  ['kubelet-anonymous-auth', 'critical'],
  ['kubelet-anonymous-authn-enabled', 'low'],
  ['apiserver-kubelet-unverified', 'high'],
  ['tls-legacy-accepted', 'medium'],
];

test("every rule's name and severity equal SPEC's table, and nothing else is in the catalog", () => {
  assert.equal(RULE_NAMES.map((n) => [n, CATALOG[n].severity]), SPEC_TABLE);
  assert.equal(Object.keys(CATALOG).sort(), SPEC_TABLE.map(([n]) => n).sort());
  assert.equal(Object.keys(RULES).sort(), SPEC_TABLE.map(([n]) => n).sort());
});

test('the CIS IDs of SPEC and peers.md section 4 sit on the rules they bear on', () => {
  assert.equal(CATALOG['kubelet-cert-unverifiable'].cis, ['1.2.5']);
  assert.equal(CATALOG['apiserver-kubelet-no-client-cert'].cis, ['1.2.4']);
  assert.equal(CATALOG['apiserver-kubelet-unverified'].cis, ['1.2.5']);
  assert.equal(CATALOG['kubelet-readonly-port'].cis, ['4.2.4']);
  assert.ok(CATALOG['kubelet-client-auth-disabled'].cis?.includes('4.2.1'));
  assert.ok(CATALOG['kubelet-client-auth-disabled'].cis?.includes('4.2.3'));
  assert.ok(CATALOG['node-apiserver-no-client-cert'].cis?.includes('4.2.10'));
});

test('remediations name the real fix', () => {
  assert.is(CATALOG['kubelet-cert-unverifiable'].remediation, 'Give the kubelet a CA-signed serving certificate (serverTLSBootstrap: true) and start kube-apiserver with --kubelet-certificate-authority.');
  assert.match(CATALOG['kubelet-readonly-port'].remediation, 'readOnlyPort: 0');
  assert.match(CATALOG['apiserver-kubelet-no-client-cert'].remediation, '--kubelet-client-certificate');
  assert.match(CATALOG['kubelet-client-auth-disabled'].remediation, 'clientCAFile');
  assert.match(CATALOG['etcd-no-client-auth'].remediation, '--client-cert-auth=true');
  assert.match(CATALOG['apiserver-kubelet-unverified'].remediation, '--kubelet-certificate-authority');
  for (const n of RULE_NAMES) assert.ok(CATALOG[n].remediation.length > 40, n);
});

test.run();
