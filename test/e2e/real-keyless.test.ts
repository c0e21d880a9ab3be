import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze } from './helpers.js';

/**
 * The TLS 1.3 real-component captures read WITHOUT their key logs, as an operator without keys
 * sees them (kubectl and etcd cannot write one at all). Expected from the SPEC and the scenarios,
 * by hand: certificates and CertificateRequest are encrypted, so validation is `unknown` and the
 * verdict `unverified`; client auth is inferred from the client's second flight (tshark shows
 * the encrypted records: a client cert is a Certificate record of ~860-875 bytes then
 * CertificateVerify 281 and Finished 53; an empty Certificate is a 25-byte record); and nothing
 * that needs the hidden chain (kubelet-cert-unverifiable, cert-*) may be raised from the wire.
 */
interface Want { client: string; server: string; path: string; client_auth: string }
const HIDDEN = ['kubelet-cert-unverifiable', 'kubelet-client-auth-disabled', 'apiserver-kubelet-no-client-cert', 'cert-untrusted',
  'cert-name-mismatch', 'cert-expired', 'cert-weak-key', 'etcd-no-client-auth', 'cleartext-credentials', 'tls-legacy-version', 'handshake-not-observed'];

const CASES: { file: string; want: Want[] }[] = [
  {
    file: 'real-kubectl-client-cert.pcap',
    want: [
      { client: '10.20.0.11', server: '10.20.0.10:6443', path: 'controlplane-apiserver', client_auth: 'presented' },
      { client: '10.20.0.10', server: '10.20.1.6:10250', path: 'apiserver-kubelet', client_auth: 'presented' },
    ],
  },
  {
    file: 'real-kubectl-token.pcap',
    want: [
      // The CertificateRequest is answered with an empty Certificate: the token is the credential.
      { client: '10.244.1.7', server: '10.96.0.1:443', path: 'pod-apiserver', client_auth: 'requested-not-presented' },
      { client: '10.20.0.10', server: '10.20.1.5:10250', path: 'apiserver-kubelet', client_auth: 'presented' },
    ],
  },
  {
    file: 'real-kubelet-selfsigned-tls13.pcap',
    want: [{ client: '10.20.0.10', server: '10.20.1.5:10250', path: 'apiserver-kubelet', client_auth: 'presented' }],
  },
  {
    file: 'real-kubelet-casigned-tls13.pcap',
    want: [{ client: '10.20.0.10', server: '10.20.1.6:10250', path: 'apiserver-kubelet', client_auth: 'presented' }],
  },
];

const hostOf = (a: string) => a.replace(/^\[/, '').replace(/\]?:\d+$/, '');

for (const c of CASES) {
  test(`${c.file} without its key log: unverified, client auth inferred, nothing raised from the hidden chain`, async () => {
    const run = await analyze([`captures/${c.file}`, '--json', '--config', 'captures/cluster.yaml']);
    assert.is(run.exitCode, 0, run.stderr);
    const conns = run.records.filter((r) => r.type === 'connection');
    for (const w of c.want) {
      const mine = conns.filter((x) => hostOf(String(x.client)) === w.client && x.server === w.server);
      assert.ok(mine.length > 0, `no connection ${w.client} -> ${w.server}`);
      for (const x of mine) {
        const tls = x.tls as Record<string, unknown>;
        const where = `${String(x.client)} -> ${w.server}`;
        assert.is(x.path, w.path, `${where} path`);
        assert.is(tls.version, 'TLS 1.3', `${where} version`);
        assert.is(tls.server_chain, null, `${where} chain hidden`);
        assert.is(tls.validation, 'unknown', `${where} validation`);
        assert.is(tls.client_auth, w.client_auth, `${where} client_auth`);
        assert.is(tls.client_auth_source, 'inferred', `${where} client_auth_source`);
        assert.is(x.verdict, 'unverified', `${where} verdict`);
      }
    }
    const bad = run.records.filter((r) => r.type === 'finding' && HIDDEN.includes(String(r.rule))).map((r) => `${r.rule} ${r.client} -> ${r.server}`);
    assert.equal(bad, [], 'raised a rule whose evidence is encrypted');
  });
}

test.run();
