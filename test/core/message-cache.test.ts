import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageCache } from '../../src/core/message-cache.js';
import { rng } from '../helpers/rng.js';

test('a cached parse is returned only for the very same bytes: same length and edges with one byte changed in the middle is a miss', () => {
  const r = rng(5);
  const body = Buffer.from(Array.from({ length: 3000 }, () => Math.floor(r() * 256)));
  const c = new MessageCache<string>(8);
  c.set(body, 'v', 'parsed');
  assert.is(c.get(Buffer.from(body), 'v'), 'parsed');
  assert.is(c.get(body, 'other variant'), undefined);
  for (const at of [40, 1500, 2950]) {
    const near = Buffer.from(body);
    near[at]! ^= 1;
    assert.is(c.get(near, 'v'), undefined, `byte ${at}`);
  }
  assert.is(c.get(body.subarray(0, 2999), 'v'), undefined);
});

test('the cache keeps its own copy: the caller reusing its buffer changes nothing; it stays bounded', () => {
  const c = new MessageCache<number>(4);
  const scratch = Buffer.from('a certificate message in a reused read buffer');
  const copy = Buffer.from(scratch);
  c.set(scratch, '', 1);
  scratch.fill(0);
  assert.is(c.get(copy, ''), 1);
  assert.is(c.get(scratch, ''), undefined);
  for (let i = 0; i < 10; i++) c.set(Buffer.from(`message ${i}`), '', i);
  assert.is(c.get(Buffer.from('message 9'), ''), 9);
  assert.is(c.get(copy, ''), undefined, 'evicted once full');
});

test.run();
