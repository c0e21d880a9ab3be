import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HpackDecoder } from '../../dissectors/http2/hpack.js';
import { huffmanDecode, HUFFMAN_EOS, HUFFMAN_PADDING } from '../../dissectors/http2/huffman.js';

// Expected fields and table sizes are RFC 7541 Appendix C's.
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function run(d: HpackDecoder, h: string): [string, string][] {
  const out: [string, string][] = [];
  const b = hex(h);
  assert.ok(d.decode(b, 0, b.length, (n, v) => out.push([n, v])), 'decodes');
  return out;
}

function decoder(): { d: HpackDecoder; anomalies: string[] } {
  const anomalies: string[] = [];
  return { d: new HpackDecoder((c) => anomalies.push(c)), anomalies };
}

const REQ1: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']];
const REQ2: [string, string][] = [...REQ1, ['cache-control', 'no-cache']];
const REQ3: [string, string][] = [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']];
const RESP1: [string, string][] = [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']];
const RESP2: [string, string][] = [[':status', '307'], ...RESP1.slice(1)];
const RESP3: [string, string][] = [[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1']];

test('C.3 requests without Huffman', () => {
  const { d, anomalies } = decoder();
  assert.equal(run(d, '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'), REQ1);
  assert.is(d.tableSize, 57);
  assert.equal(run(d, '8286 84be 5808 6e6f 2d63 6163 6865'), REQ2);
  assert.is(d.tableSize, 110);
  assert.equal(run(d, '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'), REQ3);
  assert.is(d.tableSize, 164);
  assert.is(d.tableEntries, 3);
  assert.equal(anomalies, []);
});

test('C.4 requests with Huffman', () => {
  const { d } = decoder();
  assert.equal(run(d, '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'), REQ1);
  assert.is(d.tableSize, 57);
  assert.equal(run(d, '8286 84be 5886 a8eb 1064 9cbf'), REQ2);
  assert.is(d.tableSize, 110);
  assert.equal(run(d, '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'), REQ3);
  assert.is(d.tableSize, 164);
});

test('C.5 responses without Huffman, 256-octet table with eviction', () => {
  const { d } = decoder();
  d.setProtocolMax(256);
  assert.equal(run(d, `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32
    3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`), RESP1);
  assert.is(d.tableSize, 222);
  assert.equal(run(d, '4803 3330 37c1 c0bf'), RESP2);
  assert.is(d.tableSize, 222);
  assert.equal(run(d, `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970
    7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33
    3630 303b 2076 6572 7369 6f6e 3d31`), RESP3);
  assert.is(d.tableSize, 215);
  assert.is(d.tableEntries, 3);
});

test('C.6 responses with Huffman, 256-octet table with eviction', () => {
  const { d } = decoder();
  d.setProtocolMax(256);
  assert.equal(run(d, `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad
    1718 63c7 8f0b 97c8 e9ae 82ae 43d3`), RESP1);
  assert.is(d.tableSize, 222);
  assert.equal(run(d, '4883 640e ffc1 c0bf'), RESP2);
  assert.is(d.tableSize, 222);
  assert.equal(run(d, `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2
    e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07`), RESP3);
  assert.is(d.tableSize, 215);
});

test('C.1 integers: 10 in a 5-bit prefix, 1337 in a 5-bit prefix (via a size update)', () => {
  const { d } = decoder();
  d.setProtocolMax(4096);
  // 0x3f 0x9a 0x0a = size update 1337 (RFC 7541 C.1.2 with the 001 pattern): then one indexed field.
  const b = hex('3f9a0a 82');
  const out: string[] = [];
  assert.ok(d.decode(b, 0, b.length, (n, v) => out.push(`${n}=${v}`)));
  assert.equal(out, [':method=GET']);
});

test('integer overflow is an anomaly, not a huge number', () => {
  const { d, anomalies } = decoder();
  const b = hex('ff ff ff ff ff ff ff 0f');
  assert.not.ok(d.decode(b, 0, b.length, () => assert.unreachable('no field')));
  assert.equal(anomalies, ['http2.hpack_integer_overflow']);
});

test('index outside the table, index 0, truncated string, misplaced size update', () => {
  for (const [h, code] of [['ff49', 'http2.hpack_bad_index'], ['80', 'http2.hpack_index_zero'], ['400a6375', 'http2.hpack_truncated'], ['82 20', 'http2.hpack_size_update_misplaced']] as const) {
    const { d, anomalies } = decoder();
    const b = hex(h);
    assert.not.ok(d.decode(b, 0, b.length, () => {}), h);
    assert.equal(anomalies, [code], h);
    assert.ok(d.unknown, 'state becomes unknown after a broken block');
  }
});

test('unknown dynamic state: references past what we saw are skipped and counted', () => {
  const { d, anomalies } = decoder();
  d.setUnknown();
  const out: string[] = [];
  // 0xbe = dynamic index 62 (unknown), 0x82 = :method GET, 0x7f 0x00 ... literal with name index 62+.
  const b = hex('be 82 c0');
  assert.ok(d.decode(b, 0, b.length, (n, v) => out.push(`${n}=${v}`)));
  assert.equal(out, [':method=GET']);
  assert.is(d.unknownRefs, 2);
  assert.equal(anomalies, []);
});

test('Huffman: EOS inside the data and bad padding are rejected', () => {
  // "www.example.com" Huffman-coded (C.4.1) decodes.
  const good = hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff');
  assert.is(huffmanDecode(good, 0, good.length), 'www.example.com');
  // 30 one-bits = EOS, followed by padding.
  const eos = hex('ffff ffff');
  assert.is(huffmanDecode(eos, 0, eos.length), HUFFMAN_EOS);
  // 'a' is 00011 (5 bits); padding with zeros is not a prefix of EOS.
  const zeroPad = hex('18');
  assert.is(huffmanDecode(zeroPad, 0, zeroPad.length), HUFFMAN_PADDING);
  // More than 7 bits of padding.
  const longPad = hex('1fff');
  assert.is(huffmanDecode(longPad, 0, longPad.length), HUFFMAN_PADDING);
  const ok = hex('1f');
  assert.is(huffmanDecode(ok, 0, ok.length), 'a');
});

test.run();
