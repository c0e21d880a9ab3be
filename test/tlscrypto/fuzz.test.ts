import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { tls12Decryptor, tls13Decryptor, type RecordDecryptor } from '../../dissectors/tls/crypto/decryptor.js';
import { KeyLogStore } from '../../src/secrets/keylog.js';
import { CORPUS } from '../http2/helpers/expected.js';
import { followTcp } from '../http2/helpers/tshark-follow.js';
import { hellos, records, type Rec } from './helpers/tls-walk.js';

function store(path: string): KeyLogStore {
  const k = new KeyLogStore();
  k.addText(readFileSync(`${CORPUS}/${path}`, 'latin1'));
  return k;
}

const tls13Recs = records(followTcp(`${CORPUS}/ja4/http2-with-cookies.pcapng`, 0)).slice(0, 60);
const tls13Keys = store('ja4/http2-with-cookies.keylog');
const tls12Recs = records(followTcp(`${CORPUS}/zeek/tls/tls12-decryption.pcap`, 0));
const tls12Keys = store('zeek/tls/tls12-decryption.keylog');

function fresh13(): RecordDecryptor {
  const h = hellos(tls13Recs);
  return tls13Decryptor(tls13Keys, h.clientRandom, h.suite)!;
}

test('a record that fails in between does not shift the sequence numbers of the next ones', () => {
  const dec = fresh13();
  const enc = tls13Recs.filter((r) => r.dir === 1 && r.type === 23);
  const junk = Buffer.from(enc[0]!.body);
  junk[junk.length - 1]! ^= 1;
  assert.is(dec.decrypt(1, enc[0]!.header, junk), null);
  assert.ok(dec.decrypt(1, enc[0]!.header, enc[0]!.body), 'the genuine record still decrypts at sequence 0');
  assert.is(dec.decrypt(1, enc[0]!.header, enc[0]!.body), null, 'replayed at sequence 1 it fails');
});

test('the fuzz pools hold records that decrypt unmutated', () => {
  const h12 = hellos(tls12Recs);
  for (const d of [0, 1] as const) {
    const r = tls12Recs[tls12Recs.findIndex((x) => x.dir === d && x.type === 20) + 1]!;
    const dec = tls12Decryptor(tls12Keys, h12.clientRandom, h12.serverRandom, h12.suite, h12.version, false)!;
    assert.is(dec.decrypt(d, r.header, r.body)!.contentType, 22);
  }
  const r13 = tls13Recs.find((r) => r.dir === 1 && r.type === 23)!;
  assert.is(fresh13().decrypt(1, r13.header, r13.body)!.contentType, 22);
});

test('fuzz: 2 seconds of mutated records, headers and lengths never throw and never authenticate', () => {
  let s = 0x9e3779b9;
  const rnd = (n: number): number => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) % n; };
  const h12 = hellos(tls12Recs);
  const pools: [() => RecordDecryptor, Rec[]][] = [
    [fresh13, tls13Recs.filter((r) => r.type === 23)],
    // The first record after each ChangeCipherSpec: the one a fresh decryptor (sequence 0) would open.
    [() => tls12Decryptor(tls12Keys, h12.clientRandom, h12.serverRandom, h12.suite, h12.version, false)!,
      ([0, 1] as const).map((d) => tls12Recs[tls12Recs.findIndex((r) => r.dir === d && r.type === 20) + 1]!).filter((r) => r.type === 22)],
  ];
  const end = Date.now() + 2000;
  let tries = 0;
  while (Date.now() < end) {
    const [make, recs] = pools[rnd(pools.length)]!;
    const dec = make();
    const r = recs[rnd(recs.length)]!;
    const body = Buffer.from(r.body.subarray(0, rnd(4) === 0 ? rnd(r.body.length + 1) : r.body.length));
    const header = Buffer.from(r.header);
    for (let m = 1 + rnd(3); m > 0; m--) {
      if (rnd(2) === 0 && body.length > 0) body[rnd(body.length)]! ^= 1 << rnd(8);
      // Type and version are authenticated in every version; the length only in TLS 1.3's header AAD.
      else header[rnd(3)]! ^= 1 << rnd(8);
    }
    const hdr = rnd(10) === 0 ? header.subarray(0, rnd(5)) : header;
    if (hdr.equals(r.header) && body.equals(r.body)) continue;
    assert.is(dec.decrypt(r.dir, hdr, body), null);
    dec.keyUpdate(r.dir);
    dec.toApplicationKeys(r.dir);
    tries++;
  }
  assert.ok(tries > 1000, `${tries} tries`);
});

test.run();
