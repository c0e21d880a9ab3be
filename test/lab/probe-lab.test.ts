// The probe lab (scripts/lab/probe-lab.sh) is what `--probe` is tested against, so its lab.json
// must be true: every target is checked here with independent real clients (curl, openssl
// s_client, node's net, tshark on the capture) run from the node namespace cw-p41. Needs root;
// nothing is skipped without it, the test fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface TlsExpect {
  tls: true; versions: string[]; default_version: string; server_cert: string; self_signed: boolean;
  verifies_with_ca: boolean; certificate_request: boolean; client_ca_names: string[]; client_cert_required: boolean;
  path: string; anonymous_status: number | null; client_cert_status: number; anonymous_body?: string;
}
interface OtherExpect { tls: false; behaviour: 'hang' | 'reset' | 'garbage' }
interface Target { name: string; addr: string; kind: 'kubelet' | 'etcd' | 'apiserver' | 'misbehave'; expect: TlsExpect | OtherExpect }
interface Pair { cert: string; key: string }
interface Lab {
  node: string; namespaces: { targets: string; node: string }; ca: string; cas: { cluster: string; etcd: string };
  clients: { kubelet: Pair; etcd: Pair; token: string };
  capture: { pcap: string; keylog: string; tls13_to: string[]; tcp_only_to: string[] };
  targets: Target[]; secrets: string[]; pids: number[];
}

const SCRIPT = 'scripts/lab/probe-lab.sh';
const DIR = mkdtempSync(join(tmpdir(), 'cw-probe-lab-'));
let lab: Lab | undefined;

function run(cmd: string, args: string[], timeout = 20_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout, input: '' });
}
/** A command in the node namespace, where comms-watch would run. */
function onNode(cmd: string, args: string[], timeout = 10_000): SpawnSyncReturns<string> {
  return run('ip', ['netns', 'exec', 'cw-p41', cmd, ...args], timeout);
}
function theLab(): Lab {
  if (!lab) throw new Error('the lab is not up');
  return lab;
}
function tlsTargets(): (Target & { expect: TlsExpect })[] {
  return theLab().targets.filter((t): t is Target & { expect: TlsExpect } => t.expect.tls);
}
function target(name: string): Target {
  const t = theLab().targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name}`);
  return t;
}
function clientPair(t: Target): Pair {
  return t.kind === 'etcd' ? theLab().clients.etcd : theLab().clients.kubelet;
}
function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}
function namespaces(): string[] {
  return run('ip', ['netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0] ?? '');
}
function sclient(addr: string, args: string[]): SpawnSyncReturns<string> {
  return onNode('openssl', ['s_client', '-connect', addr, ...args]);
}

const OPENSSL_VERSION: Record<string, string[]> = {
  '1.0': ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0'],
  '1.1': ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'],
  '1.2': ['-tls1_2'],
  '1.3': ['-tls1_3'],
};
const PROTOCOL_NAME: Record<string, string> = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };
/** The version s_client -brief reports once the handshake is done (the session dump's Protocol line
 * comes only with a TLS 1.3 session ticket, which may arrive after s_client has quit). */
function negotiated(r: SpawnSyncReturns<string>): string | undefined {
  return /^Protocol version: (\S+)$/m.exec(r.stderr)?.[1];
}

test('up starts the nine targets from scratch within the time budget', () => {
  const t0 = Date.now();
  const r = run('bash', [SCRIPT, 'up', DIR], 120_000);
  const ms = Date.now() - t0;
  assert.is(r.status, 0, `up failed:\n${r.stdout}${r.stderr}`);
  assert.ok(ms < 30_000, `up took ${ms} ms`);
  lab = JSON.parse(readFileSync(join(DIR, 'lab.json'), 'utf8')) as Lab;
  assert.is(lab.node, '10.40.0.100');
  assert.equal(lab.targets.map((t) => `${t.name} ${t.addr}`), [
    'kubelet-anon 10.40.0.1:10250', 'kubelet-secure 10.40.0.2:10250', 'kubelet-403 10.40.0.3:10250',
    'etcd-mtls 10.40.0.4:2379', 'etcd-open 10.40.0.5:2379', 'legacy 10.40.0.6:6443',
    'hang 10.40.0.7:10250', 'reset 10.40.0.8:10250', 'garbage 10.40.0.9:10250']);
  assert.ok(namespaces().includes('cw-p40') && namespaces().includes('cw-p41'));
  const listed = readFileSync(join(DIR, 'pids'), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[0]));
  assert.equal(lab.pids, listed);
  assert.is(lab.pids.length, 9);
  for (const p of lab.pids) assert.ok(alive(p), `pid ${p} not running after up`);
});

test('the node sees only the lab network: its own address, on-link 10.40.0.0/24, no default route', () => {
  const addrs = onNode('ip', ['-4', '-o', 'addr', 'show']).stdout;
  assert.match(addrs, /inet 10\.40\.0\.100\/24/);
  assert.equal(onNode('ip', ['route', 'show', 'default']).stdout.trim(), '');
  assert.ok(onNode('ip', ['route', 'get', '1.1.1.1']).status !== 0, 'an outside address is routable');
});

test('HTTP answers without and with a client certificate are the configured ones (curl)', () => {
  for (const t of tlsTargets()) {
    const url = `https://${t.addr}${t.expect.path}`;
    const anon = onNode('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', url]);
    if (t.expect.anonymous_status === null) {
      assert.ok(anon.status !== 0, `${t.name}: got in without a client certificate`);
    } else {
      assert.is(anon.stdout, String(t.expect.anonymous_status), `${t.name} without a client cert`);
    }
    const c = clientPair(t);
    const withCert = onNode('curl', ['-sk', '--cert', c.cert, '--key', c.key, '-o', '/dev/null', '-w', '%{http_code}', url]);
    assert.is(withCert.stdout, String(t.expect.client_cert_status), `${t.name} with a client cert`);
  }
  const legacy = target('legacy');
  const token = readFileSync(theLab().clients.token, 'utf8').trim();
  assert.is(onNode('curl', ['-s', '--cacert', theLab().ca, '-H', `Authorization: Bearer ${token}`, '-o', '/dev/null',
    '-w', '%{http_code}', `https://${legacy.addr}/version`]).stdout, '200');
  const forbidden = target('kubelet-403').expect as TlsExpect;
  assert.is(onNode('curl', ['-sk', `https://${target('kubelet-403').addr}/pods`]).stdout.trim(), forbidden.anonymous_body);
  assert.is(forbidden.anonymous_body, 'Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)');
});

test('each TLS target accepts exactly its configured versions and picks TLS 1.3 by default (openssl s_client)', () => {
  for (const t of tlsTargets()) {
    const c = clientPair(t);
    for (const v of ['1.0', '1.1', '1.2', '1.3']) {
      const r = sclient(t.addr, ['-brief', ...(OPENSSL_VERSION[v] ?? []), '-cert', c.cert, '-key', c.key]);
      const ok = r.status === 0 && negotiated(r) === PROTOCOL_NAME[v];
      assert.is(ok, t.expect.versions.includes(v), `${t.name} TLS ${v}: ${negotiated(r)} exit ${r.status}`);
    }
    const d = sclient(t.addr, ['-brief', '-cert', c.cert, '-key', c.key]);
    assert.is(negotiated(d), PROTOCOL_NAME[t.expect.default_version], `${t.name} default version`);
  }
  // What the lab is for: TLS 1.0 gets through to the legacy server only.
  const tls10 = tlsTargets().filter((t) => t.expect.versions.includes('1.0')).map((t) => t.name);
  assert.equal(tls10, ['legacy']);
});

test('CertificateRequest and its CA names are the configured ones (openssl s_client -msg)', () => {
  for (const t of tlsTargets()) {
    const r = sclient(t.addr, ['-msg']);
    assert.is(/<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], CertificateRequest/.test(r.stdout), t.expect.certificate_request, `${t.name} CertificateRequest`);
    const names = /^Acceptable client certificate CA names\n((?:.+\n)*?)(?=Requested|Client Certificate Types|Peer|---)/m.exec(r.stdout)?.[1];
    const got = (names ?? '').trim().split('\n').filter((l) => l !== '').map((l) => l.replace(/ = /g, '='));
    assert.equal(got, t.expect.client_ca_names, `${t.name} CA names`);
  }
  const asking = tlsTargets().filter((t) => t.expect.client_ca_names.length > 0).map((t) => t.name);
  assert.equal(asking, ['kubelet-secure', 'kubelet-403', 'etcd-mtls', 'legacy']);
});

test('server certificates: self-signed or verifiable with the lab CA bundle for the target IP (openssl)', () => {
  for (const t of tlsTargets()) {
    const ip = t.addr.split(':')[0] ?? '';
    const chain = sclient(t.addr, ['-showcerts']).stdout;
    const subjects = [...chain.matchAll(/^ *\d+ s:(.*)\n\s+i:(.*)$/gm)];
    assert.ok(subjects.length > 0, `${t.name}: no chain`);
    assert.is(subjects.some((m) => m[1] === m[2]), t.expect.self_signed, `${t.name} self-signed`);
    // With its client certificate: etcd-mtls's alert for a missing one may otherwise end s_client first.
    const c = clientPair(t);
    const v = sclient(t.addr, ['-CAfile', theLab().ca, '-verify_ip', ip, '-verify_return_error', '-cert', c.cert, '-key', c.key]);
    assert.is(/Verify return code: 0 \(ok\)/.test(v.stdout) && v.status === 0, t.expect.verifies_with_ca, `${t.name} verifies`);
    assert.ok(statSync(t.expect.server_cert).size > 0);
    const leaf = run('openssl', ['x509', '-in', t.expect.server_cert, '-noout', '-fingerprint', '-sha256']).stdout;
    const presented = spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: chain, encoding: 'utf8' }).stdout;
    assert.is(presented, leaf, `${t.name}: server_cert is not the certificate it serves`);
  }
});

test('the misbehaving targets: hang says nothing, reset aborts, garbage is no TLS (node net, openssl)', () => {
  const probe = `const net = require('node:net');
    const [host, port] = process.argv[1].split(':');
    const s = net.connect({ host, port: Number(port) });
    const bytes = []; let error = null, ended = false;
    s.on('connect', () => s.write(Buffer.from('160301', 'hex')));
    s.on('data', (d) => bytes.push(...d));
    s.on('error', (e) => { error = e.code; });
    s.on('end', () => { ended = true; });
    setTimeout(() => { console.log(JSON.stringify({ n: bytes.length, first: bytes[0] ?? null, error, ended })); process.exit(0); }, 2000);`;
  const seen = (name: string) => {
    const r = onNode('node', ['-e', probe, target(name).addr]);
    assert.is(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { n: number; first: number | null; error: string | null; ended: boolean };
  };
  const hang = seen('hang');
  assert.equal(hang, { n: 0, first: null, error: null, ended: false });
  const reset = seen('reset');
  assert.is(reset.error, 'ECONNRESET');
  assert.is(reset.n, 0);
  const garbage = seen('garbage');
  assert.ok(garbage.n >= 4096, `garbage sent ${garbage.n} bytes`);
  assert.ok(garbage.first !== null && !(garbage.first >= 0x14 && garbage.first <= 0x18) && garbage.first < 0x80, `first byte ${garbage.first}`);
  assert.is(garbage.error, null);
  const tls = sclient(target('garbage').addr, []);
  assert.ok(tls.status !== 0 && /wrong version number|packet length too long|record layer failure/.test(tls.stderr), tls.stderr);
});

test('the capture has TLS 1.3 handshakes to the six TLS targets and bare TCP to the other three (tshark)', () => {
  const L = theLab();
  const tshark = (filter: string, fields: string[]) => run('tshark', ['-r', L.capture.pcap, '-Y', filter, '-T', 'fields',
    ...fields.flatMap((f) => ['-e', f])]).stdout.trim().split('\n').filter((l) => l !== '');
  const hellos = new Set(tshark('tls.handshake.type == 1', ['ip.dst', 'tcp.dstport']).map((l) => l.replace('\t', ':')));
  const tls13 = new Set(tshark('tls.handshake.type == 2 && tls.handshake.extensions.supported_version == 0x0304', ['ip.src', 'tcp.srcport'])
    .map((l) => l.replace('\t', ':')));
  assert.equal([...hellos].sort(), [...L.capture.tls13_to].sort());
  assert.equal([...tls13].sort(), [...L.capture.tls13_to].sort());
  assert.equal(L.capture.tls13_to, tlsTargets().map((t) => t.addr));
  const syns = new Set(tshark('tcp.flags.syn == 1 && tcp.flags.ack == 0', ['ip.dst', 'tcp.dstport']).map((l) => l.replace('\t', ':')));
  for (const a of L.capture.tcp_only_to) assert.ok(syns.has(a), `no connection to ${a}`);
  const ips = new Set(tshark('ip', ['ip.src', 'ip.dst']).flatMap((l) => l.split('\t')));
  for (const ip of ips) assert.match(ip, /^10\.40\.0\.\d+$/);
  assert.ok(statSync(L.capture.keylog).size > 0);
});

test('secrets lists every private key and the token, all present', () => {
  const L = theLab();
  const pki = join(DIR, 'pki');
  const keys = readdirSync(pki).filter((f) => f.endsWith('.key')).map((f) => join(pki, f));
  assert.ok(keys.length >= 9);
  assert.equal([...L.secrets].sort(), [...keys, L.clients.token].sort());
  for (const s of L.secrets) assert.ok(statSync(s).size > 0, `${s} empty`);
});

test('up again replaces the lab: the old processes are gone, the new ones answer', () => {
  const old = theLab().pids;
  const r = run('bash', [SCRIPT, 'up', DIR], 120_000);
  assert.is(r.status, 0, `second up failed:\n${r.stdout}${r.stderr}`);
  lab = JSON.parse(readFileSync(join(DIR, 'lab.json'), 'utf8')) as Lab;
  for (const p of old) assert.ok(!alive(p) || lab.pids.includes(p), `old pid ${p} still running`);
  for (const p of lab.pids) assert.ok(alive(p));
  assert.is(onNode('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `https://${target('kubelet-anon').addr}/pods`]).stdout, '200');
});

test('down stops exactly the lab processes and deletes both namespaces', () => {
  const pids = theLab().pids;
  const r = run('bash', [SCRIPT, 'down', DIR], 30_000);
  assert.is(r.status, 0, r.stderr);
  for (const p of pids) assert.ok(!alive(p), `pid ${p} still running`);
  assert.not.ok(namespaces().includes('cw-p40'));
  assert.not.ok(namespaces().includes('cw-p41'));
  assert.not.ok(existsSync(join(DIR, 'pids')));
});

test.after(() => {
  run('bash', [SCRIPT, 'down', DIR], 30_000);
  rmSync(DIR, { recursive: true, force: true });
});

test.run();
