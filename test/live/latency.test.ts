import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, labUp, sleep, waitOutput, type Lab } from './netns.js';

/**
 * Issue 16: a finding is news only while it is fresh. captures/mixed.pcap is replayed with
 * tcpreplay through a veth into `comms-watch watch --json --metrics --webhook`; a tcpdump on
 * the capturing end is the witness of when each packet arrived. Per rule of the capture
 * (EXPECTED.json), the time from the packet that proves it (chosen below by hand, with tshark
 * reading the witness's file) to the finding reaching each sink: the JSON line read by this
 * test, the webhook POST at a receiver, the rule's series in /metrics.
 */
interface Capture { file: string; keylog?: string; must_raise: { rule: string; client_ip: string; server: string }[] }

const DIR = 'captures';
const mixed = (JSON.parse(readFileSync(join(DIR, 'EXPECTED.json'), 'utf8')) as { captures: Capture[] }).captures.find((c) => c.file === 'mixed.pcap')!;
const hostOf = (a: string) => a.replace(/^\[/, '').replace(/\]?:\d+$/, '');
const LIMIT_MS = 1000;

/**
 * The packet that proves each rule, as a tshark display filter: the request head for the
 * cleartext HTTP rules; for the handshake and banner rules the connection's ClientHello or
 * first SSH banner, earlier than the outcome itself, so their latency is measured long.
 */
function proofFilter(rule: string, client: string, server: string): string {
  const i = server.lastIndexOf(':');
  const pair = `ip.src==${client} && ip.dst==${server.slice(0, i)} && tcp.dstport==${server.slice(i + 1)}`;
  switch (rule) {
    case 'cleartext-apiserver':
    case 'cleartext-credentials':
    case 'kubelet-readonly-port':
    case 'proxy-cleartext':
      return `${pair} && http.request`;
    case 'ssh-tunnel':
      return `${pair} && ssh.protocol`;
    default:
      return `${pair} && tls.handshake.type==1`;
  }
}

/** Arrival time (ms, wall clock) of the first packet matching `filter` in the witness's file. */
function arrivalMs(file: string, filter: string): number {
  const out = execFileSync('tshark', ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.time_epoch'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
  assert.ok(out, `witness saw no packet for ${filter}`);
  return Number(out) * 1000;
}

/** Lines of a child's stdout, each with the wall-clock time it was read. */
function lines(p: ChildProcess): { text: string; at: number }[] {
  const got: { text: string; at: number }[] = [];
  let buf = '';
  p.stdout!.on('data', (d: Buffer) => {
    const at = Date.now();
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (text.trim()) got.push({ text, at });
    }
  });
  return got;
}

/**
 * Runs in the capturing namespace: a webhook receiver on 127.0.0.1:8181 and a /metrics poller
 * (every 20 ms), printing `{sink, rule, at}` when a rule first shows at either.
 */
const WITNESS = `
const http = require('http');
const seen = new Set();
const say = (sink, rule) => { const k = sink + ' ' + rule; if (!seen.has(k)) { seen.add(k); console.log(JSON.stringify({ sink, rule, at: Date.now() })); } };
http.createServer((q, s) => { let b = ''; q.on('data', (d) => (b += d)); q.on('end', () => {
  for (const m of [].concat(JSON.parse(b))) if (m.finding) say('webhook', m.finding.rule);
  s.end('ok'); }); }).listen(8181, '127.0.0.1', () => console.log(JSON.stringify({ listening: true })));
setInterval(() => http.get('http://127.0.0.1:9464/metrics', (r) => { let t = ''; r.on('data', (d) => (t += d)); r.on('end', () => {
  for (const m of t.matchAll(/^comms_watch_findings\\{rule="([^"]+)"[^}]*\\} ([0-9.]+)$/gm)) if (Number(m[2]) > 0) say('metrics', m[1]);
}); }).on('error', () => {}), 20);
`;

test('mixed.pcap replayed live: every finding reaches JSON lines, webhook and metrics within 1 s of the packet that proves it', async () => {
  assert.ok(mixed && mixed.must_raise.length >= 9, 'mixed.pcap in EXPECTED.json');
  let lab: Lab | null = null;
  try {
    lab = labUp('l', 50, { mtu: 65535 });
    const L = lab;
    const witnessFile = join(L.dir, 'witness.pcap');
    const witness = L.run(L.b, process.execPath, ['-e', WITNESS]);
    const sinks = lines(witness);
    await waitOutput(witness, 'listening', 10_000);
    // Immediate mode: buffered, the packets of a block not yet handed over when tcpdump stops are lost.
    const dump = L.run(L.b, 'tcpdump', ['-i', L.ifB, '-n', '-U', '--immediate-mode', '-s', '0', '-B', '65536', '-w', witnessFile, 'tcp']);
    await waitOutput(dump, 'listening on', 10_000);
    const watch = L.run(L.b, process.execPath, ['bin/comms-watch.mjs', '-i', L.ifB, '--no-tui', '--json', '-f', 'tcp', '--no-from-node',
      '--config', join(DIR, 'cluster.yaml'), '--keylog', join(DIR, mixed.keylog!), '--metrics', '127.0.0.1:9464',
      '--webhook', 'http://127.0.0.1:8181/', '--spool-dir', join(L.dir, 'spool'), '--user', 'root']);
    const out = lines(watch);
    let stderr = '';
    watch.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitOutput(watch, 'capturing on', 15_000);

    // 200 packets/s: the capture's 160 packets over 0.8 s, each connection done (FIN) well before
    // the closed-connection timeout that used to carry its findings.
    const replay = L.run(L.a, 'tcpreplay', ['-i', L.ifA, '--pps=200', join(DIR, mixed.file)]);
    let replayErr = '';
    replay.stderr!.on('data', (d: Buffer) => (replayErr += d.toString()));
    assert.is(await exited(replay, 20_000), 0, `tcpreplay: ${replayErr}`);
    const key = (rule: string, client: string, server: string) => `${rule} ${client} ${server}`;
    const wanted = mixed.must_raise.map((m) => key(m.rule, m.client_ip, m.server));
    const jsonAt = new Map<string, number>();
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      for (const l of out) {
        const r = JSON.parse(l.text) as Record<string, unknown>;
        if (r.type !== 'finding') continue;
        const k = key(String(r.rule), hostOf(String(r.client)), String(r.server));
        assert.not.ok(jsonAt.has(k) && jsonAt.get(k) !== l.at, `${k}: two finding lines`);
        jsonAt.set(k, l.at);
      }
      const rules = new Set(sinks.map((s) => JSON.parse(s.text) as { sink?: string; rule?: string }).map((s) => `${s.sink} ${s.rule}`));
      if (wanted.every((w) => jsonAt.has(w)) && mixed.must_raise.every((m) => rules.has(`webhook ${m.rule}`) && rules.has(`metrics ${m.rule}`))) break;
      await sleep(50);
    }
    process.kill(dump.pid!, 'SIGTERM');
    await exited(dump, 5000);
    process.kill(watch.pid!, 'SIGTERM');
    assert.is(await exited(watch, 5000), 0, `watch exit; stderr ${stderr}`);

    const firstAt = new Map<string, number>();
    for (const s of sinks) {
      const r = JSON.parse(s.text) as { sink?: string; rule?: string; at?: number };
      if (r.sink && r.rule && r.at !== undefined && !firstAt.has(`${r.sink} ${r.rule}`)) firstAt.set(`${r.sink} ${r.rule}`, r.at);
    }
    const table: string[] = [];
    const late: string[] = [];
    for (const m of mixed.must_raise) {
      const k = key(m.rule, m.client_ip, m.server);
      const proof = arrivalMs(witnessFile, proofFilter(m.rule, m.client_ip, m.server));
      const per: string[] = [];
      for (const [sink, at] of [['json', jsonAt.get(k)], ['webhook', firstAt.get(`webhook ${m.rule}`)], ['metrics', firstAt.get(`metrics ${m.rule}`)]] as const) {
        if (at === undefined) {
          late.push(`${m.rule} never reached ${sink}`);
          per.push(`${sink} -`);
          continue;
        }
        const ms = at - proof;
        if (ms >= LIMIT_MS) late.push(`${m.rule} reached ${sink} after ${ms.toFixed(0)} ms`);
        per.push(`${sink} ${ms.toFixed(0)} ms`);
      }
      table.push(`  ${m.rule.padEnd(34)} ${per.join(', ')}`);
    }
    console.log(`\npacket that proves it -> finding, per rule of mixed.pcap:\n${table.join('\n')}`);
    assert.equal(late, [], late.join('; '));
    // Each finding of mixed.pcap rests on one connection: one line, never counted again at its end.
    const all = out.map((l) => JSON.parse(l.text) as Record<string, unknown>);
    for (const w of wanted) assert.is(all.filter((r) => r.type === 'finding' && key(String(r.rule), hostOf(String(r.client)), String(r.server)) === w).length, 1, `${w}: finding lines`);
    assert.equal(all.filter((r) => r.type === 'finding_update'), [], 'no count updates');
    const conns = all.filter((r) => r.type === 'connection');
    assert.is(conns.length, 8, 'one connection record per connection, still at its end');
    assert.ok(all.some((r) => r.type === 'summary'), 'summary');
  } finally {
    lab?.down();
  }
});

test.run();
