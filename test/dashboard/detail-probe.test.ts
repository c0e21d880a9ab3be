import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initialState, reduce, type DashConnection } from '../../src/dashboard/state.js';
import { detailLines } from '../../src/dashboard/detail.js';

// A TLS 1.3 apiserver -> kubelet connection whose chain the wire hid, with what a probe learned
// (the record shape of SPEC "Evidence beyond the wire", written by hand).
const probed: DashConnection = {
  path: 'apiserver-kubelet', client: '10.40.0.100:41000', server: '10.40.0.1:10250', proto: 'tls', verdict: 'insecure',
  tls: {
    version: 'TLS 1.3', cipher: 'TLS_AES_128_GCM_SHA256', sni: null, validation: 'unknown', client_auth: 'unknown', server_chain: null,
    probe: {
      chain: [{ subject: 'CN=node-a@1796600000', issuer: 'CN=node-a-ca@1796600000', not_after: '2027-12-07T00:00:00.000Z', key: 'rsa-2048' }],
      validation: 'self-signed', certificate_request: false, ca_names: [], versions: { 'TLS 1.0': true, 'TLS 1.1': true, 'TLS 1.2': true, 'TLS 1.3': true },
      anonymous_status: 200, client_cert_required: false, probed_at: '2026-12-07T02:00:00.000Z', problem: null,
    },
  },
};

test('the path detail shows what the probe learned, each answer marked "probe"', () => {
  const s = initialState('eth0');
  reduce(s, { kind: 'connection', record: probed });
  const entry = [...s.paths.values()][0]!;
  const text = detailLines(s, entry, 120).map((l) => l.text).join('\n');
  assert.match(text, /probed chain\s+probe\s+self-signed \(2026-12-07 02:00:00\)/);
  assert.match(text, '[0] CN=node-a@1796600000');
  assert.match(text, /client cert\s+probe\s+not requested/);
  assert.match(text, /accepts\s+probe\s+TLS 1\.0, TLS 1\.1, TLS 1\.2, TLS 1\.3/);
  assert.match(text, /anonymous\s+probe\s+GET \/pods -> 200/);
});

test('a probe that failed says why instead of answers', () => {
  const s = initialState('eth0');
  const failed: DashConnection = { ...probed, tls: { ...probed.tls!, probe: { ...probed.tls!.probe!, chain: null, problem: 'probe.timeout', anonymous_status: null } } };
  reduce(s, { kind: 'connection', record: failed });
  const text = detailLines(s, [...s.paths.values()][0]!, 120).map((l) => l.text).join('\n');
  assert.match(text, /probe\s+probe\s+probe\.timeout/);
  assert.not.match(text, 'GET /pods');
});

test.run();
