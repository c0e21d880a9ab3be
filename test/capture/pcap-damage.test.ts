import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCapture, readFrom } from '../../src/capture/source.js';
import { BufferSource, pcapHeader, pcapRecord } from './build.js';

const CORPUS = '../shared/corpus/';
const tmp = mkdtempSync(join(tmpdir(), 'cw-capture-'));

async function count(bytes: Buffer) {
  let n = 0;
  const s = await readFrom(new BufferSource(bytes), { packet: () => void n++ }, 1 << 16);
  return { n, s };
}

test('header-only capture: no packets, no damage', async () => {
  const s = await readCapture(CORPUS + 'zeek/malformed/empty.pcap', { packet: () => assert.unreachable() });
  assert.equal(s, { format: 'pcap', packets: 0, bytes: 0, damage: null });
});

test('big-endian header (arkime/bigendian.pcap): times equal tshark frame.time_epoch', async () => {
  // tshark -r arkime/bigendian.pcap -T fields -e frame.time_epoch -e frame.cap_len
  //   1335958313.152630000  98
  //   1335958317.529201000  98
  const ts: number[] = [];
  const caps: number[] = [];
  await readCapture(CORPUS + 'arkime/bigendian.pcap', { packet: (r) => { ts.push(r.tsMicros); caps.push(r.caplen); } });
  assert.equal(ts, [1335958313152630, 1335958317529201]);
  assert.equal(caps, [98, 98]);
});

test('nanosecond magic (zeek/http/get-to-ssh-server.pcap): times equal tshark frame.time_epoch', async () => {
  const want = execFileSync('tshark', ['-r', CORPUS + 'zeek/http/get-to-ssh-server.pcap', '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim().split('\n').map((l) => { const [s, f] = l.split('.') as [string, string]; return Number(s) * 1e6 + Number(f) / 1000; });
  const got: number[] = [];
  await readCapture(CORPUS + 'zeek/http/get-to-ssh-server.pcap', { packet: (r) => void got.push(r.tsMicros) });
  assert.is(got.length, want.length);
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 0.5, `${got[i]} vs ${want[i]}`);
});

test('a cut capture delivers every whole record before the cut and reports where it broke', async () => {
  const src = CORPUS + 'zeek/tls/tls1.2.pcap';
  const whole = readFileSync(src);
  for (const k of [0, 1, 5, 13, 21]) {
    // Where record k ends comes from editcap writing the first k packets, not from our reader.
    const part = join(tmp, `first-${k}.pcap`);
    if (k === 0) writeFileSync(part, whole.subarray(0, 24));
    else execFileSync('editcap', ['-F', 'pcap', '-r', src, part, `1-${k}`]);
    const boundary = statSync(part).size;
    for (const extra of [1, 8, 15, 16, 17, 40]) {
      const cut = join(tmp, 'cut.pcap');
      writeFileSync(cut, whole.subarray(0, boundary + extra));
      let n = 0;
      const s = await readCapture(cut, { packet: () => void n++ });
      assert.is(n, k, `k=${k} extra=${extra}`);
      assert.is(s.packets, k);
      assert.ok(s.damage !== null, `k=${k} extra=${extra}`);
      assert.is(s.damage!.offset, boundary);
      assert.match(s.damage!.message, /truncated/);
    }
  }
  // A cut inside the file header.
  writeFileSync(join(tmp, 'cut.pcap'), whole.subarray(0, 10));
  const s = await readCapture(join(tmp, 'cut.pcap'), { packet: () => assert.unreachable() });
  assert.equal(s.damage, { offset: 0, message: 'capture truncated: record needs 24 bytes, only 10 left' });
});

test('garbage magic and an empty file are damage at offset 0, not exceptions', async () => {
  writeFileSync(join(tmp, 'garbage'), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  let s = await readCapture(join(tmp, 'garbage'), { packet: () => assert.unreachable() });
  assert.is(s.packets, 0);
  assert.equal(s.damage, { offset: 0, message: 'not a pcap or pcapng capture (starts with 0x47455420)' });
  writeFileSync(join(tmp, 'empty'), Buffer.alloc(0));
  s = await readCapture(join(tmp, 'empty'), { packet: () => assert.unreachable() });
  assert.match(s.damage!.message, /0 bytes/);
});

test('hostile record lengths: caplen 0xffffffff, caplen > 256 KiB, caplen > origlen', async () => {
  for (const le of [true, false]) {
    const hdr = pcapHeader(le, false, 65535, 1);
    const ok = pcapRecord(le, 1, 2, Buffer.alloc(60));
    const cases: Array<[Buffer, RegExp]> = [
      [pcapRecord(le, 1, 2, Buffer.alloc(8), 0xffffffff, 0xffffffff), /record length 4294967295 exceeds the maximum 262144/],
      [pcapRecord(le, 1, 2, Buffer.alloc(8), 262145, 262145), /record length 262145 exceeds the maximum/],
      [pcapRecord(le, 1, 2, Buffer.alloc(60), 60, 59), /record length 60 exceeds its original length 59/],
    ];
    for (const [bad, msg] of cases) {
      const { n, s } = await count(Buffer.concat([hdr, ok, bad, ok]));
      assert.is(n, 1);
      assert.equal(s.damage?.offset, 24 + ok.length);
      assert.match(s.damage!.message, msg);
    }
  }
});

test('nanosecond records keep sub-microsecond digits (hand-built: 1 s + 123456789 ns)', async () => {
  const recs: number[] = [];
  for (const le of [true, false]) {
    await readFrom(new BufferSource(Buffer.concat([pcapHeader(le, true, 0, 1), pcapRecord(le, 1, 123456789, Buffer.alloc(14))])),
      { packet: (r) => void recs.push(r.tsMicros) }, 4096);
  }
  assert.equal(recs, [1123456.789, 1123456.789]);
});

test('snaplen 0 means unlimited up to 256 KiB', async () => {
  const rec = pcapRecord(true, 1, 2, Buffer.alloc(262144));
  const { n, s } = await count(Buffer.concat([pcapHeader(true, false, 0, 1), rec, rec]));
  assert.is(n, 2);
  assert.is(s.damage, null);
});

test('stdin: `-` reads a capture piped into the process', () => {
  const out = execFileSync('bash', ['-c', `cat ${CORPUS}ja4/ssh-r.pcap | node --import tsx scripts/bench-reader.ts -`], { encoding: 'utf8' });
  const r = JSON.parse(out) as { packets: number; damage: unknown; format: string };
  assert.is(r.packets, 1852);
  assert.is(r.damage, null);
  assert.is(r.format, 'pcap');
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
