import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCapture } from '../../src/capture/source.js';

const CORPUS = '../shared/corpus/';

interface Expected {
  path: string;
  format: 'pcap' | 'pcapng';
  packets: number;
  size_bytes: number;
}

const files = (JSON.parse(readFileSync(CORPUS + 'expected.json', 'utf8')) as { files: Expected[] }).files;

test('the corpus lists 96 captures', () => {
  assert.is(files.length, 96);
});

// Table-driven: one assertion set per capture; expected counts are capinfos -c from expected.json.
for (const f of files) {
  test(`packet count of ${f.path} equals capinfos (${f.packets})`, async () => {
    let seen = 0;
    let bytes = 0;
    let last = -1;
    const s = await readCapture(CORPUS + f.path, {
      packet(rec) {
        seen++;
        bytes += rec.caplen;
        assert.ok(rec.offset >= 0 && rec.offset + rec.caplen <= rec.data.length);
        assert.ok(rec.caplen <= rec.origLen || f.format === 'pcapng');
        last = rec.tsMicros;
      },
    });
    assert.is(s.packets, f.packets);
    assert.is(seen, f.packets);
    assert.is(s.bytes, bytes);
    assert.is(s.format, f.format);
    assert.is(s.damage, null);
    if (f.packets > 0) assert.ok(last > 0);
  });
}

test('the Decryption Secrets Block of ja4/http2-with-cookies.pcapng is the extracted TLS key log, handed out before the packets it unlocks', async () => {
  const want = readFileSync(CORPUS + 'ja4/http2-with-cookies.keylog');
  const got: Array<{ type: number; data: Buffer; packetsBefore: number }> = [];
  let packets = 0;
  await readCapture(CORPUS + 'ja4/http2-with-cookies.pcapng', {
    packet() {
      packets++;
    },
    secrets(type, data) {
      got.push({ type, data, packetsBefore: packets });
    },
  });
  assert.is(got.length, 1);
  assert.is(got[0]!.type, 0x544c534b);
  // editcap --inject-secrets pads the block, so compare the text without trailing NULs.
  assert.is(got[0]!.data.toString('latin1').replace(/\0+$/, ''), want.toString('latin1'));
  assert.is(got[0]!.packetsBefore, 0);
});

test('a missing file rejects with an error naming the file', async () => {
  try {
    await readCapture(CORPUS + 'no-such-file.pcap', { packet() {} });
    assert.unreachable('should reject');
  } catch (err) {
    assert.instance(err, Error);
    assert.match((err as Error).message, 'no-such-file.pcap');
    assert.is((err as NodeJS.ErrnoException).code, 'ENOENT');
  }
});

test.run();
