import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyze } from './helpers.js';

/**
 * Classification fixes found on independent traffic, on the lab's real captures with cluster models
 * written here. Expectations from the scenarios (captures/EXPECTED.json descriptions) and SPEC.
 */
const dir = mkdtempSync(join(tmpdir(), 'cw-classify-'));
const pki = (f: string) => JSON.stringify(resolve('captures/pki', f));

function model(name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** The lab cluster, but the model lists only the Konnectivity agent port, as many real configs do. */
const agentPortOnly = model('agent-port-only.yaml', `
apiservers: ["10.20.0.10:6443", "10.96.0.1:443"]
controlPlane: ["10.20.0.0/24"]
nodes: ["10.20.1.0/24"]
podCIDRs: ["10.244.0.0/16"]
serviceCIDRs: ["10.96.0.0/12"]
konnectivityServers: ["10.20.0.10:8132"]
trustBundles: [${pki('ca.crt')}]
`);

const rec = (records: Record<string, unknown>[], type: string) => records.filter((r) => r.type === type);

for (const [label, config] of [['the model lists only the agent port', agentPortOnly], ['the lab model (frontend port listed)', 'captures/cluster.yaml']] as const) {
  test(`cleartext CONNECT to the konnectivity frontend (${label}): konnectivity-server with konnectivity-cleartext; the tunnelled TLS judged as the kubelet path it carries`, async () => {
    const r = await analyze(['captures/konnectivity-server-connect-cleartext.pcap', '--config', config, '--keylog', 'captures/konnectivity-server-connect-cleartext.keylog', '--json']);
    const conns = rec(r.records, 'connection');
    assert.is(conns.length, 1);
    const c = conns[0]!;
    assert.is(c.path, 'konnectivity-server');
    assert.is(c.server, '10.20.0.10:8131');
    assert.is(c.verdict, 'insecure');
    assert.is(c.tunnel, true);
    // The scenario: CA-signed node2 kubelet cert, CertificateRequest, the apiserver's kubelet client cert.
    assert.equal(c.carried, {
      path: 'apiserver-kubelet',
      server: '10.20.1.6:10250',
      proto: 'tls',
      verdict: 'secure',
      reason: 'expected protection seen',
      evidence: 'kubelet port 10250 on 10.20.1.6 (10.20.1.0/24 in the cluster model)',
      findings: [],
    });
    const rules = rec(r.records, 'finding').map((f) => `${f.rule} ${f.path} ${f.server}`);
    assert.equal(rules, ['konnectivity-cleartext konnectivity-server 10.20.0.10:8131']);
    // The report shows both: the frontend row and what it carries.
    const text = await analyze(['captures/konnectivity-server-connect-cleartext.pcap', '--config', config, '--keylog', 'captures/konnectivity-server-connect-cleartext.keylog']);
    assert.match(text.stdout, /insecure\s+konnectivity-server\s+10\.20\.0\.11 -> 10\.20\.0\.10:8131/);
    assert.match(text.stdout, /carries apiserver-kubelet to 10\.20\.1\.6:10250: secure/);
    assert.not.match(text.stdout, /kubelet-cleartext/);
    // And the HTML report's detail of the frontend.
    const page = join(dir, 'report.html');
    await analyze(['captures/konnectivity-server-connect-cleartext.pcap', '--config', config, '--keylog', 'captures/konnectivity-server-connect-cleartext.keylog', '--html', page]);
    assert.match(readFileSync(page, 'utf8'), /carries<\/t[hd]>\s*<td>apiserver-kubelet to 10\.20\.1\.6:10250: secure \(expected protection seen\)/);
  });
}

test('without the key log the carried kubelet session is unverified (TLS 1.3 hides its chain), and still not kubelet-cleartext', async () => {
  const r = await analyze(['captures/konnectivity-server-connect-cleartext.pcap', '--config', agentPortOnly, '--json']);
  const c = rec(r.records, 'connection')[0]!;
  assert.is(c.path, 'konnectivity-server');
  assert.is((c.carried as { verdict: string }).verdict, 'unverified');
  assert.equal(rec(r.records, 'finding').map((f) => f.rule), ['konnectivity-cleartext']);
});

/** The pod's address declared a node address: a host-network pod shares its node's IP. */
const hostNetwork = model('host-network.yaml', `
apiservers: ["10.20.0.10:6443", "10.96.0.1:443"]
controlPlane: ["10.20.0.0/24"]
nodes: ["10.20.1.0/24", "10.244.1.7/32"]
podCIDRs: ["10.245.0.0/16"]
serviceCIDRs: ["10.96.0.0/12"]
trustBundles: [${pki('ca.crt')}]
`);

test('a client inside the model nodes sending a service-account token to an apiserver is node-apiserver; the token stays in the evidence', async () => {
  // Plain HTTP to 10.20.0.10:8080, a port the model does not list: decided by the request, then the model.
  const r = await analyze(['captures/apiserver-cleartext-token.pcap', '--config', hostNetwork, '--json']);
  const c = rec(r.records, 'connection')[0]!;
  assert.is(c.client, '10.244.1.7:56656');
  assert.is(c.path, 'node-apiserver');
  assert.match(String(c.path_evidence), /client 10\.244\.1\.7 is in nodes 10\.244\.1\.7\/32; bearer token of system:serviceaccount:default:default/);
  const findings = rec(r.records, 'finding');
  assert.equal(findings.map((f) => `${f.rule} ${f.path}`).sort(), ['cleartext-apiserver node-apiserver', 'cleartext-credentials node-apiserver']);
  const cred = findings.find((f) => f.rule === 'cleartext-credentials')!.evidence as { credential: { kind: string; jwt?: { sub?: string } } };
  assert.is(cred.credential.kind, 'bearer');
  assert.is(cred.credential.jwt?.sub, 'system:serviceaccount:default:default');
  // With the lab model (the pod network holds 10.244.1.7) the same bytes are the pod path.
  const pod = await analyze(['captures/apiserver-cleartext-token.pcap', '--config', 'captures/cluster.yaml', '--json']);
  assert.is(rec(pod.records, 'connection')[0]!.path, 'pod-apiserver');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
