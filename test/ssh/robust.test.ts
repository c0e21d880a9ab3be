import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sshFactory } from '../../dissectors/ssh/index.js';
import type { SshFacts } from '../../src/core/facts.js';
import { followTcp, type FollowedStream } from './helpers/follow.js';
import { resplit, rng, runChunks, type Chunks } from './helpers/run.js';
import { testContext } from './helpers/ctx.js';
import { weakLevel } from '../../dissectors/ssh/weak.js';
import { parseKexInit } from '../../dissectors/ssh/kexinit.js';
import { hasshString, md5Hex } from '../../dissectors/ssh/hassh.js';

const CORPUS = '../shared/corpus';
const streams: FollowedStream[] = ['zeek/ssh/ssh.pcap', 'zeek/ssh/server-pre-banner-data.pcap', 'suricata-verify/ssh-hassh-reassembled.pcap',
  'ja4/ssh-r.pcap', 'arkime/v6-sshv1.pcap', 'zeek/ssh/ssh_kex_mlkem.pcap'].flatMap((p) => followTcp(`${CORPUS}/${p}`));

function snapshot(chunks: Chunks): string {
  const r = runChunks<SshFacts>(sshFactory, chunks);
  return JSON.stringify({ f: r.facts, a: r.anomalies });
}

test('chunk-split invariance: the same streams cut at random points give identical facts and anomalies', () => {
  assert.ok(streams.length >= 25);
  for (let seed = 1; seed <= 3; seed++) {
    const rand = rng(seed);
    for (const s of streams) assert.is(snapshot(resplit(s.chunks, rand)), snapshot(s.chunks), `stream ${s.index} seed ${seed}`);
  }
});

function feed(bytes: Buffer[], dir: 0 | 1 = 0): { facts: SshFacts; codes: string[]; done: boolean } {
  const { ctx, anomalies } = testContext();
  const d = sshFactory.create(ctx);
  for (const b of bytes) d.data(dir, b, 0);
  return { facts: d.facts() as SshFacts, codes: anomalies.map((a) => a.code), done: d.done };
}

function packet(payload: Buffer, pad = 4): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(payload.length + pad + 1, 0);
  h[4] = pad;
  return Buffer.concat([h, payload, Buffer.alloc(pad)]);
}

test('hostile packet_length (> 35000, < 5) and padding_length stop the direction with an anomaly', () => {
  const banner = Buffer.from('SSH-2.0-x\r\n');
  const big = Buffer.from([0xff, 0xff, 0xff, 0xf0, 4, 20]);
  assert.equal(feed([banner, big]).codes, ['ssh.bad_packet']);
  assert.equal(feed([banner, Buffer.from([0, 0, 0, 4, 0, 20])]).codes, ['ssh.bad_packet']);
  assert.equal(feed([banner, Buffer.from([0, 0, 0, 12, 11, 20])]).codes, ['ssh.bad_packet']);
});

test('hostile name-list length inside KEXINIT yields ssh.bad_kexinit, no KEXINIT', () => {
  const p = Buffer.alloc(17 + 4);
  p[0] = 20;
  p.writeUInt32BE(0x7fffffff, 17);
  const r = feed([Buffer.from('SSH-2.0-x\r\n'), packet(p)]);
  assert.equal(r.codes, ['ssh.bad_kexinit']);
  assert.is(r.facts.clientKexInit, null);
});

test('a KEXINIT repeated with another cookie reads as the first; one with a changed list is parsed again (the cache keys on the bytes)', () => {
  const rand = rng(4);
  let checked = 0;
  for (const s of streams) {
    const client = Buffer.concat(s.chunks.filter((c) => c.dir === 0).map((c) => c.data));
    const at = client.indexOf(0x0a) + 1;
    if (at === 0 || client.length < at + 6 || client[at + 5] !== 20) continue;
    const payload = client.subarray(at + 5, at + 4 + client.readUInt32BE(at) - client[at + 4]!);
    const banner = client.subarray(0, at);
    if (parseKexInit(payload).kexinit === null) continue;
    for (let i = 0; i < 20; i++) {
      const m = Buffer.from(payload);
      if (i % 2 === 0) for (let k = 1; k < 17; k++) m[k] = Math.floor(rand() * 256);
      else m[17 + Math.floor(rand() * (m.length - 17))] = 0x61 + Math.floor(rand() * 26);
      const want = parseKexInit(m).kexinit;
      const got = feed([banner, packet(m)]).facts;
      assert.equal(got.clientKexInit, want, `stream ${s.index} variant ${i}`);
      assert.is(got.hassh, want === null ? null : md5Hex(hasshString(want)));
    }
    checked++;
  }
  assert.ok(checked >= 5, `${checked} client KEXINITs`);
});

test('banner: bare LF accepted, long lines cut at 255, too many pre-banner lines give up', () => {
  assert.is(feed([Buffer.from('SSH-2.0-bare\n')]).facts.clientBanner, 'SSH-2.0-bare');
  const long = feed([Buffer.from(`SSH-2.0-${'a'.repeat(1000)}\r\n`)]);
  assert.is(long.facts.clientBanner?.length, 255);
  assert.equal(long.codes, ['ssh.banner_too_long']);
  const pre = feed([Buffer.from('hello\r\n'.repeat(200))], 1);
  assert.equal(pre.codes, ['ssh.no_banner']);
  assert.is(pre.facts.serverBanner, null);
});

test('mid-stream start (gap 0): a banner that follows is read; binary packets end the direction quietly', () => {
  const { ctx, anomalies } = testContext();
  const d = sshFactory.create(ctx);
  d.gap(0, 0, 0);
  d.data(0, Buffer.from('SSH-2.0-late\r\n'), 0);
  d.gap(1, 0, 0);
  d.data(1, Buffer.from([0, 0, 1, 0x2c, 0x0a, 0x5e, 0x33, 0x12, 0x9a, 0xff, 0x00, 0x10, 0x0a]), 0);
  const f = d.facts() as SshFacts;
  assert.is(f.clientBanner, 'SSH-2.0-late');
  assert.is(f.serverBanner, null);
  assert.equal(anomalies, []);
  d.gap(0, 100, 0);
  assert.equal(anomalies.map((a) => a.code), ['ssh.gap']);
  assert.is(d.done, true);
});

test('weak table: ratings as ssh2_kexdb.py states them, GSS wildcards included', () => {
  // FAIL: SHA-1 / 1024-bit group, NIST curve; WARN: 2048-bit group, CBC, 64-bit tag; none for curve25519, ed25519, aes-gcm, etm SHA-2.
  assert.is(weakLevel('kex', 'diffie-hellman-group1-sha1'), 'fail');
  assert.is(weakLevel('kex', 'diffie-hellman-group14-sha256'), 'warn');
  assert.is(weakLevel('kex', 'gss-group1-sha1-toWM5Slw5Ew8Mqkay+al2g=='), 'fail');
  assert.is(weakLevel('kex', 'gss-curve25519-sha256-toWM5Slw5Ew8Mqkay+al2g=='), null);
  assert.is(weakLevel('kex', 'curve25519-sha256'), null);
  assert.is(weakLevel('hostkey', 'ecdsa-sha2-nistp256'), 'fail');
  assert.is(weakLevel('hostkey', 'ssh-ed25519'), null);
  assert.is(weakLevel('cipher', 'aes128-cbc'), 'warn');
  assert.is(weakLevel('cipher', 'aes256-gcm@openssh.com'), null);
  assert.is(weakLevel('mac', 'umac-64-etm@openssh.com'), 'warn');
  assert.is(weakLevel('mac', 'hmac-sha2-256-etm@openssh.com'), null);
  assert.is(weakLevel('mac', 'hmac-sha1'), 'fail');
  assert.is(weakLevel('cipher', 'toString'), null);
});

test('fuzz (3 s): mutated corpus streams, hostile lengths, random gaps/ends never throw', () => {
  const rand = rng(0xc0ffee);
  const until = Date.now() + 3000;
  let runs = 0;
  while (Date.now() < until) {
    const s = streams[Math.floor(rand() * streams.length)] as FollowedStream;
    const chunks = resplit(s.chunks.slice(0, 8), rand).map((c) => ({ dir: c.dir, data: Buffer.from(c.data) }));
    for (const c of chunks) {
      if (rand() < 0.2 && c.data.length > 0) c.data[Math.floor(rand() * c.data.length)] = Math.floor(rand() * 256);
      if (rand() < 0.05 && c.data.length >= 4) c.data.writeUInt32BE(Math.floor(rand() * 2 ** 32), Math.floor(rand() * (c.data.length - 3)));
    }
    const { ctx } = testContext();
    const d = sshFactory.create(ctx);
    for (const c of chunks) {
      const r = rand();
      if (r < 0.01) d.gap(c.dir, Math.floor(rand() * 5000), 0);
      else if (r < 0.015) d.end(c.dir, 'rst', 0);
      else d.data(c.dir, c.data, 0);
    }
    JSON.stringify(d.facts());
    runs++;
  }
  assert.ok(runs > 100, `${runs} runs`);
});

test.run();
