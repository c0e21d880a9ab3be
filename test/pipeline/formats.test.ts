import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFiles, type PipelineStats } from '../../src/pipeline/analyze.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';

async function run(path: string, limits = {}): Promise<{ conns: ConnectionFacts[]; stats: PipelineStats }> {
  const conns: ConnectionFacts[] = [];
  const { stats } = await analyzeFiles([path], { onConnection: (c) => conns.push(c), limits });
  return { conns, stats };
}

const dir = mkdtempSync(join(tmpdir(), 'cw-pipeline-'));
const pcap = join(dir, 'b.pcap');
const pcapng = join(dir, 'b.pcapng');
// The shared generator writes the same packets in either format (../shared/bench/README.md).
execFileSync('python3', ['../shared/bench/make-bench-pcap.py', pcap, '--packets', '20000'], { stdio: 'ignore' });
execFileSync('python3', ['../shared/bench/make-bench-pcap.py', pcapng, '--packets', '20000', '--pcapng'], { stdio: 'ignore' });

test('pcap and pcapng of the same packets give identical connections and counts', async () => {
  const a = await run(pcap);
  const b = await run(pcapng);
  assert.is(a.stats.packets, 20000);
  assert.ok(a.conns.length > 100);
  assert.equal(b.conns, a.conns);
  assert.is(b.stats.tcpConnections, a.stats.tcpConnections);
  assert.is(b.stats.udpFlows, a.stats.udpFlows);
  assert.is(b.stats.bytes, a.stats.bytes);
});

test('generated 20k-packet capture: TCP connections and frames per connection equal tshark conv,tcp', async () => {
  const want = JSON.parse(readFileSync('test/pipeline/data/tshark-bench20k.json', 'utf8')) as {
    tcp_conversations: number; tcp_frames: number; per_conversation_frames: number[];
  };
  const { conns, stats } = await run(pcap);
  const tcp = conns.filter((c) => c.transport === 'tcp');
  assert.is(stats.tcpConnections, want.tcp_conversations);
  assert.is(tcp.length, want.tcp_conversations);
  assert.is(tcp.reduce((n, c) => n + c.packets[0] + c.packets[1], 0), want.tcp_frames);
  assert.equal(tcp.map((c) => c.packets[0] + c.packets[1]).sort((x, y) => x - y), want.per_conversation_frames);
});

test('a tiny reassembly budget turns held out-of-order data into gaps and holds no more than the cap', async () => {
  // The generator sends about 0.05% of data segments out of order (next one first, then the missing one).
  const normal = await run(pcap);
  assert.is(normal.stats.gaps, 0);
  const tiny = await run(pcap, { connReassemblyBytes: 64, globalReassemblyBytes: 1 << 20 });
  assert.ok(tiny.stats.gaps > 0, 'skipping ahead reported gaps');
  assert.ok(tiny.stats.budgetExhausted > 0);
  assert.ok(tiny.stats.missingBytes > 0);
  assert.is(tiny.stats.reassemblyBytes, 0);
  const missing = tiny.conns.reduce((n, c) => n + c.missingBytes[0] + c.missingBytes[1], 0);
  assert.is(missing, tiny.stats.missingBytes);
});

test('flow cap: evictions are counted and every flow is still reported once', async () => {
  const r = await run(pcap, { maxFlows: 50 });
  const normal = await run(pcap);
  assert.ok(r.stats.flowsEvicted > 0);
  // Closed flows go first and keep their real outcome (fin / rst); open ones say 'evicted'.
  const evicted = r.conns.filter((c) => c.endReason === 'evicted').length;
  assert.ok(evicted > 0 && evicted <= r.stats.flowsEvicted);
  assert.is(r.conns.length, r.stats.flows);
  assert.ok(r.stats.flows >= normal.stats.flows);
});

test('the same 4-tuple opening again after FIN is a new connection (zeek/http/get.pcap read twice)', async () => {
  const conns: ConnectionFacts[] = [];
  const r = await analyzeFiles(['../shared/corpus/zeek/http/get.pcap', '../shared/corpus/zeek/http/get.pcap'], { onConnection: (c) => conns.push(c) });
  assert.is(r.stats.tcpConnections, 2);
  // tshark: 7 frames and 136 / 5007 payload bytes each way per copy.
  assert.equal(conns.map((c) => [c.packets, c.bytes, c.endReason]), [[[7, 7], [136, 5007], 'fin'], [[7, 7], [136, 5007], 'fin']]);
});

test('idle expiry follows packet time: a short idle limit ends quiet connections as timeout (zeek/ssh/ssh.pcap)', async () => {
  const conns: ConnectionFacts[] = [];
  const r = await analyzeFiles(['../shared/corpus/zeek/ssh/ssh.pcap'], {
    onConnection: (c) => conns.push(c),
    limits: { tcpEstablishedIdleMicros: 1e6, tcpClosedIdleMicros: 1e6, tcpHalfOpenIdleMicros: 1e6, expireEveryPackets: 1 },
  });
  const last = Math.max(...conns.map((c) => c.endMicros));
  const timedOut = conns.filter((c) => c.endReason === 'timeout');
  assert.ok(timedOut.length > 0);
  assert.is(r.stats.flowsExpired, conns.filter((c) => c.endMicros < last - 1e6).length);
  // Packet time, not the wall clock: only flows idle for over 1 s of capture time were expired.
  for (const c of timedOut) assert.ok(c.endMicros < last - 1e6);
  // tshark: 23 TCP conversations (test/pipeline/data/tshark-conv.json); splits only add connections.
  const pair = (c: ConnectionFacts) => [`${c.client.ip}:${c.client.port}`, `${c.server.ip}:${c.server.port}`].sort().join('-');
  assert.is(new Set(conns.filter((c) => c.transport === 'tcp').map(pair)).size, 23);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
