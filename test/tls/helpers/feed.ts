import type { TlsFacts } from '../../../src/core/facts.js';
import type { AnomalyEvent, DissectorContext } from '../../../src/core/dissector.js';
import type { StreamSink } from '../../../src/core/stream.js';
import { tlsFactory } from '../../../dissectors/tls/index.js';
import type { Chunk } from './record-proxy.js';

export interface FeedResult {
  facts: TlsFacts;
  anomalies: AnomalyEvent[];
  done: boolean;
}

export function testContext(anomalies: AnomalyEvent[]): DissectorContext {
  return {
    anomaly: (code, detail, dir) => anomalies.push({ code, detail, dir: dir ?? null }),
    tunnel: (): StreamSink => ({ data() {}, gap() {}, end() {} }),
    secrets: null,
    decryptApp: false,
  };
}

/** Feeds recorded chunks to a fresh TLS dissector, as the pipeline would (stops delivering once done). */
export function feed(chunks: Chunk[]): FeedResult {
  const anomalies: AnomalyEvent[] = [];
  const d = tlsFactory.create(testContext(anomalies));
  let ts = 0;
  for (const c of chunks) {
    if (d.done) break;
    d.data(c.dir, c.data, ts++);
  }
  if (!d.done) {
    d.end(0, 'fin', ts);
    d.end(1, 'fin', ts);
  }
  return { facts: d.facts() as TlsFacts, anomalies, done: d.done };
}
