import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FindingTable } from '../../src/findings/dedupe.js';
import type { Severity } from '../../src/findings/finding.js';
import type { RuleHit } from '../../src/rules/types.js';
import { conn } from '../rules/fixtures.js';

function hit(rule: string, severity: Severity, evidence: Record<string, unknown> = {}): RuleHit {
  return { rule: rule as RuleHit['rule'], severity, evidence, remediation: 'fix it', ...(severity === 'high' ? { cis: ['1.2.5'] } : {}) };
}

const T0 = Date.parse('2026-11-28T10:00:00.130Z');

test('repeats of (rule, client ip, server ip:port) raise count; times come from packets', () => {
  const t = new FindingTable();
  const a = conn({ atMs: T0, client: { ip: '10.20.0.10', port: 53412 }, server: { ip: '10.20.1.5', port: 10250 } });
  const b = conn({ atMs: T0 + 60_000, client: { ip: '10.20.0.10', port: 53999 }, server: { ip: '10.20.1.5', port: 10250 } });
  t.add(a, 'apiserver-kubelet', [hit('kubelet-cert-unverifiable', 'high', { self_signed: true })]);
  const [rec] = t.add(b, 'apiserver-kubelet', [hit('kubelet-cert-unverifiable', 'high', { self_signed: true })]);
  assert.equal(rec, {
    type: 'finding', rule: 'kubelet-cert-unverifiable', severity: 'high', path: 'apiserver-kubelet',
    client: '10.20.0.10:53412', server: '10.20.1.5:10250',
    first_seen: '2026-11-28T10:00:00.130Z', last_seen: '2026-11-28T10:01:00.130Z', count: 2,
    evidence: { self_signed: true }, remediation: 'fix it', cis: ['1.2.5'],
    id: 'kubelet-cert-unverifiable|10.20.0.10|10.20.1.5:10250', revision: 2,
  });
  assert.is(t.size, 1);
  // Another server port, another client ip: distinct findings.
  t.add(conn({ atMs: T0, client: { ip: '10.20.0.10', port: 1 }, server: { ip: '10.20.1.5', port: 10255 } }), 'kubelet-readonly', [hit('kubelet-cert-unverifiable', 'high')]);
  t.add(conn({ atMs: T0, client: { ip: '10.20.0.11', port: 1 }, server: { ip: '10.20.1.5', port: 10250 } }), 'apiserver-kubelet', [hit('kubelet-cert-unverifiable', 'high')]);
  assert.is(t.size, 3);
});

test('an earlier packet seen later moves first_seen back', () => {
  const t = new FindingTable();
  t.add(conn({ atMs: T0 + 5000 }), 'other', [hit('tls-weak-cipher', 'medium')]);
  const [r] = t.add(conn({ atMs: T0 }), 'other', [hit('tls-weak-cipher', 'medium')]);
  assert.is(r!.first_seen, '2026-11-28T10:00:00.130Z');
  assert.is(r!.last_seen, '2026-11-28T10:00:05.130Z');
});

test('IPv6 servers are bracketed in the record and the id', () => {
  const t = new FindingTable();
  const [r] = t.add(conn({ atMs: T0, client: { ip: 'fd00::a', port: 5000 }, server: { ip: 'fd00::1', port: 6443 } }), 'node-apiserver', [hit('cert-expired', 'high')]);
  assert.is(r!.server, '[fd00::1]:6443');
  assert.is(r!.client, '[fd00::a]:5000');
  assert.is(r!.id, 'cert-expired|fd00::a|[fd00::1]:6443');
});

test('drainChanged lists new and updated findings once', () => {
  const t = new FindingTable();
  const c = conn({ atMs: T0 });
  t.add(c, 'other', [hit('tls-weak-cipher', 'medium'), hit('cert-weak-key', 'medium')]);
  assert.equal(t.drainChanged().map((r) => [r.rule, r.revision]), [['tls-weak-cipher', 1], ['cert-weak-key', 1]]);
  assert.equal(t.drainChanged(), []);
  t.add(c, 'other', [hit('cert-weak-key', 'medium')]);
  assert.equal(t.drainChanged().map((r) => [r.rule, r.count, r.revision]), [['cert-weak-key', 2, 2]]);
});

test('the cap evicts the oldest info/low finding first, then medium, and counts what it dropped', () => {
  const t = new FindingTable({ cap: 3 });
  const at = (i: number) => conn({ atMs: T0 + i, server: { ip: '10.20.1.5', port: 10000 + i } });
  t.add(at(1), 'other', [hit('ssh-tunnel', 'info')]);
  t.add(at(2), 'other', [hit('proxy-unverified-tls', 'low')]);
  t.add(at(3), 'other', [hit('cert-expired', 'high')]);
  t.add(at(4), 'other', [hit('etcd-cleartext', 'critical')]);
  assert.equal(t.all().map((r) => r.rule), ['etcd-cleartext', 'cert-expired', 'proxy-unverified-tls']);
  t.add(at(5), 'other', [hit('tls-weak-cipher', 'medium')]);
  assert.equal(t.all().map((r) => r.rule), ['etcd-cleartext', 'cert-expired', 'tls-weak-cipher']);
  t.add(at(6), 'other', [hit('kubelet-cleartext', 'critical')]);
  assert.equal(t.all().map((r) => r.rule), ['etcd-cleartext', 'kubelet-cleartext', 'cert-expired']);
  assert.equal(t.evicted, { critical: 0, high: 0, medium: 1, low: 1, info: 1 });
  assert.is(t.size, 3);
  // An evicted finding that comes back starts over.
  const [back] = t.add(at(1), 'other', [hit('ssh-tunnel', 'info')]);
  assert.is(back!.count, 1);
});

test('a repeat makes a finding the newest of its tier', () => {
  const t = new FindingTable({ cap: 2 });
  const a = conn({ atMs: T0, server: { ip: '10.20.1.5', port: 1 } });
  const b = conn({ atMs: T0, server: { ip: '10.20.1.5', port: 2 } });
  t.add(a, 'other', [hit('ssh-tunnel', 'info')]);
  t.add(b, 'other', [hit('ssh-tunnel', 'info')]);
  t.add(a, 'other', [hit('ssh-tunnel', 'info')]);
  t.add(conn({ atMs: T0, server: { ip: '10.20.1.5', port: 3 } }), 'other', [hit('ssh-tunnel', 'info')]);
  assert.equal(t.all().map((r) => r.server).sort(), ['10.20.1.5:1', '10.20.1.5:3']);
});

test.run();
