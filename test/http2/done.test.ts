import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { http2Factory } from '../../dissectors/http2/index.js';
import { PREFACE } from '../../dissectors/http2/frames.js';
import { context } from './helpers/run.js';

// Frames written by hand from RFC 9113; header blocks use static-table indices only
// (0x82 :method GET, 0x84 :path /, 0x88 :status 200).
function frame(type: number, flags: number, sid: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type; h[4] = flags;
  h.writeUInt32BE(sid, 5);
  return Buffer.concat([h, payload]);
}
const GET = Buffer.from('8284', 'hex');
const OK = Buffer.from('88', 'hex');

test('server GOAWAY: done once the streams it will still process are finished', () => {
  const d = http2Factory.create(context([]));
  d.data(0, Buffer.concat([PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(1, 5, 1, GET), frame(1, 5, 3, GET)]), 0);
  const goaway = Buffer.alloc(8);
  goaway.writeUInt32BE(1, 0);
  d.data(1, Buffer.concat([frame(4, 0, 0, Buffer.alloc(0)), frame(7, 0, 0, goaway)]), 1);
  assert.not.ok(d.done, 'stream 1 still open');
  d.data(1, frame(1, 4, 1, OK), 2);
  assert.not.ok(d.done, 'no END_STREAM yet');
  d.data(1, frame(0, 1, 1, Buffer.from('body')), 3);
  assert.ok(d.done, 'stream 3 is above lastStreamId: it will never be answered');
});

test('no GOAWAY and fewer than 32 exchanges: never done (a long-lived gRPC stream keeps DATA flowing)', () => {
  const d = http2Factory.create(context([]));
  d.data(0, Buffer.concat([PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(1, 4, 1, GET)]), 0);
  d.data(1, Buffer.concat([frame(4, 0, 0, Buffer.alloc(0)), frame(1, 4, 1, OK)]), 1);
  for (let i = 0; i < 1000; i++) d.data(i & 1 ? 1 : 0, frame(0, 0, 1, Buffer.alloc(100)), 2 + i);
  assert.not.ok(d.done);
  d.data(1, frame(0, 1, 1, Buffer.alloc(0)), 2000);
  assert.not.ok(d.done, 'a new stream may still come');
});

test.run();
