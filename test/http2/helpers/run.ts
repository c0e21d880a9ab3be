import type { DissectorContext, StreamSink } from '../../../src/core/dissector.js';
import type { Http2Facts } from '../../../src/core/facts.js';
import { http2Factory } from '../../../dissectors/http2/index.js';
import type { Chunk } from './tshark-follow.js';

export interface Run { facts: Http2Facts; anomalies: { code: string; detail: string }[]; done: boolean }

export function context(anomalies: { code: string; detail: string }[]): DissectorContext {
  return {
    anomaly: (code, detail) => { anomalies.push({ code, detail }); },
    tunnel: (): StreamSink => { throw new Error('no tunnel in http2 tests'); },
    secrets: null,
    decryptApp: false,
  };
}

/** Feeds chunks (optionally re-split into pieces of at most `split` bytes) to a fresh dissector. */
export function feed(chunks: Chunk[], split = 0): Run {
  const anomalies: { code: string; detail: string }[] = [];
  const d = http2Factory.create(context(anomalies));
  let ts = 0;
  for (const c of chunks) {
    if (split <= 0) { d.data(c.dir, c.data, ts++); continue; }
    for (let i = 0; i < c.data.length; i += split) d.data(c.dir, c.data.subarray(i, i + split), ts++);
  }
  d.end(0, 'fin', ts);
  d.end(1, 'fin', ts);
  return { facts: d.facts() as Http2Facts, anomalies, done: d.done };
}
