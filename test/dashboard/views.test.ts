import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initialState, reduce, type DashConnection } from '../../src/dashboard/state.js';
import { renderText, sparkline, visiblePaths } from '../../src/dashboard/views.js';
import type { FindingRecord } from '../../src/findings/finding.js';

// Records shaped as SPEC's output contract example (written by hand from SPEC.md).
const kubelet: DashConnection = {
  path: 'apiserver-kubelet', client: '10.20.0.10:53412', server: '10.20.1.5:10250', proto: 'tls', verdict: 'insecure',
  start: '2026-11-28T10:00:00.123Z', end: '2026-11-28T10:00:01.000Z', bytes: [1200, 5300],
  tls: { version: 'TLS 1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', sni: null, alpn: 'h2', validation: 'self-signed', client_auth: 'presented',
    server_chain: [{ subject: 'CN=worker-1@1700000000', issuer: 'CN=worker-1-ca@1700000000', not_after: '2027-01-01T00:00:00Z', key: 'rsa-2048' }] },
};
const apiserver: DashConnection = {
  path: 'node-apiserver', client: '10.20.1.5:40000', server: '10.20.0.10:6443', proto: 'tls', verdict: 'secure',
  start: '2026-11-28T10:00:02.000Z', bytes: [900, 4000], tls: { version: 'TLS 1.3', validation: 'unknown', client_auth: 'presented', client_auth_source: 'inferred' },
};
const finding: FindingRecord = {
  type: 'finding', rule: 'kubelet-cert-unverifiable', severity: 'high', path: 'apiserver-kubelet', client: '10.20.0.10:53412', server: '10.20.1.5:10250',
  first_seen: '2026-11-28T10:00:00.130Z', last_seen: '2026-11-28T10:00:00.130Z', count: 1, evidence: { subject: 'CN=worker-1@1700000000', self_signed: true },
  remediation: 'Give the kubelet a CA-signed serving certificate (serverTLSBootstrap: true) and start kube-apiserver with --kubelet-certificate-authority.',
  cis: ['1.2.5'], id: 'kubelet-cert-unverifiable|10.20.0.10|10.20.1.5:10250', revision: 1,
};

function filled() {
  const s = initialState('eth0');
  reduce(s, { kind: 'connection', record: apiserver });
  reduce(s, { kind: 'connection', record: kubelet });
  reduce(s, { kind: 'finding', record: finding });
  reduce(s, { kind: 'tick', totals: { packets: 120, bytes: 64000, kernelDrops: 0, ifaceDrops: 0, connections: 0 } });
  return s;
}

for (const [w, h] of [[80, 24], [200, 60]] as const) {
  test(`renders exactly ${w}x${h} with the paths, the finding and the rates`, () => {
    const lines = renderText(filled(), w, h);
    assert.is(lines.length, h);
    for (const l of lines) assert.ok(l.length <= w, `line longer than ${w}: ${l}`);
    const text = lines.join('\n');
    assert.match(text, 'apiserver-kubelet');
    assert.match(text, '10.20.1.5:10250');
    assert.match(text, 'node-apiserver');
    assert.match(text, 'kubelet-cert-unverifiable');
    assert.match(text, 'pkts/s 120');
    if (w >= 160) {
      assert.match(text, 'self-signed');
      assert.match(text, 'presented*');
    }
  });
}

test('insecure paths sort first and the selection opens the detail with the chain and the fix', () => {
  const s = filled();
  assert.is(visiblePaths(s)[0]!.path, 'apiserver-kubelet');
  reduce(s, { kind: 'key', key: 'enter' }, 2);
  const text = renderText(s, 120, 30).join('\n');
  assert.match(text, '[0] CN=worker-1@1700000000');
  assert.match(text, 'fix: Give the kubelet a CA-signed');
  reduce(s, { kind: 'key', key: 'escape' }, 2);
  assert.is(s.mode, 'main');
});

test('text filter and severity filter narrow the panes', () => {
  const s = filled();
  for (const k of ['/', '6', '4', '4', '3', 'enter']) reduce(s, { kind: 'key', key: k }, 2);
  assert.is(s.filter, '6443');
  assert.equal(visiblePaths(s).map((e) => e.path), ['node-apiserver']);
  reduce(s, { kind: 'key', key: 'escape' }, 1);
  reduce(s, { kind: 'key', key: 's' }, 2);
  assert.is(s.minSeverity, 'critical');
  assert.match(renderText(s, 80, 24).join('\n'), 'no finding at critical or above');
  reduce(s, { kind: 'key', key: 's' }, 2);
  assert.match(renderText(s, 80, 24).join('\n'), 'kubelet-cert-unverifiable');
});

test('arrow keys stay inside the list', () => {
  const s = filled();
  for (let i = 0; i < 5; i++) reduce(s, { kind: 'key', key: 'down' }, 2);
  assert.is(s.selected, 1);
  for (let i = 0; i < 5; i++) reduce(s, { kind: 'key', key: 'up' }, 2);
  assert.is(s.selected, 0);
});

test('sparkline scales to the largest sample and pads to width', () => {
  assert.is(sparkline([0, 4, 8], 5), '  ▁▄█');
});

test.run();
