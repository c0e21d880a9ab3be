import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../../src/core/frame.js';
import { DetProto, Role, Verdict, detect, newDetection } from '../../src/dispatch/detect.js';
import { corpusFrames } from '../flows/helpers.js';

/** Payload of the n-th TCP segment with payload (0-based) in a corpus capture. */
async function payload(path: string, n: number): Promise<Frame & { bytes: Buffer }> {
  const fr = (await corpusFrames(path)).filter((f) => f.l4 === 6 && f.payloadLength > 0);
  const f = fr[n]!;
  return { ...f, bytes: f.data.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength) };
}

async function check(path: string, n: number, proto: DetProto, role: Role, mid = false): Promise<void> {
  const p = await payload(path, n);
  const d = newDetection();
  assert.is(detect(p.bytes, p.srcPort, p.dstPort, d), Verdict.Match, `${path}#${n}`);
  assert.equal([d.proto, d.role, d.midStream], [proto, role, mid], `${path}#${n}`);
}

// Expected protocols and roles from the corpus README / tshark's decode of each segment.
test('TLS ClientHello (client) and ServerHello (server): zeek/tls/tls1.2.pcap', async () => {
  await check('zeek/tls/tls1.2.pcap', 0, DetProto.Tls, Role.Client);
  await check('zeek/tls/tls1.2.pcap', 1, DetProto.Tls, Role.Server);
});

test('TLS picked up mid-stream: ChangeCipherSpec, application data and alert records', async () => {
  await check('zeek/tls/tls1.2.pcap', 5, DetProto.Tls, Role.Unknown, true); // 14 03 03
  await check('zeek/tls/tls1.2.pcap', 6, DetProto.Tls, Role.Unknown, true); // 17 03 03
  await check('zeek/tls/tls1.2.pcap', 10, DetProto.Tls, Role.Unknown, true); // 15 03 03
});

test('a TLS ClientHello to port 80 is TLS (content beats the port): zeek/tls/ssl-to-http-server.pcap', async () => {
  await check('zeek/tls/ssl-to-http-server.pcap', 0, DetProto.Tls, Role.Client);
  await check('zeek/tls/ssl-to-http-server.pcap', 1, DetProto.Http, Role.Server);
});

test('SSH banners in either direction, SSH-1.5 over IPv6 and SSH on 443', async () => {
  await check('arkime/v6-sshv1.pcap', 0, DetProto.Ssh, Role.Unknown);
  await check('arkime/v6-sshv1.pcap', 1, DetProto.Ssh, Role.Unknown);
  await check('zeek/ssh/server-pre-banner-data.pcap', 0, DetProto.Ssh, Role.Unknown);
});

test('HTTP/1 on port 22 is HTTP: request (client) and response (server)', async () => {
  await check('zeek/http/http-single-conn-22.pcap', 0, DetProto.Http, Role.Client);
  await check('zeek/http/http-single-conn-22.pcap', 1, DetProto.Http, Role.Server);
});

test('CONNECT is an HTTP request: zeek/http/connect-with-header.pcap', async () => {
  const p = await payload('zeek/http/connect-with-header.pcap', 0);
  assert.is(p.bytes.subarray(0, 8).toString('latin1'), 'CONNECT ');
  await check('zeek/http/connect-with-header.pcap', 0, DetProto.Http, Role.Client);
});

test('HTTP/2: client preface, and a server SETTINGS frame before it (h2c prior knowledge)', async () => {
  await check('suricata-verify/http2-h2c-prior-knowledge.pcap', 1, DetProto.Http2, Role.Client);
  await check('suricata-verify/http2-h2c-prior-knowledge.pcap', 0, DetProto.Http2, Role.Unknown, true);
});

test('IRC is not ours: no match (zeek/tls/irc-starttls.pcap)', async () => {
  for (const n of [0, 1]) {
    const p = await payload('zeek/tls/irc-starttls.pcap', n);
    assert.is(detect(p.bytes, p.srcPort, p.dstPort, newDetection()), Verdict.No);
  }
});

test('short prefixes ask for more bytes; a wrong byte says no', async () => {
  const p = await payload('zeek/http/get.pcap', 0);
  const d = newDetection();
  assert.is(detect(p.bytes.subarray(0, 2), 51000, 80, d), Verdict.More);
  assert.is(detect(Buffer.from('SS', 'latin1'), 51000, 22, d), Verdict.More);
  assert.is(detect(Buffer.from([0x16, 0x03]), 51000, 443, d), Verdict.More);
  assert.is(detect(Buffer.from([0x16, 0x05, 0x01]), 51000, 443, d), Verdict.No);
  assert.is(detect(Buffer.from('PRI * HTTP/2', 'latin1'), 51000, 80, d), Verdict.More);
});

test('SSLv2-compatible ClientHello (draft-hickman SSL 2.0, section "CLIENT-HELLO"; RFC 5246 appendix E.2)', () => {
  // msg length 0x2e, CLIENT-HELLO (1), version 3.1, cipher-specs length 21, session-id length 0, challenge length 16.
  const hello = Buffer.from('802e0103010015000000100000390000380000350000160000130000' + '0a' + '0700c0' + '00'.repeat(16), 'hex');
  const d = newDetection();
  assert.is(detect(hello, 51000, 443, d), Verdict.Match);
  assert.equal([d.proto, d.role], [DetProto.Tls, Role.Client]);
});

test('bare HTTP/2 frames need a port that is not TLS or SSH', async () => {
  const p = await payload('suricata-verify/http2-h2c-prior-knowledge.pcap', 0);
  assert.is(detect(p.bytes, 443, 56508, newDetection()), Verdict.No);
  assert.is(detect(p.bytes, 3000, 56508, newDetection()), Verdict.Match);
});

test.run();
