import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Direction, Dissector, DissectorContext, DissectorFactory, EndReason } from '../../src/core/dissector.js';
import type { AnomalyEvent } from '../../src/core/dissector.js';
import { Dispatcher, HoldBudget, type AttachEnv } from '../../src/dispatch/attach.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';
import { http1Factory } from '../../dissectors/http1/index.js';
import { corpusFrames } from '../flows/helpers.js';

/** Records what it is given; throws or finishes on request. */
class Probe implements Dissector {
  readonly proto = 'http' as const;
  done = false;
  calls: string[] = [];
  bytes: [number, number] = [0, 0];
  first: [Buffer | null, Buffer | null] = [null, null];
  constructor(readonly ctx: DissectorContext, private readonly mode: 'throw' | 'done-after-first' | 'plain') {}
  data(dir: Direction, chunk: Buffer): void {
    this.calls.push(`data${dir}`);
    this.bytes[dir] += chunk.length;
    this.first[dir] ??= Buffer.from(chunk);
    if (this.mode === 'throw') throw new Error('probe exploded');
    if (this.mode === 'done-after-first') this.done = true;
  }
  gap(dir: Direction, len: number): void { this.calls.push(`gap${dir}:${len}`); }
  end(dir: Direction, reason: EndReason): void { this.calls.push(`end${dir}:${reason}`); }
  facts(): unknown { return null; }
}

function probeFactory(mode: 'throw' | 'done-after-first' | 'plain', made: Probe[]): DissectorFactory {
  return { proto: 'http', create: (ctx) => { const p = new Probe(ctx, mode); made.push(p); return p; } };
}

async function run(path: string, factory: DissectorFactory) {
  const conns: ConnectionFacts[] = [];
  const anomalies: (AnomalyEvent & { client: string; server: string })[] = [];
  const r = await analyzeFiles([`../shared/corpus/${path}`], {
    onConnection: (c) => conns.push(c),
    onAnomaly: (a) => anomalies.push(a),
    registry: { http: factory },
  });
  return { conns, anomalies, stats: r.stats };
}

test('a throwing dissector becomes one anomaly, is disabled, and the connection lives on (zeek/http/get.pcap)', async () => {
  const made: Probe[] = [];
  const { conns, anomalies } = await run('zeek/http/get.pcap', probeFactory('throw', made));
  assert.is(made.length, 1);
  assert.equal(made[0]!.calls, ['data0']); // nothing after the throw, not even the end
  assert.is(anomalies.length, 1);
  assert.is(anomalies[0]!.code, 'dispatch.dissector_exception');
  assert.match(anomalies[0]!.detail, 'probe exploded');
  assert.is(anomalies[0]!.client, '141.142.228.5:59856');
  assert.is(anomalies[0]!.server, '192.150.187.43:80');
  // tshark: 7 frames each way, 136 / 5007 payload bytes (test/pipeline/data/tshark-conv.json).
  assert.equal(conns[0]!.packets, [7, 7]);
  assert.equal(conns[0]!.bytes, [136, 5007]);
  assert.is(conns[0]!.anomalies.length, 1);
  assert.is(conns[0]!.proto, 'http');
});

test('after done, no more payload; the end still arrives; bytes are still counted', async () => {
  const made: Probe[] = [];
  const { conns } = await run('zeek/http/get.pcap', probeFactory('done-after-first', made));
  const p = made[0]!;
  assert.equal(p.calls, ['data0', 'end0:fin', 'end1:fin']);
  assert.is(p.first[0]!.subarray(0, 4).toString('latin1'), 'GET ');
  assert.equal(conns[0]!.bytes, [136, 5007]);
  assert.is(conns[0]!.endReason, 'fin');
});

test('held first bytes are replayed in arrival order to the chosen dissector', async () => {
  const made: Probe[] = [];
  await run('zeek/http/get.pcap', probeFactory('plain', made));
  const p = made[0]!;
  assert.equal(p.bytes, [136, 5007]);
  assert.is(p.calls[0], 'data0');
  assert.is(p.first[1]!.subarray(0, 8).toString('latin1'), 'HTTP/1.1');
});

test('content flips client and server when ports misled: an HTTP response on the "client" side', async () => {
  const fr = (await corpusFrames('zeek/http/get.pcap')).filter((f) => f.payloadLength > 0);
  const response = fr.find((f) => f.srcPort === 80)!;
  const request = fr.find((f) => f.dstPort === 80)!;
  const made: Probe[] = [];
  const flips: Direction[] = [];
  const env: AttachEnv = { registry: { http: probeFactory('plain', made) }, hold: new HoldBudget(1 << 20), secrets: null, decryptApp: false, anomaly() {} };
  // Ports given as [client, server] = [80, 59856]: wrong on purpose, as a mid-stream pickup could be.
  let flipped = false;
  const d = new Dispatcher(env, [80, 59856], (c) => { flips.push(c); flipped = true; return true; });
  const dirOf = (srcPort: number): Direction => ((srcPort === 80 ? 0 : 1) ^ (flipped ? 1 : 0)) as Direction;
  const body = (f: typeof response) => f.data.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength);
  d.data(dirOf(response.srcPort), body(response), response.tsMicros);
  assert.equal(flips, [1]);
  d.data(dirOf(request.srcPort), body(request), request.tsMicros);
  const p = made[0]!;
  assert.is(p.first[1]!.subarray(0, 8).toString('latin1'), 'HTTP/1.1');
  assert.is(p.first[0]!.subarray(0, 4).toString('latin1'), 'GET ');
});

test('a connection picked up without its handshake starts with gap(0) in each direction', async () => {
  const { Pipeline } = await import('../../src/pipeline/analyze.js');
  const { readCapture } = await import('../../src/capture/source.js');
  const made: Probe[] = [];
  const conns: ConnectionFacts[] = [];
  const pl = new Pipeline({ onConnection: (c) => conns.push(c), registry: { http: probeFactory('plain', made) } });
  let n = 0;
  await readCapture('../shared/corpus/zeek/http/get.pcap', { packet: (r) => { if (n++ >= 3) pl.packet(r); } });
  pl.finish();
  assert.is(conns.length, 1);
  assert.not.ok(conns[0]!.synSeen);
  assert.is(conns[0]!.clientBy, 'content');
  assert.is(conns[0]!.server.port, 80);
  assert.equal(made[0]!.calls.slice(0, 2), ['gap0:0', 'data0']);
  assert.ok(made[0]!.calls.includes('gap1:0'));
  assert.equal(conns[0]!.bytes, [136, 5007]);
});

test('CONNECT: the real HTTP/1 dissector opens a tunnel; detection inside finds TLS (zeek/http/connect-with-header.pcap)', async () => {
  const conns: ConnectionFacts[] = [];
  await analyzeFiles(['../shared/corpus/zeek/http/connect-with-header.pcap'], { onConnection: (c) => conns.push(c), registry: { http: http1Factory } });
  assert.is(conns.length, 1);
  assert.is(conns[0]!.proto, 'connect');
  assert.is(conns[0]!.tunnel?.proto, 'tls');
});

test('undecided first bytes are held within a shared pool; a full pool gives detection up and counts it', async () => {
  const { Pipeline } = await import('../../src/pipeline/analyze.js');
  const { readCapture } = await import('../../src/capture/source.js');
  // zeek/tls/irc-starttls.pcap: the client's first segment is "STARTTLS\r\n" (10 bytes), IRC, not ours; TLS follows
  // the server's go-ahead. With no room to hold those 10 bytes, the STARTTLS is never read and TLS is not found.
  for (const [limit, refused, proto] of [[1 << 20, 0, 'tls'], [8, 1, 'unknown']] as const) {
    const conns: ConnectionFacts[] = [];
    const pl = new Pipeline({ onConnection: (c) => conns.push(c), limits: { detectHoldBytes: limit } });
    await readCapture('../shared/corpus/zeek/tls/irc-starttls.pcap', { packet: (r) => pl.packet(r) });
    pl.finish();
    assert.is(pl.stats.detectRefused, refused);
    assert.is(conns[0]!.proto, proto);
  }
});


test('STARTTLS: TLS that follows a cleartext STARTTLS is dissected; without the command, or after too much other data, it is not', async () => {
  const { tlsFactory } = await import('../../dissectors/tls/index.js');
  // The first ClientHello of zeek/tls/tls-conn-with-extensions.pcap, in one segment; tshark: SNI ssl.gstatic.com.
  const frames = await corpusFrames('zeek/tls/tls-conn-with-extensions.pcap');
  const hello = frames.map((f) => f.data.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength)).find((p) => p.length > 5 && p[0] === 0x16 && p[5] === 1)!;
  assert.ok(hello, 'a ClientHello in the capture');
  const env: AttachEnv = { registry: { tls: tlsFactory }, hold: new HoldBudget(1 << 20), secrets: null, decryptApp: false, anomaly: () => {} };
  // A dialogue: [client, server] line pairs, then the client's ClientHello.
  const sessionOf = (dialogue: [string, string][], filler = 0) => {
    const d = new Dispatcher(env, [55123, 6667], () => false);
    for (const [client, server] of dialogue) {
      if (client !== '') d.data(0, Buffer.from(client), 1);
      if (server !== '') d.data(1, Buffer.from(server), 2);
    }
    if (filler > 0) d.data(0, Buffer.alloc(filler, 0x41), 3);
    d.data(0, hello, 4);
    d.end(0, 'fin', 5);
    d.end(1, 'fin', 5);
    return d.facts();
  };
  const go = ':irc.example 670 :STARTTLS successful, go ahead with TLS handshake\r\n';
  const upgraded = sessionOf([['STARTTLS\r\n', go]]);
  assert.is(upgraded.proto, 'tls');
  assert.ok(upgraded.tls?.clientHello, 'ClientHello parsed after STARTTLS');
  assert.is(upgraded.tls?.sni, 'ssl.gstatic.com');
  for (const [what, f] of [
    ['no STARTTLS', sessionOf([['NICK x\r\n', go]])],
    ['STARTTLS, then 9000 other bytes', sessionOf([['STARTTLS\r\n', go]], 9000)],
    ['a binary first message', sessionOf([['\u0000\u0001STARTTLS\r\n', go]])],
  ] as const) {
    assert.is(f.proto, 'unknown', what);
    assert.is(f.tls, null, what);
  }
  // SMTP: the server speaks first and STARTTLS comes after the EHLO dialogue. IMAP and POP3 spell it their own ways.
  const smtp: [string, string][] = [['', '220 mx.example ESMTP\r\n'], ['EHLO a\r\n', '250-mx.example\r\n250 STARTTLS\r\n'], ['STARTTLS\r\n', '220 2.0.0 Ready to start TLS\r\n']];
  assert.is(sessionOf(smtp).proto, 'tls', 'SMTP');
  assert.is(sessionOf([['a001 STARTTLS\r\n', 'a001 OK Begin TLS negotiation now\r\n']]).proto, 'tls', 'IMAP');
  assert.is(sessionOf([['STLS\r\n', '+OK Begin TLS negotiation\r\n']]).proto, 'tls', 'POP3');
});

test.run();
