import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tlsFactory } from '../../dissectors/tls/index.js';
import type { AnomalyEvent } from '../../src/core/dissector.js';
import { feed, testContext } from './helpers/feed.js';
import { makePki, runOpenssl, type Pki } from './helpers/programs.js';
import type { Chunk } from './helpers/record-proxy.js';

/** Deterministic PRNG so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Concatenates each direction's bytes and re-splits them at random points, keeping the interleaving by direction. */
function resplit(chunks: Chunk[], rand: () => number): Chunk[] {
  const out: Chunk[] = [];
  for (const c of chunks) {
    let off = 0;
    while (off < c.data.length) {
      const n = 1 + Math.floor(rand() * Math.min(c.data.length - off, rand() < 0.3 ? 7 : 3000));
      out.push({ dir: c.dir, data: c.data.subarray(off, off + n) });
      off += n;
    }
  }
  return out;
}

let pki: Pki;
const recorded: Chunk[][] = [];

test.before(async () => {
  pki = makePki();
  recorded.push((await runOpenssl(pki, ['-verify', '1'], ['-tls1_2', '-cert', pki.client.cert, '-key', pki.client.key])).chunks);
  recorded.push((await runOpenssl(pki, ['-Verify', '1'], [])).chunks);
  recorded.push((await runOpenssl(pki, [], [])).chunks);
});
test.after(() => rmSync(pki.dir, { recursive: true, force: true }));

test('chunk-split invariance: random splits give identical facts', () => {
  const rand = rng(7);
  for (const chunks of recorded) {
    const whole = JSON.stringify(feed(chunks).facts);
    for (let i = 0; i < 30; i++) assert.equal(JSON.stringify(feed(resplit(chunks, rand)).facts), whole);
  }
});

test('interleaved connections split at random give each its own facts (record and message buffers are reused between them)', () => {
  const rand = rng(9);
  const whole = recorded.map((chunks) => JSON.stringify(feed(chunks).facts));
  for (let round = 0; round < 10; round++) {
    const conns = [0, 1, 2, 0, 1, 2, 1].map((k) => ({ k, chunks: resplit(recorded[k]!, rand), at: 0, d: tlsFactory.create(testContext([])) }));
    let open = conns.length;
    while (open > 0) {
      const c = conns[Math.floor(rand() * conns.length)]!;
      if (c.at === c.chunks.length) continue;
      const chunk = c.chunks[c.at++]!;
      if (!c.d.done) c.d.data(chunk.dir, chunk.data, c.at);
      if (c.at === c.chunks.length) {
        open--;
        if (!c.d.done) {
          c.d.end(0, 'fin', c.at);
          c.d.end(1, 'fin', c.at);
        }
      }
    }
    for (const c of conns) assert.equal(JSON.stringify(c.d.facts()), whole[c.k], `round ${round} connection ${c.k}`);
  }
});

test('gap inside a record drops that record only; gap across framing gives one anomaly', () => {
  const anomalies: AnomalyEvent[] = [];
  const d = tlsFactory.create(testContext(anomalies));
  const first = recorded[0]![0]!;
  d.data(0, first.data.subarray(0, 10), 0);
  d.gap(0, 5, 1);
  assert.equal(anomalies.map((a) => a.code), ['tls.gap_in_record']);
  d.gap(0, 100000, 2);
  assert.equal(anomalies.map((a) => a.code), ['tls.gap_in_record', 'tls.gap_desync']);
});

/** Start offsets of the TLS records in one direction's bytes. */
function recordStarts(b: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at + 5 <= b.length; at += 5 + b.readUInt16BE(at + 3)) out.push(at);
  return out;
}

test('picked up after the handshake: midStream, at a record boundary and inside a record', () => {
  const server = Buffer.concat(recorded[2]!.filter((c) => c.dir === 1).map((c) => c.data));
  const starts = recordStarts(server);
  const lastTwo = starts[starts.length - 2]!;
  assert.is(server[lastTwo], 23, 'an application_data record');
  for (const from of [lastTwo, lastTwo + 3]) {
    const { facts, anomalies, done } = feed([{ dir: 1, data: server.subarray(from) }]);
    assert.equal([facts.midStream, done, anomalies], [true, true, []], `from ${from}`);
  }
});

test('a malformed certificate is an anomaly; the rest of the handshake is still read', () => {
  const der = new X509Certificate(readFileSync(pki.server.cert)).raw;
  const chunks = recorded[0]!.map((c) => ({ dir: c.dir, data: Buffer.from(c.data) }));
  const hit = chunks.find((c) => c.dir === 1 && c.data.indexOf(der) >= 0)!;
  const at = hit.data.indexOf(der);
  hit.data[at + 4] = 0x31; // the TBSCertificate SEQUENCE tag becomes a SET
  const { facts, anomalies } = feed(chunks);
  assert.equal(anomalies.map((a) => [a.code, a.dir]), [['tls.cert_parse_error', 1]]);
  assert.equal(facts.serverChain, []);
  assert.equal(facts.clientAuth, 'presented');
  assert.equal(facts.established, true);
});

test('fuzz (3 s): mutated hellos and certificates never throw', () => {
  const rand = rng(11);
  const deadline = Date.now() + 3000;
  let runs = 0;
  while (Date.now() < deadline) {
    const base = recorded[Math.floor(rand() * recorded.length)]!;
    const chunks = base.map((c) => ({ dir: c.dir, data: Buffer.from(c.data) }));
    const victim = chunks[Math.floor(rand() * Math.min(chunks.length, 4))]!;
    const flips = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < flips; i++) {
      const at = Math.floor(rand() * victim.data.length);
      const r = rand();
      // Length fields are the interesting targets: bytes 3-4 (record), 6-8 (handshake) and random offsets.
      const pos = r < 0.2 ? 3 + Math.floor(rand() * 6) : at;
      if (pos < victim.data.length) victim.data[pos] = rand() < 0.5 ? Math.floor(rand() * 256) : victim.data[pos]! ^ 0xff;
    }
    if (rand() < 0.2) victim.data = victim.data.subarray(0, Math.floor(rand() * victim.data.length));
    const anomalies: AnomalyEvent[] = [];
    const d = tlsFactory.create(testContext(anomalies));
    for (const c of resplit(chunks, rand)) if (!d.done) d.data(c.dir, c.data, 0);
    d.end(0, 'fin', 0);
    d.end(1, 'fin', 0);
    JSON.stringify(d.facts());
    const internal = anomalies.find((a) => a.code === 'tls.internal_error');
    assert.is(internal, undefined, `unexpected exception: ${internal?.detail}`);
    runs++;
  }
  console.log(`  fuzz: ${runs} mutated connections`);
  assert.ok(runs > 50, `${runs} runs`);
});

test.run();
