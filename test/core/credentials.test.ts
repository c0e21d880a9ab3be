import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { AuthorizationMemo, fromAuthorization, fromCookie, jwtClaims, redactTarget } from '../../src/core/credentials.js';

const prefix = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

test('Basic and Bearer authorization, a bare token; a bare scheme carries nothing; other schemes are named, not kept', () => {
  const basic = fromAuthorization('Basic YWRtaW46aHVudGVyMg==', 'authorization').cred!;
  assert.equal(basic, { kind: 'basic', len: 20, sha256Prefix: prefix('YWRtaW46aHVudGVyMg=='), carrier: 'authorization', jwt: null });
  const bearer = fromAuthorization('bearer opaque-token-1', 'proxy-authorization').cred!;
  assert.equal([bearer.kind, bearer.carrier, bearer.len, bearer.jwt], ['bearer', 'proxy-authorization', 14, null]);
  const bare = fromAuthorization('  opaque-token-2 ', 'authorization').cred!;
  assert.equal([bare.kind, bare.len, bare.sha256Prefix], ['bearer', 14, prefix('opaque-token-2')]);
  assert.equal(fromAuthorization('Bearer', 'authorization'), { cred: null, otherScheme: null });
  assert.equal(fromAuthorization('   ', 'authorization'), { cred: null, otherScheme: null });
  const digest = fromAuthorization('Digest username="admin", response="6629fae49393a05397450978507c4ef1"', 'authorization');
  assert.equal(digest, { cred: null, otherScheme: 'digest' });
  assert.equal(fromAuthorization('\u001b[31m x', 'authorization').otherScheme, '(unparsable scheme)');
});

test('the hash is over the secret as it was on the wire (latin1 bytes), for ASCII and non-ASCII secrets alike; one token seen twice gives the same facts', () => {
  const onWire = (s: string): string => createHash('sha256').update(Buffer.from(s, 'latin1')).digest('hex').slice(0, 12);
  for (const secret of ['plain-ascii-token', 'caf\u00e9-token\u00ff', '\u0080\u0081']) {
    const c = fromCookie(`session=${secret}`)!;
    assert.equal([c.len, c.sha256Prefix], [secret.length, onWire(secret)], secret);
  }
  assert.is.not(onWire('caf\u00e9'), createHash('sha256').update('caf\u00e9').digest('hex').slice(0, 12), 'UTF-8 and latin1 differ here');
  assert.equal(fromAuthorization('Bearer same-token', 'authorization'), fromAuthorization('Bearer same-token', 'authorization'));
});

test('JWT claims: legacy token (no exp) is not bound, aud string becomes a list, junk is not a JWT', () => {
  const legacy = `${b64({ alg: 'RS256' })}.${b64({ iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:default:x', aud: 'api' })}.sig`;
  assert.equal(jwtClaims(legacy), { iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:default:x', aud: ['api'], exp: null, bound: false });
  const noBinding = `${b64({ alg: 'RS256' })}.${b64({ exp: 5, 'kubernetes.io': { namespace: 'a' } })}.sig`;
  assert.is(jwtClaims(noBinding)!.bound, false);
  assert.is(jwtClaims('a.b.c'), null);
  assert.is(jwtClaims(`${b64({ typ: 'x' })}.${b64({})}.s`), null, 'no alg: not a JWS header');
  assert.is(jwtClaims(`${b64({ alg: 'none' })}.${b64([1, 2])}.s`), null, 'payload must be an object');
});

test('cookies: first token-like name wins, others ignored', () => {
  const c = fromCookie('theme=dark; lang=en; kube_session=abcdef123456; auth_token=zzz')!;
  assert.equal([c.kind, c.carrier, c.len, c.sha256Prefix], ['cookie', 'cookie:kube_session', 12, prefix('abcdef123456')]);
  assert.is(fromCookie('theme=dark; lang=en'), null);
});

test('query tokens are redacted in the target (fragment kept) and reported decoded', () => {
  const r = redactTarget('/api/v1/watch?fieldSelector=a%3Db&access_token=abc%2Fdef&x=1#frag');
  assert.is(r.path, '/api/v1/watch?fieldSelector=a%3Db&access_token=<redacted>&x=1#frag');
  assert.equal([r.cred!.kind, r.cred!.carrier, r.cred!.len, r.cred!.sha256Prefix], ['query', 'query:access_token', 7, prefix('abc/def')]);
  assert.equal(redactTarget('/plain'), { path: '/plain', cred: null });
  assert.is(redactTarget('/x?token=%E0%A4%A').cred!.len, '%E0%A4%A'.length, 'malformed escapes kept raw');
  assert.is(redactTarget('/x?api_key=k1&token=t2').cred!.carrier, 'query:api_key', 'the first one');
});

test('the Authorization memo answers as fromAuthorization for every value, carrier and order, without keeping the value', () => {
  const m = new AuthorizationMemo();
  const values = ['Bearer aaaa', 'Bearer aaab', 'Bearer aaaa', 'Basic aaaa', 'bearer aaaa', 'Digest x=1', 'Bearer aaaa'];
  for (const v of values) {
    for (const carrier of ['authorization', 'proxy-authorization'] as const) {
      assert.equal(m.read(v, carrier), fromAuthorization(v, carrier), `${v} ${carrier}`);
      assert.equal(m.read(v, carrier), fromAuthorization(v, carrier), `${v} ${carrier} again`);
    }
  }
  assert.not.ok(JSON.stringify(m).includes('aaaa'), 'the value is not kept');
});

test.run();
