import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, labUp, sleep, waitOutput, type Lab } from './netns.js';

/**
 * The real-component lab captures (captures/real-*.pcap: real etcd, etcdctl, kubectl, the lab's
 * Go kubelet and apiserver) replayed with tcpreplay through a veth into a live `comms-watch
 * watch --json`: the same paths, verdicts and findings as captures/EXPECTED.json says for the
 * files (hand-written from the scenarios), now from libpcap. The captures hold segments above
 * 1500 bytes (GSO on the lab's veths), hence the wide MTU.
 */
interface Path { client: string; server: string; path: string; verdict?: string; validation?: string; client_auth?: string; client_auth_source?: string }
interface Capture { file: string; keylog?: string; paths: Path[]; must_raise: { rule: string; client_ip: string; server: string }[]; must_not_raise: string[] }
type Rec = Record<string, unknown>;

const DIR = 'captures';
const captures = (JSON.parse(readFileSync(join(DIR, 'EXPECTED.json'), 'utf8')) as { captures: Capture[] }).captures
  .filter((c) => c.file.startsWith('real-'));
const hostOf = (a: string) => a.replace(/^\[/, '').replace(/\]?:\d+$/, '');

/** Each capture's TCP connections as tshark sees their SYNs: "client-ip:port server-ip:port". */
function synsOf(file: string): Set<string> {
  const out = execFileSync('tshark', ['-n', '-r', join(DIR, file), '-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0', '-T', 'fields',
    '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return new Set(out.split('\n').filter(Boolean).map((l) => { const [a, b, c, d] = l.split('\t'); return `${a}:${b} ${c}:${d}`; }));
}

function jsonLines(p: ChildProcess): Rec[] {
  const records: Rec[] = [];
  let buf = '';
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) records.push(JSON.parse(line) as Rec);
    }
  });
  return records;
}

// One thread (the default on 2 cores) and two shards fed by the capture thread must see the same.
for (const threads of [1, 2]) test(`real-component captures replayed live through a veth raise what EXPECTED.json says (--threads ${threads})`, async () => {
  assert.ok(captures.length >= 12, `${captures.length} real-* captures in EXPECTED.json`);
  const syns = new Map(captures.map((c) => [c.file, synsOf(c.file)]));
  // One watch sees all the replays, so a connection must belong to exactly one capture.
  const all = [...syns.values()].flatMap((s) => [...s]);
  assert.is(new Set(all).size, all.length, 'no TCP 4-tuple in two captures');

  let lab: Lab | null = null;
  let watch: ChildProcess | null = null;
  try {
    lab = labUp('r', 20, { mtu: 65535 });
    const L = lab;
    const keys = join(L.dir, 'real.keylog');
    writeFileSync(keys, captures.filter((c) => c.keylog).map((c) => readFileSync(join(DIR, c.keylog!), 'utf8')).join(''), { mode: 0o600 });
    watch = L.run(L.b, process.execPath, ['bin/comms-watch.mjs', '-i', L.ifB, '--no-tui', '--json', '-f', 'tcp', '--no-from-node',
      '--config', join(DIR, 'cluster.yaml'), '--keylog', keys, '--threads', String(threads)]);
    const records = jsonLines(watch);
    let stderr = '';
    watch.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitOutput(watch, 'capturing on', 15_000);

    const replay = L.run(L.a, 'tcpreplay', ['-i', L.ifA, '--pps=2000', ...captures.map((c) => join(DIR, c.file))]);
    let replayErr = '';
    replay.stderr!.on('data', (d: Buffer) => (replayErr += d.toString()));
    assert.is(await exited(replay, 20_000), 0, `tcpreplay: ${replayErr}`);

    const raisedNow = () => new Set(records.filter((r) => r.type === 'finding').map((f) => `${f.rule} ${hostOf(String(f.client))} ${f.server}`));
    const wanted = captures.flatMap((c) => c.must_raise.map((m) => `${m.rule} ${m.client_ip} ${m.server}`));
    const end = Date.now() + 15_000;
    while (wanted.some((w) => !raisedNow().has(w)) && Date.now() < end) await sleep(100);
    // Long-lived connections (the etcd peers' raft streams) are reported when the watch stops.
    process.kill(watch.pid!, 'SIGTERM');
    assert.is(await exited(watch, 15_000), 0, `watch exit; stderr ${stderr}`);

    const summary = records.find((r) => r.type === 'summary') as { drops: { kernel: number; shards?: number }; threads: number } | undefined;
    assert.ok(summary, 'summary record');
    assert.is(summary!.drops.kernel, 0, 'kernel drops');
    assert.is(summary!.threads, threads);
    assert.is(summary!.drops.shards ?? 0, 0, 'shard drops');
    const conns = records.filter((r) => r.type === 'connection');
    const findings = records.filter((r) => r.type === 'finding');
    const raised = new Set(findings.map((f) => `${f.rule} ${hostOf(String(f.client))} ${f.server}`));

    for (const cap of captures) {
      const mine = syns.get(cap.file)!;
      const ofCap = conns.filter((c) => mine.has(`${String(c.client)} ${String(c.server)}`));
      for (const p of cap.paths) {
        const pair = ofCap.filter((c) => hostOf(String(c.client)) === p.client && c.server === p.server);
        const carried = pair.filter((c) => ((c.bytes as number[] | undefined) ?? []).some((n) => n > 0));
        assert.ok(carried.length > 0, `${cap.file}: no live connection ${p.client} -> ${p.server} (of ${pair.length})`);
        const verdict = p.verdict ?? (cap.must_raise.length === 0 ? 'secure' : undefined);
        for (const c of carried) {
          const where = `${cap.file}: ${String(c.client)} -> ${p.server}`;
          assert.is(c.path, p.path, `${where} path`);
          if (verdict) assert.is(c.verdict, verdict, `${where} verdict`);
          const tls = (c.tls ?? {}) as Rec;
          for (const k of ['validation', 'client_auth', 'client_auth_source'] as const) if (p[k]) assert.is(tls[k], p[k], `${where} ${k}`);
        }
      }
      for (const m of cap.must_raise) assert.ok(raised.has(`${m.rule} ${m.client_ip} ${m.server}`), `${cap.file}: ${m.rule} ${m.client_ip} -> ${m.server} not raised live`);
    }
    // Findings are one per (rule, client ip, server), shared by the captures of the same pair: a
    // rule one capture was built to avoid is wrong only if no capture of that pair may raise it.
    for (const f of findings) {
      const client = hostOf(String(f.client));
      const onPair = captures.filter((c) => c.paths.some((p) => p.client === client && p.server === f.server));
      const mayRaise = onPair.some((c) => !c.must_not_raise.includes(String(f.rule)));
      assert.ok(mayRaise, `${f.rule} ${client} -> ${f.server} raised live, but every capture of that pair was built to avoid it`);
    }
  } finally {
    if (watch && watch.exitCode === null && watch.signalCode === null) {
      try {
        process.kill(watch.pid!, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    lab?.down();
  }
});

test.run();
