import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { analyzeFiles } from '../../src/pipeline/analyze.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';

/** Made by test/pipeline/data/make-tshark-conv.py (commands recorded per file in the JSON). */
interface Baseline {
  files: {
    path: string;
    conversations: { a: string; b: string; framesAtoB: number; framesBtoA: number }[];
    payload_by_stream: Record<string, number>[];
  }[];
}
const baseline = JSON.parse(readFileSync('test/pipeline/data/tshark-conv.json', 'utf8')) as Baseline;

/** tshark writes `ip:port` (IPv6 unbracketed) or `[ip]:port`; normalise to `ip port`. */
function ep(s: string): string {
  const i = s.lastIndexOf(':');
  return `${s.slice(0, i).replace(/^\[|\]$/g, '')} ${s.slice(i + 1)}`;
}

async function connections(path: string): Promise<ConnectionFacts[]> {
  const out: ConnectionFacts[] = [];
  const r = await analyzeFiles([`../shared/corpus/${path}`], { onConnection: (c) => out.push(c) });
  assert.is(r.stats.flows, out.length, `${path}: every flow reported once`);
  return out.filter((c) => c.transport === 'tcp').sort((x, y) => x.startMicros - y.startMicros || x.id - y.id);
}

assert.ok(baseline.files.length >= 8);

for (const f of baseline.files) {
  test(`TCP connections, packets and payload bytes equal tshark: ${f.path}`, async () => {
    const ours = await connections(f.path);
    assert.is(ours.length, f.conversations.length, 'connection count');
    const used = new Set<number>();
    for (const conv of f.conversations) {
      const a = ep(conv.a);
      const b = ep(conv.b);
      const i = ours.findIndex((c, k) => {
        if (used.has(k)) return false;
        const cl = `${c.client.ip} ${c.client.port}`;
        const sv = `${c.server.ip} ${c.server.port}`;
        return (cl === a && sv === b) || (cl === b && sv === a);
      });
      assert.ok(i >= 0, `no connection ${conv.a} <-> ${conv.b}`);
      used.add(i);
      const c = ours[i]!;
      const aIsClient = `${c.client.ip} ${c.client.port}` === a;
      const want = aIsClient ? [conv.framesAtoB, conv.framesBtoA] : [conv.framesBtoA, conv.framesAtoB];
      assert.equal(c.packets, want, `packets ${conv.a} <-> ${conv.b}`);
    }
    // Payload bytes per connection, as sets of (endpoint -> bytes) maps.
    const theirs = f.payload_by_stream.map((m) => Object.entries(m).map(([k, v]) => `${ep(k)}=${v}`).sort().join(' ')).sort();
    const mine = ours.map((c) => {
      const parts = [`${c.client.ip} ${c.client.port}=${c.bytes[0]}`];
      if (c.packets[1] > 0) parts.push(`${c.server.ip} ${c.server.port}=${c.bytes[1]}`);
      return parts.sort().join(' ');
    }).sort();
    assert.equal(mine, theirs, 'payload bytes');
  });
}

test.run();
