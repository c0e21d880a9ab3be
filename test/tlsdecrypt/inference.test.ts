import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ConnectionFacts } from '../../src/facts/connection.js';
import { DIR, observe, tlsOf } from './helpers/captures.js';

/**
 * Issue 7, proof 4: TLS 1.3 client authentication inferred from encrypted record sizes (no keys)
 * against the decrypted truth (CertificateRequest / client Certificate read with the key log), on
 * every capture that has keys: the lab's captures/*.keylog, captures/decrypt and the corpus files
 * with key logs. Each TLS 1.3 connection is run twice through the real pipeline, once blind (not even
 * the capture's own pcapng secrets) and once with its key log.
 */
const CORPUS = '../shared/corpus';
const withKeys: [string, string][] = [
  ...['captures', DIR].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.pcap') && existsSync(`${d}/${f.replace(/\.pcap$/, '.keylog')}`))
    .map((f): [string, string] => [`${d}/${f}`, `${d}/${f.replace(/\.pcap$/, '.keylog')}`])),
  ...(JSON.parse(readFileSync(`${CORPUS}/expected.json`, 'utf8')) as { files: { path: string; keylog?: string }[] }).files
    .filter((f) => f.keylog !== undefined).map((f): [string, string] => [`${CORPUS}/${f.path}`, `${CORPUS}/${f.keylog}`]),
];
const key = (c: ConnectionFacts) => `${c.client.ip}:${c.client.port}>${c.server.ip}:${c.server.port}`;

test('record-size inference of TLS 1.3 client authentication agrees with the decrypted truth on every capture with keys', async () => {
  const disagreements: string[] = [];
  let captures = 0;
  let agreeingCaptures = 0;
  let connections = 0;
  let psk = 0;
  const outcomes = new Set<string>();
  for (const [file, keylog] of withKeys) {
    const truth = (await observe(file, [keylog])).conns;
    const blind = new Map((await observe(file, null)).conns.map((c) => [key(c), c]));
    let tls13 = 0;
    let ok = true;
    for (const c of truth) {
      const t = tlsOf(c);
      if (t === null || t.version !== 0x0304) continue;
      tls13++;
      const b = tlsOf(blind.get(key(c))!)!;
      if (t.resumed) {
        // A PSK handshake has no CertificateRequest or Certificate: neither side may claim anything.
        psk++;
        if (t.clientAuth !== 'unknown' || b.clientAuth !== 'unknown') {
          ok = false;
          disagreements.push(`${file} ${key(c)}: resumed, decrypted ${t.clientAuth}, blind ${b.clientAuth}`);
        }
        continue;
      }
      connections++;
      outcomes.add(t.clientAuth);
      assert.is(t.clientAuthSource, 'decrypted', `${file} ${key(c)}: the truth comes from decrypted messages`);
      assert.is(b.clientAuthSource, 'inferred', `${file} ${key(c)}: the blind run infers`);
      assert.is(b.serverChain, null, `${file} ${key(c)}: the blind run saw no certificate`);
      if (b.clientAuth !== t.clientAuth) {
        ok = false;
        disagreements.push(`${file} ${key(c)}: decrypted ${t.clientAuth}, inferred ${b.clientAuth} (${b.clientAuthReason})`);
      }
    }
    if (tls13 === 0) continue;
    captures++;
    if (ok) agreeingCaptures++;
  }
  console.log(`  inference vs decrypted truth: ${agreeingCaptures} of ${captures} captures agree; ${connections} full TLS 1.3 handshakes compared, plus ${psk} PSK resumptions where both say unknown`);
  assert.equal(disagreements, []);
  assert.ok(connections >= 20, `not a vacuous pass: ${connections} handshakes`);
  assert.equal([...outcomes].sort(), ['not-requested', 'presented', 'requested-not-presented'], 'all three outcomes are exercised');
});

test.run();
