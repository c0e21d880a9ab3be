import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packetBytes, readFrom } from '../../src/capture/source.js';
import type { PacketRecord, ReadSummary } from '../../src/capture/source.js';
import { BufferSource, block, dsb, epb, idb, opb, option, shb, spb, u32 } from './build.js';

interface Seen {
  kind: 'packet' | 'secrets';
  ts?: number;
  ifIndex?: number;
  linkType?: number;
  caplen?: number;
  origLen?: number;
  data: string;
  type?: number;
}

async function collect(bytes: Buffer, pieces?: number[], chunk = 1 << 20): Promise<{ seen: Seen[]; s: ReadSummary }> {
  const seen: Seen[] = [];
  const s = await readFrom(new BufferSource(bytes, pieces), {
    packet(r: PacketRecord) {
      seen.push({ kind: 'packet', ts: r.tsMicros, ifIndex: r.ifIndex, linkType: r.linkType, caplen: r.caplen, origLen: r.origLen, data: packetBytes(r).toString('hex') });
    },
    secrets(type, data) {
      seen.push({ kind: 'secrets', type, data: data.toString('latin1') });
    },
  }, chunk);
  return { seen, s };
}

const p1 = Buffer.from('45000014000000004006', 'hex');
const p2 = Buffer.from('600000000000', 'hex');
const p3 = Buffer.from('aabbccddeeff00112233', 'hex');
const keylog = Buffer.from('CLIENT_RANDOM 00 11\n');

// Two sections, little- then big-endian; section 1 has two interfaces with different time settings.
function twoSections(): Buffer {
  const le = true;
  const be = false;
  const tsoffset = Buffer.alloc(8);
  tsoffset.writeBigInt64LE(100n);
  return Buffer.concat([
    shb(le),
    // if 0: Ethernet, snaplen 4, if_tsresol 10^-3 (milliseconds), if_tsoffset +100 s
    idb(le, 1, 4, [option(9, Buffer.from([3]), le), option(14, tsoffset, le)]),
    // if 1: raw IP, unlimited snaplen, if_tsresol 2^-10 s
    idb(le, 101, 0, [option(9, Buffer.from([0x8a]), le)]),
    epb(le, 0, 1500n, p1),
    block(0x00000bad, Buffer.from('unknown block body'), le),
    dsb(le, 0x544c534b, keylog),
    epb(le, 1, 2048n, p2, 60),
    spb(le, p3),
    shb(be),
    // if 0 of section 2: IPv4 link type, default resolution (microseconds)
    idb(be, 228, 65535),
    opb(be, 0, 5_000_000n, p1),
    epb(be, 0, 0x1_0000_0000n, p2),
  ]);
}

const expected: Seen[] = [
  // 1500 ms + 100 s
  { kind: 'packet', ts: 101_500_000, ifIndex: 0, linkType: 1, caplen: p1.length, origLen: p1.length, data: p1.toString('hex') },
  { kind: 'secrets', type: 0x544c534b, data: keylog.toString('latin1') },
  // 2048 / 1024 s
  { kind: 'packet', ts: 2_000_000, ifIndex: 1, linkType: 101, caplen: p2.length, origLen: 60, data: p2.toString('hex') },
  // Simple Packet Block: interface 0, cut to its snaplen 4, no timestamp
  { kind: 'packet', ts: 0, ifIndex: 0, linkType: 1, caplen: 4, origLen: p3.length, data: p3.subarray(0, 4).toString('hex') },
  { kind: 'packet', ts: 5_000_000, ifIndex: 0, linkType: 228, caplen: p1.length, origLen: p1.length, data: p1.toString('hex') },
  // 2^32 µs
  { kind: 'packet', ts: 4294967296, ifIndex: 0, linkType: 228, caplen: p2.length, origLen: p2.length, data: p2.toString('hex') },
];

test('two sections in both byte orders, per-interface link type, if_tsresol 10^-n and 2^-n, if_tsoffset, EPB/SPB/OPB, DSB in place, unknown block skipped', async () => {
  const { seen, s } = await collect(twoSections());
  assert.equal(seen, expected);
  assert.equal(s, { format: 'pcapng', packets: 5, bytes: p1.length * 2 + p2.length * 2 + 4, damage: null });
});

test('the same blocks read one byte at a time, and in odd short reads with a tiny window, give the same records', async () => {
  const bytes = twoSections();
  for (const [pieces, chunk] of [[[1], 16], [[3, 7, 1, 64], 24], [[5], 12]] as Array<[number[], number]>) {
    const { seen, s } = await collect(bytes, pieces, chunk);
    assert.equal(seen, expected, `pieces ${pieces.join(',')} chunk ${chunk}`);
    assert.is(s.damage, null);
  }
});

test('hostile block lengths: 0, 8, unaligned, over the cap, trailer mismatch; packets before the block are delivered', async () => {
  const good = Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, p1)]);
  const bad = (type: number, len: number) => Buffer.concat([u32(type, true), u32(len, true), Buffer.alloc(16)]);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['length 0', bad(6, 0), /impossible length 0/],
    ['length 8', bad(6, 8), /impossible length 8/],
    ['unaligned 14', bad(6, 14), /impossible length 14/],
    ['over the cap', bad(6, 0x7ffffffc), /impossible length 2147483644/],
    ['caplen 0xffffffff', epb(true, 0, 1n, p1).fill(0xff, 20, 24), /exceeds its block/],
    ['undeclared interface', epb(true, 7, 1n, p1), /undeclared interface 7/],
  ];
  const mismatch = epb(true, 0, 2n, p1);
  mismatch.writeUInt32LE(999, mismatch.length - 4);
  cases.push(['trailer mismatch', mismatch, /does not match trailing length 999/]);
  for (const [name, tail, msg] of cases) {
    const { seen, s } = await collect(Buffer.concat([good, tail, epb(true, 0, 3n, p2)]));
    assert.is(seen.length, 1, name);
    assert.is(s.packets, 1, name);
    assert.ok(s.damage !== null, name);
    assert.is(s.damage!.offset, good.length, name);
    assert.match(s.damage!.message, msg, name);
  }
});

test('a block larger than the window grows it once, within the cap', async () => {
  const big = Buffer.alloc(300_000, 7);
  const { seen, s } = await collect(Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, big), epb(true, 0, 2n, p1)]), [4096], 1024);
  assert.is(s.damage, null);
  assert.is(seen.length, 2);
  assert.is(seen[0]!.caplen, big.length);
});

test('packets before the first section header, and an unknown byte-order magic, are damage', async () => {
  let r = await collect(Buffer.concat([shb(true).fill(0x11, 8, 12)]));
  assert.match(r.s.damage!.message, /byte-order magic/);
  assert.is(r.s.damage!.offset, 0);
  const sec2 = shb(true);
  r = await collect(Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, p1), sec2, epb(true, 0, 1n, p1)]));
  // The second section has no interface yet: its packet is damage, the first section's packet was delivered.
  assert.is(r.s.packets, 1);
  assert.match(r.s.damage!.message, /undeclared interface 0/);
});

test.run();
