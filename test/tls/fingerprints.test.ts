import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CORPUS, corpusFiles } from './helpers/corpus.js';
import { feed } from './helpers/feed.js';
import { followTcp } from './helpers/follow.js';

/**
 * JA3 and JA4 from the ClientHellos of the corpus captures, fed straight from `tshark -z follow` (no pipeline):
 * JA3 against tshark's `ja3` field, JA4 against the FoxIO, Zeek and Suricata baselines.
 */
test('JA3 / JA4 of every corpus ClientHello match tshark and the peers', async () => {
  let ja3 = 0;
  let ja4 = 0;
  const notTlsFirst: string[] = [];
  const work = corpusFiles()
    .map((f) => ({ f, streams: (f.tshark?.tls ?? []).filter((s) => typeof s.tcp_stream === 'number' && typeof s.ja3 === 'string') }))
    .filter((w) => w.streams.length > 0);
  // tshark takes ~0.5 s to start: run several at once.
  const followed = [];
  for (let i = 0; i < work.length; i += 8) {
    followed.push(...(await Promise.all(work.slice(i, i + 8).map((w) =>
      followTcp(`${CORPUS}/${w.f.path}`, w.streams.map((s) => s.tcp_stream as number))))));
  }
  for (const [i, { f, streams }] of work.entries()) {
    const bytes = followed[i]!;
    for (const s of streams) {
      const chunks = bytes.get(s.tcp_stream as number) ?? [];
      const first = chunks.find((c) => c.dir === 0)?.data[0];
      if (first !== 0x16 && first !== 0x80) {
        // TLS inside a CONNECT tunnel or after STARTTLS: the stream does not start with a record.
        notTlsFirst.push(f.path);
        continue;
      }
      const facts = feed(chunks).facts;
      assert.is(facts.ja3, s.ja3, `${f.path} stream ${s.tcp_stream} ja3`);
      ja3++;
      for (const p of f.tls ?? []) {
        if (typeof p.ja4 !== 'string' || p.client_port !== s.client_port) continue;
        assert.is(facts.ja4, p.ja4, `${f.path} ${p.source} ja4`);
        ja4++;
      }
    }
  }
  console.log(`  compared ${ja3} JA3 and ${ja4} JA4 values; not starting with a record: ${notTlsFirst.join(', ')}`);
  assert.ok(notTlsFirst.length <= 4, notTlsFirst.join(', '));
  assert.ok(ja3 >= 50 && ja4 >= 20, `${ja3} JA3, ${ja4} JA4`);
});

test.run();
