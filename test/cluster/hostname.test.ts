import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { certCoversName, dnsNameMatches } from '../../src/cluster/hostname.js';
import { makePki } from './pki.js';

// RFC 6125 section 6.4.3 and the stricter rules browsers and Go follow (whole left-most label only).
const TABLE: [string, string, boolean][] = [
  ['*.example.com', 'foo.example.com', true],
  ['*.example.com', 'bar.foo.example.com', false],
  ['*.example.com', 'example.com', false],
  ['*.example.com', '.example.com', false],
  ['*.example.com', 'FOO.Example.COM.', true],
  ['*.EXAMPLE.com.', 'foo.example.com', true],
  ['f*.example.com', 'foo.example.com', false],
  ['*oo.example.com', 'foo.example.com', false],
  ['b*z.example.com', 'baz.example.com', false],
  ['foo.*.example.com', 'foo.bar.example.com', false],
  ['*.*.example.com', 'a.b.example.com', false],
  ['*.com', 'example.com', false],
  ['*.local', 'node1.local', false],
  ['*', 'localhost', false],
  ['*.', 'com', false],
  ['*.10.0.0', '1.10.0.0', false],
  ['kubernetes.default.svc', 'kubernetes.default.svc', true],
  ['kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', false],
  ['kubernetes', 'KUBERNETES', true],
  ['', '', false],
];

test('RFC 6125 wildcard table', () => {
  for (const [pattern, host, want] of TABLE) assert.is(dnsNameMatches(pattern, host), want, `${pattern} vs ${host}`);
});

test('IP names match only IP SANs, whatever the spelling', () => {
  const pki = makePki();
  try {
    const api = pki.facts.apiserver!;
    assert.ok(certCoversName(api, '10.96.0.1'));
    assert.ok(certCoversName(api, '::ffff:10.96.0.1'));
    assert.not.ok(certCoversName(api, '10.96.0.2'));
    assert.ok(certCoversName(api, 'kubernetes.default.svc.cluster.local'));
    assert.not.ok(certCoversName(pki.facts.wildcard!, '10.0.0.1'));
    assert.not.ok(certCoversName(pki.facts.kubeletClient!, 'anything'));
  } finally {
    pki.cleanup();
  }
});

test.run();
