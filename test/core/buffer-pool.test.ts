import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { giveBuffer, takeBuffer } from '../../src/core/buffer-pool.js';

test('takeBuffer gives at least the size asked, in power-of-two classes; a returned buffer is handed out again', () => {
  for (const [ask, cls] of [[1, 512], [512, 512], [513, 1024], [5000, 8192], [18437, 32768], [65536, 65536]] as const) {
    assert.is(takeBuffer(ask).length, cls, `${ask}`);
  }
  assert.is(takeBuffer(70000).length, 70000, 'above the largest class: exact');
  const b = takeBuffer(3000);
  giveBuffer(b);
  assert.is(takeBuffer(2100), b);
});

test('giveBuffer keeps only whole class buffers: views, odd sizes and foreign buffers are not pooled', () => {
  const big = takeBuffer(4096);
  const view = big.subarray(0, 2048);
  giveBuffer(view);
  assert.is.not(takeBuffer(2048), view);
  const odd = Buffer.alloc(3000);
  giveBuffer(odd);
  assert.is.not(takeBuffer(3000), odd);
});

test('each class keeps a bounded number of spares', () => {
  const many = Array.from({ length: 200 }, () => takeBuffer(1024));
  for (const b of many) giveBuffer(b);
  const back = new Set(many);
  let reused = 0;
  for (let i = 0; i < 200; i++) if (back.has(takeBuffer(1024))) reused++;
  assert.is(reused, 64);
});

test.run();
