import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TCP_ACK, TCP_SYN } from '../../src/core/frame.js';
import { flowHash, matchSide } from '../../src/flows/flow-key.js';
import { FlowClass, type Flow } from '../../src/flows/flow.js';
import { FlowTable, DEFAULT_FLOW_LIMITS, type CloseReason } from '../../src/flows/flow-table.js';
import { serverByPort } from '../../src/flows/server-ports.js';
import { corpusFrames } from './helpers.js';

function table(limits = {}) {
  const closed: [number, CloseReason][] = [];
  const t = new FlowTable<null>({ ...DEFAULT_FLOW_LIMITS, ...limits }, (fl: Flow<null>, why) => closed.push([fl.id, why]));
  return { t, closed };
}

test('IPv4: both directions of a connection hash alike and match opposite sides (zeek/http/get.pcap)', async () => {
  const fr = await corpusFrames('zeek/http/get.pcap');
  const syn = fr[0]!;
  const synAck = fr[1]!;
  assert.is(syn.tcpFlags & (TCP_SYN | TCP_ACK), TCP_SYN);
  assert.is(synAck.tcpFlags & (TCP_SYN | TCP_ACK), TCP_SYN | TCP_ACK);
  assert.is(flowHash(syn), flowHash(synAck));
  const { t } = table();
  const fl = t.lookup(syn, FlowClass.TcpHalfOpen);
  assert.is(t.side, 0);
  assert.is(t.lookup(synAck, FlowClass.TcpHalfOpen), fl);
  assert.is(t.side, 1);
  for (const f of fr) assert.is(t.lookup(f, FlowClass.TcpEstablished), fl);
  assert.is(t.size, 1);
  assert.is(matchSide(fl, syn), 0);
});

test('IPv6: symmetric hash and exact compare (arkime/v6-http.pcap)', async () => {
  const fr = (await corpusFrames('arkime/v6-http.pcap')).filter((f) => f.l4 === 6);
  assert.is(fr.length, 10); // tshark: 6 + 4 frames in its one TCP conversation
  assert.is(fr[0]!.ipVersion, 6);
  const { t } = table();
  const fl = t.lookup(fr[0]!, FlowClass.TcpHalfOpen);
  for (const f of fr) {
    assert.is(flowHash(f), fl.hash);
    assert.is(t.lookup(f, FlowClass.TcpEstablished), fl);
  }
  // Same ports, one address word changed: another flow, whatever the hash says.
  const other = { ...fr[0]!, src6: Uint32Array.from(fr[0]!.src6) };
  other.src6[3] = (other.src6[3]! ^ 1) >>> 0;
  assert.is(matchSide(fl, other), -1);
});

test('hash collisions are resolved by the exact compare (ssh.pcap connections forced into one bucket)', async () => {
  const fr = await corpusFrames('zeek/ssh/ssh.pcap');
  const { t } = table();
  const seen = new Map<string, Flow<null>>();
  for (const f of fr) {
    const key = [f.src4, f.srcPort, f.dst4, f.dstPort].join();
    const rev = [f.dst4, f.dstPort, f.src4, f.srcPort].join();
    const found = t.find(f, 42);
    const known = seen.get(key) ?? seen.get(rev);
    if (known === undefined) {
      assert.is(found, null);
      seen.set(key, t.create(f, 42, FlowClass.TcpEstablished));
    } else {
      assert.is(found, known);
    }
  }
  assert.ok(seen.size > 10);
  assert.is(t.size, seen.size);
});

test('idle expiry runs on packet time, per class', async () => {
  const fr = await corpusFrames('zeek/ssh/ssh.pcap');
  const { t, closed } = table({ udpIdleMicros: 60e6, tcpEstablishedIdleMicros: 3600e6 });
  const f = fr[0]!;
  const tcp = t.lookup(f, FlowClass.TcpEstablished);
  const udpFrame = { ...fr[0]!, l4: 17, srcPort: 53000, dstPort: 53 };
  const udp = t.lookup(udpFrame, FlowClass.Udp);
  const t0 = f.tsMicros;
  t.touch(tcp, t0, FlowClass.TcpEstablished);
  t.touch(udp, t0, FlowClass.Udp);
  t.expire(t0 + 59e6);
  assert.equal(closed, []);
  t.expire(t0 + 61e6);
  assert.equal(closed, [[udp.id, 'timeout']]);
  t.expire(t0 + 3599e6);
  assert.is(closed.length, 1);
  t.expire(t0 + 3601e6);
  assert.equal(closed[1], [tcp.id, 'timeout']);
  assert.is(t.size, 0);
  assert.is(t.expired, 2);
});

test('expiry is exact although flows are relisted lazily: a flow seen again within the relist period outlives a later one', async () => {
  const fr = await corpusFrames('zeek/ssh/ssh.pcap');
  const { t, closed } = table({ udpIdleMicros: 10e6 });
  const t0 = fr[0]!.tsMicros;
  const a = t.lookup({ ...fr[0]!, l4: 17, srcPort: 53001, dstPort: 53 }, FlowClass.Udp);
  t.touch(a, t0, FlowClass.Udp);
  const b = t.lookup({ ...fr[0]!, l4: 17, srcPort: 53002, dstPort: 53, tsMicros: t0 + 0.5e6 }, FlowClass.Udp);
  t.touch(b, t0 + 0.5e6, FlowClass.Udp);
  // `a` is seen again before it is due for relisting: it stays ahead of `b` in its list.
  t.touch(a, t0 + 0.9e6, FlowClass.Udp);
  t.expire(t0 + 10.7e6);
  assert.equal(closed, [[b.id, 'timeout']]);
  t.expire(t0 + 10.85e6);
  assert.is(closed.length, 1);
  t.expire(t0 + 10.95e6);
  assert.equal(closed[1], [a.id, 'timeout']);
  assert.is(t.size, 0);
});

test('the bucket array grows: 20000 flows are all found again, from both sides, and leave cleanly', async () => {
  const fr = await corpusFrames('zeek/http/get.pcap');
  const { t, closed } = table();
  const frames = Array.from({ length: 20000 }, (_, i) => ({ ...fr[0]!, srcPort: 1024 + i, src4: (fr[0]!.src4 + (i >> 12)) >>> 0 }));
  const flows = frames.map((f) => t.lookup(f, FlowClass.TcpEstablished));
  assert.is(t.size, 20000);
  assert.is(new Set(flows).size, 20000);
  frames.forEach((f, i) => {
    const back = { ...f, src4: f.dst4, dst4: f.src4, srcPort: f.dstPort, dstPort: f.srcPort };
    assert.is(t.lookup(back, FlowClass.TcpEstablished), flows[i]);
    assert.is(t.side, 1);
  });
  assert.is(t.size, 20000);
  t.closeAll('eof');
  assert.is(closed.length, 20000);
  assert.is(t.size, 0);
  assert.is(t.find(frames[7]!, flowHash(frames[7]!)), null);
});

test('the flow cap evicts closed flows before established ones and counts it', async () => {
  const fr = await corpusFrames('zeek/ssh/ssh.pcap');
  const { t, closed } = table({ maxFlows: 3 });
  const firsts: typeof fr = [];
  const keys = new Set<number>();
  for (const f of fr) if (!keys.has(flowHash(f))) { keys.add(flowHash(f)); firsts.push(f); }
  const a = t.lookup(firsts[0]!, FlowClass.TcpEstablished);
  const b = t.lookup(firsts[1]!, FlowClass.TcpEstablished);
  t.lookup(firsts[2]!, FlowClass.TcpEstablished);
  t.touch(b, firsts[2]!.tsMicros, FlowClass.TcpClosed);
  t.lookup(firsts[3]!, FlowClass.TcpEstablished);
  assert.equal(closed, [[b.id, 'evicted']]);
  t.lookup(firsts[4]!, FlowClass.TcpEstablished);
  assert.equal(closed[1], [a.id, 'evicted']);
  assert.is(t.evicted, 2);
  assert.is(t.size, 3);
});

test('client side: SYN sender, else port hints; content flips unless a SYN decided', async () => {
  const fr = await corpusFrames('zeek/http/get.pcap');
  const { t } = table();
  // Without a SYN, the side on port 80 is the server even when it sent the first packet seen.
  const reply = fr[1]!;
  const fl = t.lookup(reply, FlowClass.TcpEstablished);
  assert.is(reply.srcPort, 80);
  assert.is(fl.clientSide, 1);
  assert.is(fl.clientBy, 'port');
  assert.ok(fl.setClientByContent(0));
  assert.is(fl.clientBy, 'content');
  fl.setClientBySyn(1);
  assert.not.ok(fl.setClientByContent(0));
  assert.is(fl.clientSide, 1);
  assert.is(serverByPort(6443, 51000), 0);
  assert.is(serverByPort(51000, 10250), 1);
  assert.is(serverByPort(40000, 1023), 1);
  assert.is(serverByPort(5000, 40000), 0);
});

test.run();
