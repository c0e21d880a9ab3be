// The lab captures are evidence for the whole suite: prove with tshark that each still shows what
// its scenario did (scripts/lab/verify-captures.sh), and that captures/EXPECTED.json covers
// every SPEC rule and every secure path, consistently with the captures' endpoints.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Path { client: string; server: string; path: string }
interface Raise { rule: string; client_ip: string; server: string }
interface Capture { file: string; keylog?: string; description: string; paths: Path[]; must_raise: Raise[]; must_not_raise: string[]; notes: string }
interface Expected { config: string; unproducible_rules: string[]; captures: Capture[] }

const DIR = 'captures';
const expected = JSON.parse(readFileSync(join(DIR, 'EXPECTED.json'), 'utf8')) as Expected;

// The SPEC rule catalog and path classes, copied by hand from /work/shared/SPEC.md.
const RULES = ['cleartext-apiserver', 'cleartext-credentials', 'kubelet-cleartext', 'etcd-cleartext', 'etcd-no-client-auth',
  'kubelet-readonly-port', 'kubelet-cert-unverifiable', 'kubelet-client-auth-disabled', 'konnectivity-cleartext',
  'tls-legacy-version', 'cert-expired', 'cert-untrusted', 'apiserver-kubelet-no-client-cert', 'proxy-cleartext',
  'tls-weak-cipher', 'cert-name-mismatch', 'cert-weak-key', 'tls-handshake-failure', 'ssh-weak-algorithm',
  'kubelet-cert-expiring', 'konnectivity-token-auth', 'handshake-not-observed', 'proxy-unverified-tls', 'ssh-tunnel',
  'node-apiserver-no-client-cert'];
const PATHS = ['node-apiserver', 'pod-apiserver', 'controlplane-apiserver', 'apiserver-kubelet', 'kubelet-readonly',
  'apiserver-proxy', 'ssh-tunnel', 'konnectivity-agent', 'konnectivity-server', 'etcd', 'other'];
// Paths that can be used securely; each must appear in a capture that raises nothing.
const SECURE = ['node-apiserver', 'pod-apiserver', 'controlplane-apiserver', 'apiserver-kubelet', 'konnectivity-agent',
  'konnectivity-server', 'etcd'];

test('tshark confirms every capture shows what its scenario did', () => {
  const r = spawnSync('bash', ['scripts/lab/verify-captures.sh'], { encoding: 'utf8', timeout: 600_000 });
  const out = r.stdout ?? '';
  assert.is(r.status, 0, `verify-captures.sh failed:\n${out}${r.stderr}`);
  for (const c of expected.captures) assert.ok(out.includes(`ok ${c.file}\n`), `${c.file} not checked`);
});

test('every SPEC rule is raised by some capture, none is declared unproducible', () => {
  const raised = new Set(expected.captures.flatMap((c) => c.must_raise.map((m) => m.rule)));
  for (const r of RULES) assert.ok(raised.has(r), `no capture raises ${r}`);
  assert.equal(expected.unproducible_rules, []);
  for (const c of expected.captures) {
    for (const m of c.must_raise) assert.ok(RULES.includes(m.rule), `${c.file}: unknown rule ${m.rule}`);
    for (const m of c.must_not_raise) assert.ok(RULES.includes(m), `${c.file}: unknown rule ${m}`);
  }
});

test('every secure path appears with nothing to raise', () => {
  for (const p of SECURE) {
    const clean = expected.captures.filter((c) => c.must_raise.length === 0 && c.paths.some((x) => x.path === p));
    assert.ok(clean.length > 0, `no clean capture for ${p}`);
  }
});

test('expectations are consistent with their own paths', () => {
  for (const c of expected.captures) {
    assert.ok(existsSync(join(DIR, c.file)), `${c.file} missing`);
    if (c.keylog) assert.ok(statSync(join(DIR, c.keylog)).size > 0, `${c.keylog} empty`);
    assert.ok(c.paths.length > 0, `${c.file}: no path`);
    for (const p of c.paths) assert.ok(PATHS.includes(p.path), `${c.file}: unknown path ${p.path}`);
    const raised = new Set(c.must_raise.map((m) => m.rule));
    for (const m of c.must_not_raise) assert.not.ok(raised.has(m), `${c.file}: ${m} both raised and not`);
    for (const m of c.must_raise) {
      assert.ok(c.paths.some((p) => p.client === m.client_ip && p.server === m.server), `${c.file}: ${m.rule} on an unlisted path`);
    }
  }
});

test('the lab cluster config names existing trust bundles; no private key is committed', () => {
  const cfg = parse(readFileSync(join(DIR, expected.config), 'utf8')) as { trustBundles: string[]; apiservers: string[] };
  assert.ok(cfg.apiservers.includes('10.20.0.10:6443'));
  for (const b of cfg.trustBundles) assert.match(readFileSync(join(DIR, b), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
  let total = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = join(d, e.name);
      if (e.isDirectory()) { walk(f); continue; }
      total += statSync(f).size;
      if (/\.(crt|pem|key|keylog|yaml|json)$/.test(e.name)) assert.not.match(readFileSync(f, 'utf8'), /PRIVATE KEY/, f);
    }
  };
  walk(DIR);
  assert.ok(total < 3 * 1024 * 1024, `captures/ is ${total} bytes`);
});

test.run();
