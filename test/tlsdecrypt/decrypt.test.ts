import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../e2e/helpers.js';

/**
 * Issue 7 end to end: TLS 1.3 handshakes recorded by the lab with the programs' own key logs
 * (OpenSSL -keylogfile, Node's keylog event). Expected values are the certificate files the
 * servers used (openssl's fingerprint) and what each scenario did (captures/EXPECTED.json).
 */
const tmp = mkdtempSync(join(tmpdir(), 'cw-decrypt-'));
const fingerprint = (pem: string) =>
  execFileSync('openssl', ['x509', '-in', pem, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' }).split('=')[1]!.trim().replace(/:/g, '').toLowerCase();

type Rec = Record<string, any>;
async function tlsOf(file: string, keylog: string | null): Promise<{ tls: Rec; run: Awaited<ReturnType<typeof analyze>> }> {
  const run = await analyze([file, '--json', '--config', 'captures/cluster.yaml', ...(keylog ? ['--keylog', keylog] : [])]);
  const c = run.records.find((r) => r.type === 'connection' && r.tls)!;
  return { tls: c.tls as Rec, run };
}

// TLS 1.3 lab captures: [capture, server certificate file, client authentication by design].
const CASES: [string, string, string][] = [
  ['kubelet-casigned-mtls-tls13', 'captures/pki/kubelet-node2.crt', 'presented'],
  ['node-apiserver-mtls-tls13', 'captures/pki/apiserver.crt', 'presented'],
  ['konnectivity-agent-mtls', 'captures/pki/konnectivity-server.crt', 'presented'],
  ['konnectivity-agent-token', 'captures/pki/konnectivity-server.crt', 'not-requested'],
  ['pod-apiserver-token', 'captures/pki/apiserver.crt', 'requested-not-presented'],
];

for (const [name, certFile, auth] of CASES) {
  test(`${name}: the decrypted chain is the server's certificate file, client auth '${auth}' is decrypted, and the inference without keys agrees`, async () => {
    const { tls } = await tlsOf(`captures/${name}.pcap`, `captures/${name}.keylog`);
    assert.is(tls.version, 'TLS 1.3');
    assert.is(tls.server_chain[0].sha256, fingerprint(certFile));
    assert.is(tls.client_auth, auth);
    assert.is(tls.client_auth_source, 'decrypted');
    assert.is.not(tls.validation, 'unknown');
    const blind = (await tlsOf(`captures/${name}.pcap`, null)).tls;
    assert.is(blind.server_chain, null);
    assert.is(blind.validation, 'unknown');
    assert.is(blind.client_auth_source, 'inferred');
    assert.is(blind.client_auth, auth, 'record-size inference against the decrypted truth');
  });
}

test('the same capture as pcapng with the key log injected (editcap --inject-secrets) gives identical records without --keylog', async () => {
  for (const [name] of CASES) {
    const out = join(tmp, `${name}.pcapng`);
    execFileSync('editcap', ['--inject-secrets', `tls,captures/${name}.keylog`, `captures/${name}.pcap`, out]);
    const withKeylog = (await analyze([`captures/${name}.pcap`, '--json', '--config', 'captures/cluster.yaml', '--keylog', `captures/${name}.keylog`])).records.filter((r) => r.type === 'connection' || r.type === 'finding');
    const embedded = (await analyze([out, '--json', '--config', 'captures/cluster.yaml'])).records.filter((r) => r.type === 'connection' || r.type === 'finding');
    assert.equal(embedded, withKeylog, name);
  }
});

test('a wrong key log is an anomaly, never a crash or garbage: the connection falls back to inference', async () => {
  const name = 'node-apiserver-mtls-tls13';
  const bad = join(tmp, 'bad.keylog');
  // Flip one hex digit of every secret: the right client random, the wrong keys.
  writeFileSync(bad, readFileSync(`captures/${name}.keylog`, 'utf8').replace(/ ([0-9a-f])([0-9a-f]{63,})$/gm, (_m, a: string, b: string) => ` ${a === '0' ? '1' : '0'}${b}`), { mode: 0o600 });
  const { tls, run } = await tlsOf(`captures/${name}.pcap`, bad);
  assert.ok(run.records.some((r) => r.type === 'anomaly' && r.code === 'tls.decrypt_failed'));
  assert.is(tls.server_chain, null);
  assert.is(tls.client_auth_source, 'inferred');
  assert.not.match(run.stdout + run.stderr, readFileSync(bad, 'utf8').split('\n').find((l) => l.startsWith('CLIENT_HANDSHAKE'))!.split(' ')[2]!);
});

test('corpus ja4/http2-with-cookies.pcapng: its embedded key log decrypts the handshake; ALPN from EncryptedExtensions equals tshark with the key log', async () => {
  const f = '../shared/corpus/ja4/http2-with-cookies.pcapng';
  const tshark = execFileSync('tshark', ['-r', f, '-o', 'tls.keylog_file:../shared/corpus/ja4/http2-with-cookies.keylog', '-Y', 'tls.handshake.type == 8', '-T', 'fields', '-e', 'tls.handshake.extensions_alpn_str'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l !== '');
  const run = await analyze([f, '--json']);
  const tlsConns = (run.records as Rec[]).filter((r) => r.type === 'connection' && r.tls && r.tls.version === 'TLS 1.3');
  assert.ok(tlsConns.length > 0);
  assert.equal(tlsConns.map((c) => c.tls.alpn).filter((a) => a !== null).sort(), tshark.sort());
  for (const c of tlsConns) assert.ok(c.tls.server_chain && c.tls.server_chain.length > 0, 'chain decrypted');
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
