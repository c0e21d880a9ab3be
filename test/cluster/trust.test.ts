import { test } from 'uvu';
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { TrustBundleError, TrustStore } from '../../src/cluster/trust.js';
import { bundle, makePki } from './pki.js';

const pki = makePki();
const f = pki.facts;
const DAY = 86_400_000;
/** A packet time inside every freshly made certificate's validity. */
const now = f.apiserver!.notBeforeMs + DAY;
const rootStore = TrustStore.fromFiles([bundle(pki, 'root.pem', ['root'])]);
const empty = new TrustStore();

test('apiserver chain through an intermediate verifies to the cluster CA, by DNS and IP SAN', () => {
  const chain = [f.apiserver!, f.intermediate!];
  const r = rootStore.verify(chain, now, 'kubernetes.default.svc');
  assert.is(r.validation, 'trusted');
  assert.ok(r.anchored);
  assert.equal(r.path, ['CN=kube-apiserver', 'CN=kubernetes-intermediate,O=comms-watch test', 'CN=kubernetes']);
  assert.is(rootStore.verify(chain, now, '10.96.0.1').validation, 'trusted');
  assert.is(rootStore.verify([f.intermediate!, f.apiserver!].reverse(), now, '10.20.0.10').validation, 'trusted');
});

test('one chain array checked again and again (as connections to one server share it): time, name and newly added anchors still count', () => {
  const chain = [f.apiserver!, f.intermediate!];
  const store = new TrustStore();
  assert.is(store.verify(chain, now, 'kubernetes').validation, 'unknown');
  store.addPem(readFileSync(bundle(pki, 'root-again.pem', ['root']), 'utf8'), 'root-again.pem');
  assert.is(store.verify(chain, now, 'kubernetes').validation, 'trusted', 'the anchor added after the first check is used');
  assert.is(store.verify(chain, now, 'not-a-san.example').validation, 'name-mismatch');
  const later = store.verify(chain, f.apiserver!.notAfterMs + DAY, 'kubernetes');
  assert.is(later.validation, 'expired');
  assert.ok(later.expired.some((e) => e.subject === 'CN=kube-apiserver' && !e.notYetValid), JSON.stringify(later.expired));
  assert.is(store.verify(chain, now, 'kubernetes').validation, 'trusted', 'and valid again at the earlier time');
  const r1 = store.verify(chain, now, 'kubernetes');
  r1.path.push('changed by a caller');
  assert.equal(store.verify(chain, now, 'kubernetes').path, ['CN=kube-apiserver', 'CN=kubernetes-intermediate,O=comms-watch test', 'CN=kubernetes']);
});

test('missing intermediate: untrusted', () => {
  const r = rootStore.verify([f.apiserver!], now, 'kubernetes');
  assert.is(r.validation, 'untrusted');
  assert.match(r.reason, 'no issuer');
});

test("kubelet's self-signed pair is self-signed with or without bundles", () => {
  const chain = [f.kubeletSelf!, f.kubeletCa!];
  assert.is(rootStore.verify(chain, now, '10.20.1.5').validation, 'self-signed');
  const r = empty.verify(chain, now, '10.20.1.5');
  assert.is(r.validation, 'self-signed');
  assert.ok(r.selfSigned);
  assert.not.ok(r.anchored);
  assert.is(r.nameMatch, false);
});

test("the kubelet's own CA as a bundle makes its pair trusted", () => {
  const store = TrustStore.fromFiles([bundle(pki, 'kubelet-ca.pem', ['kubeletCa'])]);
  assert.is(store.verify([f.kubeletSelf!, f.kubeletCa!], now, 'node1').validation, 'trusted');
});

test('CA-signed kubelet serving cert is trusted for its node IP', () => {
  assert.is(rootStore.verify([f.kubeletSigned!], now, '10.20.1.5').validation, 'trusted');
  assert.is(rootStore.verify([f.kubeletSigned!], now, '10.20.1.6').validation, 'name-mismatch');
});

test('expired at packet time, valid when the packet is older', () => {
  const late = rootStore.verify([f.expired!], now, '10.20.0.10');
  assert.is(late.validation, 'expired');
  assert.equal(late.expired, [{ subject: 'CN=old-apiserver', notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z', notYetValid: false }]);
  // In 2020 the leaf was valid, but the cluster CA (made today) was not yet.
  const then = rootStore.verify([f.expired!], Date.parse('2020-06-01T00:00:00Z'), '10.20.0.10');
  assert.is(then.validation, 'expired');
  assert.equal(then.expired.map((e) => [e.subject, e.notYetValid]), [['CN=kubernetes', true]]);
  const early = rootStore.verify([f.expired!], Date.parse('2019-06-01T00:00:00Z'), '10.20.0.10');
  assert.is(early.validation, 'expired');
  assert.ok(early.expired[0]!.notYetValid);
  assert.is(rootStore.verify([f.apiserverDirect!], f.apiserverDirect!.notAfterMs + 1000, 'kubernetes').validation, 'expired');
});

test('a foreign CA: self-signed when it sends its root, untrusted otherwise', () => {
  assert.is(rootStore.verify([f.foreign!, f.foreignCa!], now, 'kubernetes.default.svc').validation, 'self-signed');
  assert.is(rootStore.verify([f.foreign!], now, 'kubernetes.default.svc').validation, 'untrusted');
});

test('an impostor CA with the cluster CA name: untrusted', () => {
  assert.is(rootStore.verify([f.forged!, f.root!], now, 'forged.example.com').validation, 'untrusted');
  assert.is(rootStore.verify([f.forged!, f.impostor!], now, 'forged.example.com').validation, 'self-signed');
});

test('a tampered signature: untrusted, whether the issuer is presented or bundled, and after the genuine one verified', () => {
  const fresh = TrustStore.fromFiles([bundle(pki, 'root-again.pem', ['root'])]);
  assert.is(fresh.verify([f.apiserverDirect!], now, 'kubernetes').validation, 'trusted');
  const der = Buffer.from(f.apiserverDirect!.der);
  der[der.length - 1]! ^= 0x01;
  const tampered = { ...f.apiserverDirect!, der, sha256: 'tampered' };
  const r = rootStore.verify([tampered, f.root!], now, 'kubernetes');
  assert.is(r.validation, 'untrusted');
  assert.match(r.reason, 'signature');
  assert.is(rootStore.verify([tampered], now, 'kubernetes').validation, 'untrusted');
  assert.is(rootStore.verify([f.apiserverDirect!], now, 'kubernetes').validation, 'trusted');
  // Signature checks are remembered by both fingerprints: the tampered copy shares none with the genuine one.
  assert.is(fresh.verify([tampered, f.root!], now, 'kubernetes').validation, 'untrusted');
  assert.is(fresh.verify([tampered], now, 'kubernetes').validation, 'untrusted');
});

test('an issuer without basicConstraints CA: untrusted', () => {
  const r = rootStore.verify([f.notCaIssued!, f.notCa!], now, 'leafissued.example.com');
  assert.is(r.validation, 'untrusted');
  assert.match(r.reason, 'not a CA');
});

test('name mismatch by SNI and by server IP', () => {
  assert.is(rootStore.verify([f.apiserverDirect!], now, 'api.example.com').validation, 'name-mismatch');
  assert.is(rootStore.verify([f.apiserverDirect!], now, '10.20.0.11').validation, 'name-mismatch');
  assert.is(rootStore.verify([f.wildcard!], now, 'api.example.com').validation, 'trusted');
  assert.is(rootStore.verify([f.wildcard!], now, 'a.b.example.com').validation, 'name-mismatch');
});

test('no bundle, CA-signed chain: unknown; no chain: unknown', () => {
  assert.is(empty.verify([f.apiserverDirect!], now, 'kubernetes').validation, 'unknown');
  assert.is(rootStore.verify(null, now, 'kubernetes').validation, 'unknown');
  assert.is(rootStore.verify([], now, null).validation, 'unknown');
});

test('the root itself presented as the only cert is trusted when bundled', () => {
  assert.is(rootStore.verify([f.root!], now, null).validation, 'trusted');
});

test('bundles: several PEMs per file, errors name the file', () => {
  const store = TrustStore.fromFiles([bundle(pki, 'two.pem', ['root', 'etcdCa'])]);
  assert.is(store.size, 2);
  assert.is(store.verify([f.etcd!, f.etcdCa!], now, '10.20.0.10').validation, 'trusted');
  assert.throws(() => TrustStore.fromFiles(['/nonexistent/ca.crt']), (e: Error) => e instanceof TrustBundleError && /\/nonexistent\/ca.crt/.test(e.message));
  assert.throws(() => new TrustStore().addPem('not a pem', 'x.pem'), /x.pem: no PEM certificate/);
  assert.throws(() => new TrustStore().addPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'bad.pem'), /bad.pem: certificate 1/);
});

test.after(() => pki.cleanup());
test.run();
