// --probe against the probe lab (scripts/lab/probe-lab.sh): Go crypto/tls kubelets, real etcd, a
// TLS 1.0 apiserver stand-in and three misbehaving servers in cw-p40; comms-watch runs in the node
// namespace cw-p41. Expectations are written by hand from the SPEC and from how each lab server is
// configured (lab.json), never from our own output. Needs root; nothing is skipped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Target { name: string; addr: string; kind: string; expect: { tls: boolean } }
interface Lab { node: string; ca: string; capture: { pcap: string }; targets: Target[]; secrets: string[] }

const DIR = mkdtempSync(join(tmpdir(), 'cw-lab-probe-'));
const BIN = 'bin/comms-watch.mjs';
let lab: Lab;
const outputs: string[] = [];

function addrOf(name: string): string {
  return lab.targets.find((t) => t.name === name)!.addr;
}

type Rec = Record<string, any>;
function records(text: string): Rec[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Rec);
}

/** Runs `comms-watch ARGS` in the node namespace while tcpdump there counts every IPv4 packet it sends. */
async function counted(args: string[], timeoutMs = 60_000): Promise<{ out: string; err: string; code: number | null; sent: { dst: string; syn: boolean }[] }> {
  const pcap = join(DIR, `sent-${outputs.length}.pcap`);
  const dump = spawn('ip', ['netns', 'exec', 'cw-p41', 'tcpdump', '-i', 'cwp41', '-U', '-n', '-w', pcap, 'ip and src host 10.40.0.100'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${text}`)), 10_000);
    dump.stderr!.on('data', (b: Buffer) => {
      text += b.toString();
      if (text.includes('listening on')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  const r = spawnSync('ip', ['netns', 'exec', 'cw-p41', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  await new Promise((res) => setTimeout(res, 300));
  const done = new Promise((res) => dump.once('exit', res));
  dump.kill('SIGINT');
  await done;
  outputs.push(r.stdout, r.stderr);
  const lines = spawnSync('tcpdump', ['-r', pcap, '-n', '-tt'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const sent = lines.map((l) => {
    const m = / IP [\d.]+\.\d+ > ([\d.]+)\.(\d+): Flags \[([^\]]*)\]/.exec(l);
    return { dst: m ? `${m[1]}:${m[2]}` : l, syn: m ? m[3] === 'S' : false };
  });
  return { out: r.stdout, err: r.stderr, code: r.status, sent };
}

function findingsBy(recs: Rec[]): Map<string, Rec[]> {
  const by = new Map<string, Rec[]>();
  for (const f of recs.filter((r) => r.type === 'finding')) by.set(f.server, [...(by.get(f.server) ?? []), f]);
  return by;
}

test.before(() => {
  const up = spawnSync('bash', ['scripts/lab/probe-lab.sh', 'up', DIR], { encoding: 'utf8', timeout: 120_000 });
  assert.is(up.status, 0, `probe-lab up failed: ${up.stderr}`);
  lab = JSON.parse(readFileSync(join(DIR, 'lab.json'), 'utf8')) as Lab;
});

test('without --probe, analyze sends nothing: zero packets, TLS 1.3 paths stay unverified, no tls.probe', async () => {
  const r = await counted(['analyze', lab.capture.pcap, '--json', '--ca', lab.ca]);
  assert.is(r.code, 0, r.err);
  assert.equal(r.sent, [], 'packets sent by comms-watch');
  const recs = records(r.out);
  const conns = recs.filter((x) => x.type === 'connection');
  assert.is(conns.length, 9);
  for (const name of ['kubelet-anon', 'kubelet-secure', 'etcd-mtls']) {
    const c = conns.find((x) => x.server === addrOf(name))!;
    assert.is(c.tls.version, 'TLS 1.3', name);
    assert.is(c.verdict, 'unverified', name);
  }
  assert.ok(conns.every((c) => c.tls === null || c.tls.probe === undefined));
  assert.ok(!recs.some((x) => x.type === 'probe' || x.evidence?.source === 'probe'));
});

test('--probe-dry-run names every server of the capture and what it would send, and sends nothing', async () => {
  const r = await counted(['analyze', lab.capture.pcap, '--json', '--probe-dry-run']);
  assert.is(r.code, 0, r.err);
  assert.equal(r.sent, []);
  const plans = records(r.out).filter((x) => x.type === 'probe_planned');
  assert.equal(plans.map((p) => p.server).sort(), lab.targets.map((t) => t.addr).sort());
  const kubelet = plans.find((p) => p.server === addrOf('kubelet-anon'))!;
  assert.ok(kubelet.would_send.some((s: string) => s.startsWith('GET /pods')));
  const etcd = plans.find((p) => p.server === addrOf('etcd-open'))!;
  assert.not.ok(etcd.would_send.some((s: string) => s.includes('GET')), 'no HTTP request to etcd');
});

test('analyze --probe: each server raises exactly its expected findings with source probe; the secure ones none', async () => {
  const r = await counted(['analyze', lab.capture.pcap, '--json', '--ca', lab.ca, '--probe']);
  assert.is(r.code, 0, r.err);
  const recs = records(r.out);
  const by = findingsBy(recs);
  const probeRules = (name: string) => (by.get(addrOf(name)) ?? []).filter((f) => f.evidence.source === 'probe').map((f) => f.rule).sort();
  const bad = (name: string) => (by.get(addrOf(name)) ?? []).filter((f) => ['critical', 'high', 'medium'].includes(f.severity)).map((f) => f.rule);
  // kubeadm-style kubelet: its own self-signed pair, no client CA, anonymous auth with AlwaysAllow.
  assert.equal(probeRules('kubelet-anon'), ['apiserver-kubelet-no-client-cert', 'kubelet-anonymous-auth', 'kubelet-cert-unverifiable', 'kubelet-client-auth-disabled']);
  assert.is(by.get(addrOf('kubelet-anon'))!.find((f) => f.rule === 'kubelet-anonymous-auth')!.severity, 'critical');
  // CA-signed, client CA, anonymous off (401): nothing.
  assert.equal(by.get(addrOf('kubelet-secure')) ?? [], []);
  // Anonymous authenticated, authorization denies (403): only the low rule.
  assert.equal(probeRules('kubelet-403'), ['kubelet-anonymous-authn-enabled']);
  assert.equal(bad('kubelet-403'), []);
  // etcd with --client-cert-auth: nothing; without it: etcd-no-client-auth.
  assert.equal(by.get(addrOf('etcd-mtls')) ?? [], []);
  assert.equal(probeRules('etcd-open'), ['etcd-no-client-auth']);
  // Still accepts TLS 1.0 and 1.1 although its client negotiated TLS 1.3.
  const legacy = by.get(addrOf('legacy'))!.find((f) => f.rule === 'tls-legacy-accepted')!;
  assert.equal(legacy.evidence.accepted, ['TLS 1.0', 'TLS 1.1']);
  assert.is(legacy.evidence.negotiated, 'TLS 1.3');
  assert.not.ok((by.get(addrOf('legacy')) ?? []).some((f) => f.rule === 'tls-legacy-version'), 'nothing legacy was negotiated');
  for (const name of ['kubelet-anon', 'kubelet-secure', 'kubelet-403', 'etcd-mtls', 'etcd-open']) {
    assert.not.ok((by.get(addrOf(name)) ?? []).some((f) => f.rule === 'tls-legacy-accepted'), `${name} refuses TLS 1.0/1.1`);
  }

  const conn = (name: string) => recs.find((x) => x.type === 'connection' && x.server === addrOf(name))!;
  assert.is(conn('kubelet-anon').verdict, 'insecure');
  assert.is(conn('kubelet-secure').verdict, 'secure');
  assert.is(conn('etcd-mtls').verdict, 'secure');
  assert.is(conn('etcd-open').verdict, 'insecure');
  const p = conn('kubelet-anon').tls.probe;
  assert.equal(Object.keys(p).slice(0, 6), ['chain', 'validation', 'certificate_request', 'ca_names', 'versions', 'anonymous_status']);
  assert.equal({ validation: p.validation, certificate_request: p.certificate_request, anonymous_status: p.anonymous_status }, { validation: 'self-signed', certificate_request: false, anonymous_status: 200 });
  assert.equal(p.versions, { 'TLS 1.0': false, 'TLS 1.1': false, 'TLS 1.2': true, 'TLS 1.3': true });
  assert.match(p.chain[0].subject, /^CN=kubelet-anon@\d+$/);
  const s = conn('kubelet-secure').tls.probe;
  assert.equal({ validation: s.validation, certificate_request: s.certificate_request, ca_names: s.ca_names, anonymous_status: s.anonymous_status }, { validation: 'trusted', certificate_request: true, ca_names: ['CN=kubernetes'], anonymous_status: 401 });
  const e = conn('etcd-mtls').tls.probe;
  assert.equal({ ca_names: e.ca_names, client_cert_required: e.client_cert_required, anonymous_status: e.anonymous_status }, { ca_names: ['CN=etcd-ca'], client_cert_required: true, anonymous_status: null });

  // Hang, reset, garbage: a clear anomaly each, no finding from the probe, no crash.
  const anomalies = recs.filter((x) => x.type === 'anomaly');
  for (const [name, code] of [['hang', 'probe.timeout'], ['reset', 'probe.reset'], ['garbage', 'probe.not_tls']] as const) {
    assert.ok(anomalies.some((a) => a.server === addrOf(name) && a.code === code), `${name}: ${code}`);
    assert.not.ok((by.get(addrOf(name)) ?? []).some((f) => f.evidence.source === 'probe'));
  }

  // Never a scan: every connection went to a server of the capture, a handful each.
  const syns = r.sent.filter((x) => x.syn);
  const servers = new Set(lab.targets.map((t) => t.addr));
  assert.ok(syns.length > 0);
  assert.equal(syns.filter((x) => !servers.has(x.dst)), [], 'only servers the capture showed');
  const perServer = new Map<string, number>();
  for (const x of syns) perServer.set(x.dst, (perServer.get(x.dst) ?? 0) + 1);
  for (const [dst, n] of perServer) assert.ok(n <= 6, `${dst}: ${n} connections`);
  assert.is(perServer.get(addrOf('hang')), 1, 'a server that hangs is asked once');
});

test('comms-watch probe HOST:PORT: the named servers only, the same answers, a hanging one bounded by the timeout', async () => {
  const t0 = Date.now();
  const r = await counted(['probe', addrOf('kubelet-anon'), addrOf('etcd-mtls'), addrOf('hang'), '--json', '--ca', lab.ca]);
  const took = Date.now() - t0;
  assert.is(r.code, 0, r.err);
  const recs = records(r.out);
  assert.equal(recs.filter((x) => x.type === 'probe').map((x) => x.server).sort(), [addrOf('etcd-mtls'), addrOf('hang'), addrOf('kubelet-anon')].sort());
  const by = findingsBy(recs);
  assert.ok(by.get(addrOf('kubelet-anon'))!.some((f) => f.rule === 'kubelet-anonymous-auth' && f.evidence.source === 'probe'));
  assert.equal(by.get(addrOf('etcd-mtls')) ?? [], []);
  assert.ok(recs.some((x) => x.type === 'anomaly' && x.code === 'probe.timeout' && x.server === addrOf('hang')));
  assert.equal([...new Set(r.sent.filter((x) => x.syn).map((x) => x.dst))].sort(), [addrOf('etcd-mtls'), addrOf('hang'), addrOf('kubelet-anon')].sort());
  assert.ok(took < 15_000, `took ${took} ms`);
});

test('watch --probe: probes what the live traffic shows, as nobody, and never judges its own connections', async () => {
  const out: string[] = [];
  const w: ChildProcess = spawn('ip', ['netns', 'exec', 'cw-p41', process.execPath, BIN, 'watch', '-i', 'cwp41', '--no-tui', '--json', '--probe', '--ca', lab.ca, '--user', 'nobody', '--no-from-node'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  w.stdout!.on('data', (b: Buffer) => out.push(b.toString()));
  w.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const waitFor = async (pred: () => boolean, ms: number, what: string) => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await waitFor(() => err.includes('capturing on cwp41'), 15_000, 'the capture');
    // A real client (curl, OpenSSL) to the anonymous kubelet, as an apiserver would connect.
    const curl = spawnSync('ip', ['netns', 'exec', 'cw-p41', 'curl', '-sk', '-o', '/dev/null', '-w', '%{http_code}', `https://${addrOf('kubelet-anon')}/healthz`], { encoding: 'utf8', timeout: 10_000 });
    assert.is(curl.stdout, '200', 'curl reached the kubelet (anonymous allowed: /healthz answers)');
    await waitFor(() => records(out.join('')).some((x) => x.type === 'finding' && x.rule === 'kubelet-anonymous-auth'), 20_000, 'the probe finding');
    // `ip netns exec` execs: the child is comms-watch itself.
    const pid = w.pid!;
    const uid = existsSync(`/proc/${pid}/status`) ? /Uid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] : undefined;
    assert.is(uid, '65534', 'the probing process runs as nobody');
    // Let the probe's last connections end and be expired by the capture.
    await new Promise((r) => setTimeout(r, 2500));
  } finally {
    const done = new Promise((r) => w.once('exit', r));
    w.kill('SIGTERM');
    await done;
  }
  const text = out.join('');
  outputs.push(text, err);
  const recs = records(text);
  const conns = recs.filter((x) => x.type === 'connection' && x.server === addrOf('kubelet-anon'));
  assert.is(conns.length, 1, `only curl's connection is judged, not the probe's: ${conns.map((c) => c.client).join(', ')}`);
  const probe = recs.find((x) => x.type === 'probe')!;
  assert.is(probe.server, addrOf('kubelet-anon'));
  assert.is(probe.anonymous_status, 200);
  const summary = recs.find((x) => x.type === 'summary')!;
  assert.is(summary.probe.servers, 1);
  assert.ok(summary.probe.own_connections_ignored >= 4, JSON.stringify(summary.probe));
  const f = recs.find((x) => x.type === 'finding' && x.rule === 'kubelet-anonymous-auth')!;
  assert.is(f.evidence.source, 'probe');
  assert.is(f.client.split(':')[0], lab.node, 'the finding names the real client, not the probe');
});

test('nothing secret in any output: no lab key, no token, no kubelet answer body', () => {
  const all = outputs.join('\n');
  for (const file of lab.secrets) {
    const text = readFileSync(file, 'utf8');
    const body = text.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of body) assert.not.ok(all.includes(line), `${file} leaked`);
  }
  assert.not.ok(all.includes('PodList'), 'no kubelet response body');
  assert.not.ok(all.includes('Forbidden (user=system:anonymous'), 'no kubelet response body');
});

test.after(() => {
  spawnSync('bash', ['scripts/lab/probe-lab.sh', 'down', DIR], { encoding: 'utf8', timeout: 60_000 });
});

test.run();
