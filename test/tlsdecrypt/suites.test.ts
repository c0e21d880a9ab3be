import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../e2e/helpers.js';
import { DIR, EXPECTED, fingerprint, observe, subjectOf, tlsOf, tsharkTls, type ExpectedConn } from './helpers/captures.js';

/**
 * Issue 7, proof 1: real handshakes recorded by scripts/make-decrypt-captures.sh (OpenSSL s_server /
 * s_client / curl and Node's tls module, key logs written by the programs themselves), through the
 * whole product path (`analyze --keylog`). The reference is captures/decrypt/EXPECTED.json (written
 * from the scenario design and the programs' own output) with openssl's fingerprints of the
 * certificate files the peers were given; tshark's decryption of the same capture is checked
 * against that reference too, so a wrong EXPECTED.json fails as loudly as a wrong decryption.
 */
type Rec = Record<string, any>;
const tmp = mkdtempSync(join(tmpdir(), 'cw-suites-'));
const fp = (files: string[] | null): string[] | null => files?.map((f) => fingerprint(`${DIR}/${f}`)) ?? null;
const connections = (records: Rec[]): Rec[] =>
  records.filter((r) => r.type === 'connection' && r.tls).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));

const suites = new Set<string>();
for (const cap of EXPECTED.captures) {
  const pcap = `${DIR}/${cap.file}`;
  const keylog = `${DIR}/${cap.keylog}`;
  const what = cap.connections.map((c) => `${c.version} ${c.cipher}${c.resumed ? ' resumed' : ''}${c.hello_retry ? ' after HRR' : ''} client auth ${c.client_auth}`).join('; ');

  test(`${cap.file} (keys by ${cap.keys_by}): ${what}`, async () => {
    const run = await analyze([pcap, '--json', '--keylog', keylog]);
    assert.is(run.exitCode, 0, run.stderr);
    assert.not.ok(run.records.some((r) => r.type === 'anomaly' && String(r.code).startsWith('tls.decrypt')), 'every record authenticated');
    const conns = connections(run.records);
    assert.is(conns.length, cap.connections.length);
    const facts = (await observe(pcap, [keylog])).conns.map(tlsOf).filter((t) => t !== null);
    const shark = [...tsharkTls(pcap, keylog).values()];
    assert.is(facts.length, cap.connections.length);
    assert.is(shark.length, cap.connections.length);

    cap.connections.forEach((want: ExpectedConn, i) => {
      const tls = conns[i]!.tls as Rec;
      const f = facts[i]!;
      const t = shark[i]!;
      const where = `${cap.file} connection ${i + 1}`;
      suites.add(`${want.version} ${want.cipher}`);
      assert.is(tls.version, want.version, where);
      assert.is(tls.cipher, want.cipher, where);
      assert.is(tls.resumed, want.resumed, where);
      assert.is(tls.client_auth, want.client_auth, where);
      // The decrypted chains, in order, are the certificate files the peers were given.
      const serverChain = fp(want.server_chain);
      const clientChain = fp(want.client_chain);
      assert.equal(tls.server_chain?.map((c: Rec) => c.sha256) ?? null, serverChain, `${where}: server chain`);
      assert.equal(tls.client_chain?.map((c: Rec) => c.sha256) ?? null, clientChain, `${where}: client chain`);
      assert.equal(t.chains, [clientChain, serverChain], `${where}: tshark's decryption agrees with EXPECTED.json`);
      if (want.resumed) assert.is(tls.server_chain, null, `${where}: a resumed handshake sends no Certificate`);
      if (want.version === 'TLS 1.3' && !want.resumed) assert.is(tls.client_auth_source, 'decrypted', where);

      // Not in the JSON record: the HelloRetryRequest and the CertificateRequest, from the same pipeline.
      assert.is(f.helloRetry, want.hello_retry, `${where}: HelloRetryRequest`);
      assert.is(t.helloRetry, want.hello_retry, `${where}: tshark sees the HelloRetryRequest too`);
      if (want.certificate_request === null) {
        assert.is(f.certificateRequest, null, where);
        assert.is(t.certificateRequestSigAlgs, null, where);
      } else {
        const cr = f.certificateRequest!;
        assert.ok(cr !== null, `${where}: CertificateRequest`);
        assert.is(cr.source, want.version === 'TLS 1.3' ? 'decrypted' : 'observed', where);
        assert.equal(cr.certificateAuthorities, want.certificate_request.authorities.map((a) => subjectOf(`${DIR}/${a}`)), `${where}: CA names`);
        assert.equal(cr.signatureAlgorithms, t.certificateRequestSigAlgs, `${where}: signature_algorithms as tshark decodes them`);
      }
    });
  });
}

test('all three TLS 1.3 AEAD suites were decrypted from OpenSSL and from Node captures', () => {
  for (const s of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    assert.ok(suites.has(`TLS 1.3 ${s}`), s);
    for (const who of ['o13-', 'n13-']) {
      assert.ok(EXPECTED.captures.some((c) => c.file.startsWith(who) && c.connections.some((x) => x.cipher === s)), `${who} ${s}`);
    }
  }
});

test('each capture as pcapng with its key log injected (editcap --inject-secrets) gives identical records without --keylog', async () => {
  for (const cap of EXPECTED.captures) {
    const out = join(tmp, cap.file.replace('.pcap', '.pcapng'));
    execFileSync('editcap', ['--inject-secrets', `tls,${DIR}/${cap.keylog}`, `${DIR}/${cap.file}`, out]);
    const pick = (r: { records: Rec[] }) => r.records.filter((x) => x.type === 'connection' || x.type === 'finding');
    const withKeylog = pick(await analyze([`${DIR}/${cap.file}`, '--json', '--keylog', `${DIR}/${cap.keylog}`]));
    const embedded = pick(await analyze([out, '--json']));
    assert.equal(embedded, withKeylog, cap.file);
    // And the keys did matter: without any, a TLS 1.3 chain is not visible.
    const blind = connections((await analyze([`${DIR}/${cap.file}`, '--json'])).records);
    blind.forEach((c, i) => {
      if (cap.connections[i]!.version === 'TLS 1.3') assert.is(c.tls.server_chain, null, `${cap.file}: no chain without keys`);
    });
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
