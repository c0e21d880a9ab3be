import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { analyzeFiles, Pipeline } from '../../src/pipeline/analyze.js';
import { readCapture } from '../../src/capture/source.js';

// ja4/http2-with-cookies.pcapng embeds its key log in a Decryption Secrets Block; the corpus also
// ships the same key log extracted to a file (corpus README, "TLS with key log").
const KEYLOG = readFileSync('../shared/corpus/ja4/http2-with-cookies.keylog', 'utf8');

test('a pcapng DSB key log reaches onKeyLog and keyLogs unchanged', async () => {
  const seen: string[] = [];
  const r = await analyzeFiles(['../shared/corpus/ja4/http2-with-cookies.pcapng'], { onConnection() {}, onKeyLog: (t) => seen.push(t) });
  assert.is(r.stats.secretsBlocks, 1);
  assert.is(seen.length, 1);
  assert.is(seen[0]!.trim(), KEYLOG.trim());
  const p = new Pipeline({ onConnection() {} });
  await readCapture('../shared/corpus/ja4/http2-with-cookies.pcapng', { packet: (x) => p.packet(x), secrets: (t, d) => p.secretsBlock(t, d) });
  assert.equal(p.keyLogs.map((t) => t.trim()), [KEYLOG.trim()]);
});

test('secrets blocks of other types are counted and not kept', () => {
  const p = new Pipeline({ onConnection() {} });
  p.secretsBlock(0x57474b4c /* 'WGKL', WireGuard */, Buffer.from(KEYLOG.slice(0, 64)));
  assert.is(p.stats.secretsDropped, 1);
  assert.equal(p.keyLogs, []);
});

test.run();
