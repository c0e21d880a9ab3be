import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packetBytes, readFrom, type PacketRecord, type ReadSummary } from '../../src/capture/source.js';
import { rng } from '../helpers/rng.js';
import { BufferSource } from './build.js';

// Reads in flight two at a time, finishing out of order, must give exactly what one read at a time gives:
// the same packets, the same secrets, the same damage at the same offset.
const FILES = [
  'zeek/tls/tls1.2.pcap', 'ja4/http2-with-cookies.pcapng', 'arkime/bigendian.pcap', 'ja4/browsers-x509.pcapng',
  'zeek/http/get.pcap', 'suricata-verify/http-connect-tls.pcap',
].map((p) => readFileSync(`../shared/corpus/${p}`));

async function read(src: BufferSource, chunk: number): Promise<{ seen: string[]; s: ReadSummary }> {
  const seen: string[] = [];
  const s = await readFrom(src, {
    packet: (r: PacketRecord) => void seen.push(`${r.tsMicros} ${r.ifIndex} ${r.linkType} ${r.origLen} ${createHash('sha1').update(packetBytes(r)).digest('hex')}`),
    secrets: (type, data) => void seen.push(`secrets ${type} ${data.length}`),
  }, chunk);
  return { seen, s };
}

test('two reads in flight, completing out of order, at chunk sizes from 64 bytes up: same records and damage as one at a time', async () => {
  const r = rng(11);
  let compared = 0;
  for (let round = 0; round < 60; round++) {
    let bytes = FILES[round % FILES.length]!;
    // Every third round cuts the file, so damage offsets are compared too.
    if (round % 3 === 2) bytes = bytes.subarray(0, Math.floor(bytes.length * (0.3 + 0.6 * r())));
    const chunk = 64 + Math.floor(r() * (round % 2 === 0 ? 512 : 65536));
    const one = await read(new BufferSource(bytes), chunk);
    const delays = [Math.floor(r() * 3), 0, Math.floor(r() * 2)];
    const two = await read(new BufferSource(bytes, undefined, delays), chunk);
    assert.equal(two.seen, one.seen, `round ${round}, chunk ${chunk}`);
    assert.equal(two.s, one.s, `round ${round}, chunk ${chunk}`);
    compared += one.seen.length;
  }
  assert.ok(compared > 1000, `${compared} records compared`);
});

test.run();
