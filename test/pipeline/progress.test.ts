import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCapture } from '../../src/capture/source.js';
import { Pipeline } from '../../src/pipeline/analyze.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';

/** onProgress: a connection's outcome is reported while it is still open (watches last hours). */
async function run(file: string, maxPackets = Infinity) {
  const events: { kind: 'progress' | 'end'; at: number; c: ConnectionFacts }[] = [];
  let n = 0;
  const p = new Pipeline({
    onProgress: (c) => events.push({ kind: 'progress', at: n, c }),
    onConnection: (c) => events.push({ kind: 'end', at: n, c }),
  });
  await readCapture(file, { packet: (r) => { if (++n <= maxPackets) p.packet(r); } });
  p.finish();
  return { events, packets: Math.min(n, maxPackets) };
}

test('zeek tls1.2.pcap: the TLS outcome is reported once, open, before the last packet; the end follows', async () => {
  // tshark: 22 frames, one TCP connection 10.0.0.80:56637 -> 68.233.76.12:443, handshake done by frame 13.
  const { events, packets } = await run('../shared/corpus/zeek/tls/tls1.2.pcap');
  const progress = events.filter((e) => e.kind === 'progress');
  assert.is(progress.length, 1);
  assert.ok(progress[0]!.at < packets, `progress at packet ${progress[0]!.at} of ${packets}`);
  assert.is(progress[0]!.c.endReason, 'open');
  assert.is(progress[0]!.c.tls?.version, 0x0303);
  assert.ok(progress[0]!.c.tls?.serverChain?.length === 3);
  const end = events.filter((e) => e.kind === 'end');
  assert.is(end.length, 1);
  assert.is(end[0]!.c.id, progress[0]!.c.id);
  assert.is.not(end[0]!.c.endReason, 'open');
});

test('a connection cut before its handshake completes is never reported as progress', async () => {
  // The first 4 frames are the TCP handshake and the ClientHello.
  const { events } = await run('../shared/corpus/zeek/tls/tls1.2.pcap', 4);
  assert.equal(events.map((e) => e.kind), ['end']);
});

test.run();
