import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initialState, reduce, type DashConnection } from '../../src/dashboard/state.js';
import { detailScrollMax, renderText } from '../../src/dashboard/views.js';
import type { NodeRecord } from '../../src/outputs/node-record.js';

// A `node` record as SPEC "Evidence beyond the wire" shapes it, written by hand; the file path
// carries an escape sequence, as a hostile node root could.
const node: NodeRecord = {
  type: 'node', root: '/host', layout: 'k3s', control_plane: false,
  addresses: [{ ip: '10.20.1.5', source: 'interface' }],
  files: { read: ['/etc/rancher/k3s/config.yaml', '/var/lib/rancher/k3s/agent/serving-kubelet.crt'], missing: ['/var/lib/rancher/k3s/agent/etc/kubelet.conf.d'], unreadable: ['/etc/rancher/k3s/\u001b]0;pwned\u0007x.yaml'], malformed: [], refused: [] },
  kubelet: {
    config: [], port: 10250, read_only_port: 0,
    authentication: { anonymous: true, webhook: true, x509_client_ca_file: '/var/lib/rancher/k3s/agent/client-ca.crt' },
    authorization_mode: 'Webhook', server_tls_bootstrap: false, defaulted: ['authentication.anonymous.enabled'],
    serving_cert: {
      file: '/var/lib/rancher/k3s/agent/serving-kubelet.crt', subject: 'CN=worker-1', issuer: 'CN=k3s-server-ca@1700000000', self_signed: false,
      not_before: '2026-01-01T00:00:00.000Z', not_after: '2027-01-01T00:00:00.000Z', sha256: 'ab'.repeat(32), san: ['worker-1', '10.20.1.5'],
      chain: [{ subject: 'CN=worker-1', issuer: 'CN=k3s-server-ca@1700000000', sha256: 'ab'.repeat(32), der_len: 612 }], tls13_certificate_record: 640,
    },
  },
  apiserver: null, etcd: null, konnectivity: [],
};

const long: DashConnection = {
  path: 'kubelet-readonly', client: '10.20.0.10:40000', server: '10.20.1.5:10255', proto: 'http', verdict: 'insecure',
  http: Array.from({ length: 8 }, (_, i) => ({ method: 'GET', path: `/stats/${i}`, status: 200 })),
};

test('n opens the node view: layout, kubelet authentication and serving certificate; a hostile file name is spelled out; n closes it', () => {
  const s = initialState('eth0');
  const before = renderText(s, 120, 30).join('\n');
  assert.not.match(before, 'node:', 'no node named before a node record');
  reduce(s, { kind: 'node', record: node });
  assert.match(renderText(s, 120, 30)[1]!, 'node: k3s worker (n)');
  reduce(s, { kind: 'key', key: 'n' });
  const text = renderText(s, 200, 30).join('\n');
  assert.match(text, '┌ this node');
  assert.match(text, 'k3s layout under /host, worker node; addresses 10.20.1.5');
  assert.match(text, 'kubelet :10250: anonymous auth on, webhook authn on');
  assert.match(text, 'kubelet serving cert /var/lib/rancher/k3s/agent/serving-kubelet.crt: CN=worker-1 issued by CN=k3s-server-ca@1700000000');
  assert.not.ok(text.includes('\u001b') || text.includes('\u0007'), 'no control character reaches the screen');
  assert.match(text, /unreadable/);
  reduce(s, { kind: 'key', key: 'n' });
  assert.is(s.mode, 'main');
});

test('without node files the view says so instead of nothing', () => {
  const s = initialState('eth0');
  reduce(s, { kind: 'key', key: 'n' });
  assert.match(renderText(s, 100, 20).join('\n'), 'no node files read');
});

test('PageDown and PageUp move the detail view a page at a time, within its length', () => {
  const s = initialState('eth0');
  reduce(s, { kind: 'connection', record: long });
  reduce(s, { kind: 'key', key: 'enter' }, 1);
  // A short terminal: the detail is longer than the view.
  const max = detailScrollMax(s, 100, 12);
  assert.ok(max >= 6, `a long detail: ${max}`);
  reduce(s, { kind: 'key', key: 'pagedown', page: 3 }, max);
  assert.is(s.detailScroll, 3);
  for (let i = 0; i < 10; i++) reduce(s, { kind: 'key', key: 'pagedown', page: 3 }, max);
  assert.is(s.detailScroll, max);
  assert.match(renderText(s, 100, 12).join('\n'), '/stats/7');
  reduce(s, { kind: 'key', key: 'pageup', page: 3 }, max);
  assert.is(s.detailScroll, max - 3);
  for (let i = 0; i < 10; i++) reduce(s, { kind: 'key', key: 'pageup', page: 3 }, max);
  assert.is(s.detailScroll, 0);
  assert.not.match(renderText(s, 100, 12).join('\n'), '/stats/7');
});

test('a note of the daemon shows on the status line, over the tables and under an open view, made safe', () => {
  const s = initialState('eth0');
  reduce(s, { kind: 'note', text: 'reloaded the cluster model \u001b[2J', at: Date.UTC(2026, 11, 7, 6, 30, 5) });
  const main = renderText(s, 120, 30);
  assert.match(main[29]!, 'drops: kernel 0  interface 0  | 06:30:05 reloaded the cluster model');
  assert.not.ok(main.join('').includes('\u001b'));
  reduce(s, { kind: 'key', key: '?' });
  const help = renderText(s, 120, 30);
  assert.match(help.join('\n'), '┌ help');
  assert.match(help[29]!, '06:30:05 reloaded the cluster model');
  assert.match(help[28]!, /^└─+┘$/, 'the overlay keeps its border above the status line');
});

test.run();
