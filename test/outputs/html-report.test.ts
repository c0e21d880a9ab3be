import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeHtml, html, trusted } from '../../src/outputs/html-escape.js';
import { analyze } from '../e2e/helpers.js';
import { PathCollector } from '../../src/outputs/path-collector.js';
import type { ConnectionRecord } from '../../src/outputs/connection-record.js';

test('escapeHtml: the five HTML specials become entities, control and bidi-override characters go', () => {
  assert.is(escapeHtml(`<script>alert("x")</script>`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  assert.is(escapeHtml(`a & b's`), 'a &amp; b&#39;s');
  assert.is(escapeHtml('\u001b[31mred\u001b]0;t\u0007'), '[31mred]0;t');
  assert.is(escapeHtml('invoice\u202egnp.exe'), 'invoicegnp.exe');
  assert.is(escapeHtml('\u2066x\u2069'), 'x');
  assert.is(escapeHtml('&amp;'), '&amp;amp;', 'an entity on the wire is shown, not decoded');
  assert.is(escapeHtml('Grüße ☸ kubernetes.default.svc'), 'Grüße ☸ kubernetes.default.svc');
});

test('html``: interpolations are escaped, arrays joined, Html kept, null / undefined / false empty', () => {
  const evil = '"><img src=x onerror=alert(1)>';
  assert.is(html`<td title="${evil}">${evil}</td>`.markup, '<td title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>');
  assert.is(html`<ul>${['<a>', html`<li>${'&'}</li>`]}</ul>`.markup, '<ul>&lt;a&gt;<li>&amp;</li></ul>');
  assert.is(html`${null}${undefined}${false}${0}${trusted('<b>')}`.markup, '0<b>');
});

/** Records of the real lab capture, through the same CLI code, fed to the collector by hand. */
async function mixedRecords(): Promise<ConnectionRecord[]> {
  const run = await analyze(['captures/mixed.pcap', '--json', '--config', 'captures/cluster.yaml', '--keylog', 'captures/mixed.keylog']);
  return run.records.filter((r) => r.type === 'connection') as ConnectionRecord[];
}

test('PathCollector places hosts as the Kubernetes page does: the apiserver in the control plane, kubelets on nodes, pods apart', async () => {
  const p = new PathCollector();
  for (const r of await mixedRecords()) p.add(r);
  // captures/README: cw-cp 10.20.0.10, cw-cp2 10.20.0.11, cw-node1 10.20.1.5, cw-pod 10.244.1.7.
  assert.is(p.roleOf('10.20.0.10'), 'control-plane');
  assert.is(p.roleOf('10.20.0.11'), 'control-plane');
  assert.is(p.roleOf('10.20.1.5'), 'node');
  assert.is(p.roleOf('10.244.1.7'), 'pod');
  assert.is(p.connections, 8);
  assert.is(p.mapEdges().length, 8);
});

test('PathCollector: the worst connection of a (path, server) stands for it; counts and distinct HTTP requests add up', async () => {
  const recs = await mixedRecords();
  const readonly = recs.find((r) => r.path === 'kubelet-readonly')!;
  const p = new PathCollector();
  const secureTwin: ConnectionRecord = { ...readonly, verdict: 'secure', client: '10.20.0.10:50000' };
  p.add(secureTwin);
  p.add(readonly);
  p.add(readonly);
  const [row] = p.detailRows();
  assert.is(row!.count, 3);
  assert.is(row!.verdict, 'insecure');
  assert.is(row!.worst, readonly);
  assert.equal(row!.verdicts, { secure: 1, insecure: 2 });
  assert.equal(row!.http.map((x) => x.path), ['/pods', '/stats/summary'], 'the same requests are listed once');
  const [edge] = p.mapEdges();
  assert.is(edge!.count, 3);
  assert.is(edge!.verdict, 'insecure');
  assert.is(edge!.label, 'HTTP');
});

test.run();
