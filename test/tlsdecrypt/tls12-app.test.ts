import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { analyze } from '../e2e/helpers.js';
import { DIR, EXPECTED, observe } from './helpers/captures.js';

/**
 * Issue 7, proof 2: application data under `--decrypt-app`. Every capture of captures/decrypt carries
 * `GET /api/v1/nodes` with `Authorization: Bearer <token>` inside TLS; the TLS 1.2 ones decrypt from
 * CLIENT_RANDOM with AES-GCM, ChaCha20-Poly1305, AES-CBC + HMAC-SHA256 encrypt-then-MAC and AES-CBC +
 * HMAC-SHA1 MAC-then-encrypt. The request must be dissected (method, path, host, bearer kind, length and
 * hash prefix computed here from the token), the token must appear in no output, and without
 * `--decrypt-app` no application data may be decrypted (TLS 1.2) or dissected (either version).
 */
type Rec = Record<string, any>;
const TOKEN = EXPECTED.bearer_token;
const tokenFacts = { kind: 'bearer', len: Buffer.byteLength(TOKEN), sha256_prefix: createHash('sha256').update(TOKEN).digest('hex').slice(0, 12) };
const tls12 = EXPECTED.captures.filter((c) => c.connections[0]!.version === 'TLS 1.2');

test('the TLS 1.2 captures cover AES-GCM, ChaCha20-Poly1305 and both CBC-HMAC constructions', () => {
  const ciphers = new Set(tls12.flatMap((c) => c.connections.map((x) => x.cipher)));
  for (const c of ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA']) {
    assert.ok(ciphers.has(c), c);
  }
});

for (const cap of EXPECTED.captures) {
  const pcap = `${DIR}/${cap.file}`;
  const keylog = `${DIR}/${cap.keylog}`;
  const version = cap.connections[0]!.version;

  test(`${cap.file} (${version}) --decrypt-app: the HTTP/1.1 request inside is dissected, its bearer token shown only as kind/length/hash`, async () => {
    const run = await analyze([pcap, '--json', '--keylog', keylog, '--decrypt-app']);
    assert.is(run.exitCode, 0, run.stderr);
    const conns = run.records.filter((r) => r.type === 'connection').sort((a: Rec, b: Rec) => (a.start < b.start ? -1 : 1)) as Rec[];
    assert.is(conns.length, cap.connections.length);
    conns.forEach((c, i) => {
      const want = cap.connections[i]!.http;
      assert.equal(c.http, [{ method: want.method, host: want.host, path: want.path, status: want.status, version: 'HTTP/1.1', auth: tokenFacts }], `${cap.file} connection ${i + 1}`);
      // The TLS connection's own payload, not a CONNECT tunnel (SPEC `tunnel`).
      assert.is(c.tunnel, false, `${cap.file} connection ${i + 1}`);
      assert.is(c.proto, 'tls');
    });
    // A credential that crossed inside TLS is not a cleartext credential.
    assert.not.ok(run.records.some((r) => r.type === 'finding' && r.rule === 'cleartext-credentials'));
    assert.not.ok(run.stdout.includes(TOKEN) || run.stderr.includes(TOKEN), 'token in the JSON output');
    // The token's random half alone must not leak either (e.g. cut or re-encoded).
    assert.not.ok(run.stdout.includes(TOKEN.slice(-16)), 'part of the token in the JSON output');

    // The terminal report (no --json) reads the same decrypted facts.
    const report = await analyze([pcap, '--keylog', keylog, '--decrypt-app', '--no-color']);
    assert.is(report.exitCode, 0, report.stderr);
    assert.not.ok(report.stdout.includes(TOKEN) || report.stderr.includes(TOKEN), 'token in the report');
    assert.not.ok(report.stdout.includes(TOKEN.slice(-16)), 'part of the token in the report');

    const { decrypted } = await observe(pcap, [keylog], true);
    const app = decrypted.get(23) ?? [0, 0];
    assert.ok(app[0] > 0 && app[1] > 0, `application data decrypted both ways: ${app}`);
  });

  test(`${cap.file} (${version}) without --decrypt-app: no application data dissected${version === 'TLS 1.2' ? ' or decrypted' : ''}, the token nowhere`, async () => {
    const run = await analyze([pcap, '--json', '--keylog', keylog]);
    assert.is(run.exitCode, 0, run.stderr);
    for (const c of run.records.filter((r) => r.type === 'connection') as Rec[]) {
      assert.is(c.http, null, cap.file);
      assert.is(c.tunnel, false, cap.file);
      assert.is(c.proto, 'tls', cap.file);
    }
    assert.not.ok(run.stdout.includes(TOKEN) || run.stderr.includes(TOKEN));
    const { decrypted, conns } = await observe(pcap, [keylog], false);
    for (const c of conns) assert.is(c.tunnel, null, 'no inner stream was opened');
    const app = decrypted.get(23) ?? [0, 0];
    if (version === 'TLS 1.2') {
      // The record type is in the clear: the session stops after both Finished, nothing else is touched.
      assert.equal(app, [0, 0], 'TLS 1.2 application data decrypted without --decrypt-app');
      assert.equal(decrypted.get(22), cap.connections.map(() => [1, 1]).reduce((s, x) => [s[0]! + x[0]!, s[1]! + x[1]!], [0, 0]), 'exactly the two Finished per connection');
    } else {
      // TLS 1.3 hides the inner type: a post-handshake record must be opened to tell a NewSessionTicket
      // or KeyUpdate from data (tshark's handshake list includes those tickets, corpus-tshark.test.ts).
      // Inspection ends at the server's first data record after the client's flight (client: at most 8
      // records after it), and the plaintext goes nowhere: no tunnel, http null (above).
      assert.ok(app[1] <= conns.length, `server application records opened: ${app[1]}`);
      assert.ok(app[0] <= 8 * conns.length, `client application records opened: ${app[0]}`);
    }
  });
}

test.run();
