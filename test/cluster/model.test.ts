import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterModelError, findHostPort, loadClusterModel, parseClusterModel, parseHostPort } from '../../src/cluster/model.js';

const SPEC_EXAMPLE = `apiservers: ["10.20.0.10:6443", "10.96.0.1:443"]   # host:port, IPv6 as [addr]:port
controlPlane: ["10.20.0.0/24"]                      # IPs or CIDRs
nodes: ["10.20.1.0/24"]
podCIDRs: ["10.244.0.0/16"]
serviceCIDRs: ["10.96.0.0/12"]
konnectivityServers: ["10.20.0.10:8132"]
trustBundles: ["ca.crt"]                            # PEM files, relative to this file
`;

function withFile(text: string, fn: (path: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'cw-model-'));
  try {
    const p = join(dir, 'cluster.yaml');
    writeFileSync(p, text);
    fn(p, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function errorOf(text: string): string {
  try {
    parseClusterModel(text, 'c.yaml', '/etc/cw');
  } catch (e) {
    assert.instance(e, ClusterModelError);
    return (e as Error).message;
  }
  assert.unreachable('no error');
  return '';
}

test("SPEC's example model loads; trust bundles resolve relative to the file", () => {
  withFile(SPEC_EXAMPLE, (path, dir) => {
    const m = loadClusterModel(path);
    assert.equal(m.apiservers.map((a) => [a.ip, a.port]), [['10.20.0.10', 6443], ['10.96.0.1', 443]]);
    assert.ok(m.controlPlane.has('10.20.0.10'));
    assert.ok(m.nodes.has('10.20.1.5'));
    assert.not.ok(m.nodes.has('10.20.0.10'));
    assert.ok(m.podCIDRs.has('10.244.3.4'));
    assert.ok(m.serviceCIDRs.has('10.96.0.1'));
    assert.equal(m.konnectivityServers.map((k) => k.text), ['10.20.0.10:8132']);
    assert.equal(m.trustBundles, [join(dir, 'ca.crt')]);
  });
});

test('every key is optional; an empty file is an empty model', () => {
  const m = parseClusterModel('', 'c.yaml', '/x');
  assert.is(m.apiservers.length, 0);
  assert.is(m.nodes.size, 0);
  const n = parseClusterModel('nodes: ["fd00:20:1::/64"]\n', 'c.yaml', '/x');
  assert.ok(n.nodes.has('fd00:20:1::5'));
});

test('unknown keys are errors naming the key', () => {
  const msg = errorOf('apiserver: ["10.0.0.1:6443"]\n');
  assert.match(msg, 'unknown key "apiserver"');
  assert.match(msg, 'c.yaml');
});

test('bad CIDRs and host:port are errors naming key and value', () => {
  assert.match(errorOf('podCIDRs: ["10.244.0.0/33"]\n'), 'podCIDRs: "10.244.0.0/33"');
  assert.match(errorOf('apiservers: ["10.20.0.10"]\n'), 'apiservers: "10.20.0.10"');
  assert.match(errorOf('apiservers: ["api.example.com:6443"]\n'), 'apiservers: "api.example.com:6443"');
  assert.match(errorOf('konnectivityServers: ["fd00::1:8132"]\n'), 'konnectivityServers: "fd00::1:8132"');
  assert.match(errorOf('nodes: "10.0.0.0/8"\n'), 'nodes must be a list');
  assert.match(errorOf('nodes: [42]\n'), 'nodes[0] must be a string');
  assert.match(errorOf('apiservers: ["10.0.0.1:70000"]\n'), '10.0.0.1:70000');
  assert.match(errorOf('- a\n- b\n'), 'mapping');
  assert.match(errorOf('nodes: [\n'), 'not valid YAML');
});

test('a missing config file is an error naming it', () => {
  assert.throws(() => loadClusterModel('/nonexistent/cw.yaml'), (e: Error) => e instanceof ClusterModelError && /\/nonexistent\/cw.yaml: cannot read: ENOENT/.test(e.message));
});

test('IPv6 endpoints are bracketed and compared numerically', () => {
  const hp = parseHostPort('[fd00::10]:6443')!;
  assert.equal([hp.ip, hp.port], ['fd00::10', 6443]);
  assert.is(parseHostPort('fd00::10:6443'), null);
  assert.is(parseHostPort('[10.0.0.1]:6443'), null);
  assert.ok(findHostPort([hp], 'fd00:0:0:0:0:0:0:10', 6443));
  assert.is(findHostPort([hp], 'fd00::10', 443), null);
});

test.run();
