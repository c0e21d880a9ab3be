import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClientHelloFacts } from '../../src/core/facts.js';
import { clientFingerprints } from '../../dissectors/tls/fingerprint-cache.js';
import { ja3String, md5 } from '../../dissectors/tls/ja3.js';
import { ja4 } from '../../dissectors/tls/ja4.js';
import { rng } from '../helpers/rng.js';

// A Chrome-like hello; variants change one list the fingerprints read, in ways a cache keyed
// loosely (by set instead of order, or ignoring one list) would confuse.
const base = (): ClientHelloFacts => ({
  legacyVersion: 0x0303, recordVersion: 0x0301, sessionIdLength: 32,
  ciphers: [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f],
  compression: [0], extensions: [0x2a2a, 0x0000, 0x0017, 0xff01, 0x000a, 0x000b, 0x0023, 0x0010, 0x000d, 0x002b, 0x0033],
  sni: 'kubernetes.default', alpn: ['h2', 'http/1.1'], supportedVersions: [0x0a0a, 0x0304, 0x0303],
  signatureAlgorithms: [0x0403, 0x0804, 0x0401], groups: [0x0a0a, 0x001d, 0x0017], ecPointFormats: [0],
  keyShareGroups: [0x001d], psk: false, earlyData: false, sessionTicket: true, sslv2: false, random: '00'.repeat(32),
});

const direct = (ch: ClientHelloFacts, alpn: Buffer[]) => {
  const s = ja3String(ch);
  return { ja3String: s, ja3: md5(s), ja4: ja4(ch, alpn) };
};
const pick = (x: ReturnType<typeof clientFingerprints>) => ({ ja3String: x.ja3String, ja3: x.ja3, ja4: x.ja4 });

test('cached fingerprints equal the computed ones for repeated hellos and for every near miss', () => {
  const variants: [string, (c: ClientHelloFacts) => void, Buffer[]][] = [
    ['base', () => {}, [Buffer.from('h2')]],
    ['cipher order', (c) => c.ciphers.reverse(), [Buffer.from('h2')]],
    ['sigalg order', (c) => c.signatureAlgorithms.reverse(), [Buffer.from('h2')]],
    ['extension order', (c) => { c.extensions = [0x0000, 0x0017, 0x2a2a, 0xff01, 0x000a, 0x000b, 0x0023, 0x0010, 0x000d, 0x002b, 0x0033]; }, [Buffer.from('h2')]],
    ['no SNI', (c) => { c.extensions = c.extensions.filter((e) => e !== 0); }, [Buffer.from('h2')]],
    ['other ALPN', () => {}, [Buffer.from('http/1.1')]],
    ['no ALPN', () => {}, []],
    ['TLS 1.2 only', (c) => { c.supportedVersions = []; }, [Buffer.from('h2')]],
    ['groups', (c) => { c.groups = [0x0017, 0x001d]; }, [Buffer.from('h2')]],
    ['point formats', (c) => { c.ecPointFormats = [0, 1]; }, [Buffer.from('h2')]],
    ['legacy version', (c) => { c.legacyVersion = 0x0301; }, [Buffer.from('h2')]],
  ];
  const r = rng(7);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const [name, change, alpn] = variants[Math.floor(r() * variants.length)]!;
    const ch = base();
    change(ch);
    const fp = clientFingerprints(ch, alpn);
    const got = pick(fp);
    assert.equal(got, direct(ch, alpn), name);
    // The shape handed back for sharing lists has exactly this hello's lists.
    for (const k of ['ciphers', 'extensions', 'groups', 'ecPointFormats', 'signatureAlgorithms', 'supportedVersions'] as const) {
      assert.equal(fp.key[k], ch[k], `${name} ${k}`);
    }
    seen.add(got.ja3 + got.ja4);
  }
  assert.ok(seen.size >= 9, `${seen.size} distinct fingerprints`);
});

test.run();
