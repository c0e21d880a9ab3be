import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { hkdfExpandLabel, hkdfExtract } from '../../dissectors/tls/crypto/hkdf.js';
import { trafficKeys } from '../../dissectors/tls/crypto/tls13-keys.js';
import { prf10, prf12 } from '../../dissectors/tls/crypto/prf12.js';

// Every expected value below is from RFC 8448 section 3 ("Simple 1-RTT Handshake"), TLS_AES_128_GCM_SHA256.
const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const hex = (b: Buffer): string => b.toString('hex');

const ECDHE = h('8b d4 05 4f b5 5b 9d 63 fd fb ac f9 f0 4b 9f 0d 35 e6 d6 3f 53 75 63 ef d4 62 72 90 0f 89 49 2d');
const HELLO_HASH = h('86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8');
const FIN_HASH = h('96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13');
const EARLY = '33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a';
const HS_SECRET = '1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac';
const C_HS = 'b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21';
const S_HS = 'b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38';
const MASTER = '18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919';
const C_AP = '9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5';
const S_AP = 'a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643';

const empty = Buffer.alloc(0);
const emptyHash = createHash('sha256').digest();

test('RFC 8448 key schedule: extract / HKDF-Expand-Label / Derive-Secret', () => {
  const early = hkdfExtract('sha256', Buffer.alloc(32), Buffer.alloc(32));
  assert.is(hex(early), EARLY);
  const derived = hkdfExpandLabel('sha256', early, 'derived', emptyHash, 32);
  assert.is(hex(derived), '6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba');
  const hs = hkdfExtract('sha256', derived, ECDHE);
  assert.is(hex(hs), HS_SECRET);
  assert.is(hex(hkdfExpandLabel('sha256', hs, 'c hs traffic', HELLO_HASH, 32)), C_HS);
  assert.is(hex(hkdfExpandLabel('sha256', hs, 's hs traffic', HELLO_HASH, 32)), S_HS);
  const dm = hkdfExpandLabel('sha256', hs, 'derived', emptyHash, 32);
  assert.is(hex(dm), '43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4');
  const master = hkdfExtract('sha256', dm, Buffer.alloc(32));
  assert.is(hex(master), MASTER);
  assert.is(hex(hkdfExpandLabel('sha256', master, 'c ap traffic', FIN_HASH, 32)), C_AP);
  assert.is(hex(hkdfExpandLabel('sha256', master, 's ap traffic', FIN_HASH, 32)), S_AP);
  assert.is(hex(hkdfExpandLabel('sha256', master, 'exp master', FIN_HASH, 32)), 'fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50');
  assert.is(hex(hkdfExpandLabel('sha256', h(S_HS), 'finished', empty, 32)), '008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8');
});

test('RFC 8448 traffic keys and IVs', () => {
  const sHs = trafficKeys('sha256', h(S_HS), 16);
  assert.is(hex(sHs.key), '3fce516009c21727d0f2e4e86ee403bc');
  assert.is(hex(sHs.iv), '5d313eb2671276ee13000b30');
  const cHs = trafficKeys('sha256', h(C_HS), 16);
  assert.is(hex(cHs.key), 'dbfaa693d1762c5b666af5d950258d01');
  assert.is(hex(cHs.iv), '5bd3c71b836e0b76bb73265f');
  const sAp = trafficKeys('sha256', h(S_AP), 16);
  assert.is(hex(sAp.key), '9f02283b6c9c07efc26bb9f2ac92e356');
  assert.is(hex(sAp.iv), 'cf782b88dd83549aadf1e984');
});

test('TLS 1.2 PRF (P_SHA256, P_SHA384) and TLS 1.0 PRF (MD5 xor SHA-1) agree with OpenSSL\'s TLS1-PRF KDF', async () => {
  const { execFileSync } = await import('node:child_process');
  const secret = h('9bbe436ba940f017b17652849a71db35');
  const seed = h('a0ba9f936cda311827a6f796ffd5198c');
  for (const [digest, hash] of [['SHA256', 'sha256'], ['SHA384', 'sha384']] as const) {
    const out = execFileSync('openssl', ['kdf', '-keylen', '100', '-kdfopt', `digest:${digest}`, '-kdfopt', `hexsecret:${hex(secret)}`,
      '-kdfopt', `hexseed:${hex(Buffer.concat([Buffer.from('test label'), seed]))}`, 'TLS1-PRF'], { encoding: 'latin1' });
    assert.is(hex(prf12(hash, secret, 'test label', seed, 100)), out.trim().replace(/:/g, '').toLowerCase(), digest);
  }
  // TLS 1.0/1.1 PRF: OpenSSL's TLS1-PRF with the MD5-SHA1 digest; an odd-length secret exercises the shared middle byte.
  const odd = Buffer.concat([secret, Buffer.of(0x5a)]);
  const out10 = execFileSync('openssl', ['kdf', '-keylen', '104', '-kdfopt', 'digest:MD5-SHA1', '-kdfopt', `hexsecret:${hex(odd)}`,
    '-kdfopt', `hexseed:${hex(Buffer.concat([Buffer.from('key expansion'), seed]))}`, 'TLS1-PRF'], { encoding: 'latin1' });
  assert.is(hex(prf10(odd, 'key expansion', seed, 104)), out10.trim().replace(/:/g, '').toLowerCase());
});

test.run();
