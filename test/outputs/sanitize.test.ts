import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sanitize, sanitizeDeep } from '../../src/outputs/sanitize.js';

test('C0, DEL, C1 and ESC sequences lose their control characters; printable text and non-ASCII stay', () => {
  assert.is(sanitize('\u001b]0;owned\u0007title'), ']0;ownedtitle');
  assert.is(sanitize('a\u0000b\tc\r\nd\u007fe'), 'abcde');
  assert.is(sanitize('\u009b2J\u0085next'), '2Jnext');
  assert.is(sanitize('kubernetes.default.svc'), 'kubernetes.default.svc');
  assert.is(sanitize('Grüße ☸ ü'), 'Grüße ☸ ü');
  for (let i = 0; i < 0x20; i++) assert.is(sanitize(`x${String.fromCharCode(i)}y`), 'xy', `code ${i}`);
  for (let i = 0x7f; i <= 0x9f; i++) assert.is(sanitize(`x${String.fromCharCode(i)}y`), 'xy', `code ${i}`);
  assert.is(sanitize('x\u00a0y'), 'x\u00a0y');
});

test('sanitizeDeep reaches every string of a record, keys included, and keeps other values', () => {
  const rec = { type: 'connection', tls: { sni: 'a\u001bb', chain: [{ subject: 'CN=x\u009b' }] }, n: 3, ok: true, none: null, ['k\u0007']: 'v' };
  assert.equal(sanitizeDeep(rec), { type: 'connection', tls: { sni: 'ab', chain: [{ subject: 'CN=x' }] }, n: 3, ok: true, none: null, k: 'v' });
});

test.run();
