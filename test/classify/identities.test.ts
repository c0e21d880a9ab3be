import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isApiserverName, rdn } from '../../src/classify/identities.js';

test('RDN lookup honours RFC 4514 escaped commas and is case-insensitive on the attribute', () => {
  assert.is(rdn('CN=system:node:node1,O=system:nodes', 'CN'), 'system:node:node1');
  assert.is(rdn('cn=a,O=b', 'CN'), 'a');
  assert.is(rdn('CN=Starfield\\, Inc.,O=x', 'O'), 'x');
  assert.is(rdn('O=Starfield Technologies\\, Inc.,C=US', 'O'), 'Starfield Technologies\\, Inc.');
  assert.is(rdn('O=x', 'CN'), null);
});

test('apiserver names: kubernetes, kubernetes.default, kubernetes.default.svc and its cluster domain', () => {
  for (const n of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'kubernetes.default.svc.corp.example']) assert.ok(isApiserverName(n), n);
  for (const n of ['kubernetes.io', 'kubernetes.default.svc.', 'mykubernetes', 'kubernetes-dashboard.kube-system.svc', 'default.svc']) assert.not.ok(isApiserverName(n), n);
});

test.run();
