import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { TrustStore } from '../../src/cluster/trust.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';
import { connectionRecord, type ConnectionRecord } from '../../src/outputs/connection-record.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';
import { assess } from '../../src/rules/assess.js';

/** Connection records and rule hits from real captures, against Zeek's own logs of them (ssl.log, notice.log). */
interface ZeekTls {
  source: string;
  client_ip: string;
  client_port: number;
  server_ip: string;
  server_port: number;
  cipher: string;
  sni: string | null;
  resumed: boolean;
  tls_version: string;
  server_cert_chain_fps_sha256?: string[];
  server_cert_subject?: string;
}
interface Capture {
  path: string;
  tls?: ZeekTls[];
}

const corpus = (JSON.parse(readFileSync('../shared/corpus/expected.json', 'utf8')) as { files: Capture[] }).files;
const trust = new TrustStore();

async function records(path: string): Promise<{ c: ConnectionFacts; rec: ConnectionRecord; rules: string[] }[]> {
  const out: { c: ConnectionFacts; rec: ConnectionRecord; rules: string[] }[] = [];
  await analyzeFiles([`../shared/corpus/${path}`], {
    onConnection: (c) => {
      const a = assess(c, null, trust);
      out.push({ c, rec: connectionRecord(c, a.path, a.check, a.verdict.verdict), rules: a.hits.map((h) => h.rule) });
    },
  });
  return out;
}

test("tls record fields equal Zeek's ssl.log for every Zeek connection with a server chain", async () => {
  let compared = 0;
  for (const cap of corpus) {
    const zs = (cap.tls ?? []).filter((t) => t.source.startsWith('zeek') && (t.server_cert_chain_fps_sha256 ?? []).length > 0);
    if (zs.length === 0) continue;
    const recs = await records(cap.path);
    for (const z of zs) {
      const client = z.client_ip.includes(':') ? `[${z.client_ip}]:${z.client_port}` : `${z.client_ip}:${z.client_port}`;
      const found = recs.find((x) => x.rec.client === client && x.rec.server.endsWith(`:${z.server_port}`));
      assert.ok(found, `${cap.path} ${client}`);
      const r = found!.rec;
      const label = `${cap.path} ${client}`;
      assert.ok(r.tls, `${label}: no tls record (proto ${r.proto})`);
      assert.is(r.tls!.version, z.tls_version, label);
      assert.is(r.tls!.cipher, z.cipher, label);
      assert.is(r.tls!.sni, z.sni, label);
      assert.is(r.tls!.resumed, z.resumed, label);
      assert.equal(r.tls!.server_chain!.map((x) => x.sha256), z.server_cert_chain_fps_sha256, label);
      if (z.server_cert_subject !== undefined) assert.is(r.tls!.server_chain![0]!.subject, z.server_cert_subject, label);
      compared++;
    }
  }
  assert.ok(compared >= 10, `compared ${compared}`);
});

test('cert-expired fires where Zeek raised SSL::Certificate_Expired, and not on the other connection', async () => {
  const recs = await records('zeek/tls/tls-expired-cert.pcap');
  const spidh = recs.find((x) => x.rec.server === '87.98.220.10:443')!;
  const tobu = recs.find((x) => x.rec.server === '122.1.240.204:443')!;
  assert.ok(spidh.rules.includes('cert-expired'));
  assert.not.ok(tobu.rules.includes('cert-expired'));
  // Zeek: "Certificate CN=www.spidh.org,OU=COMODO SSL,OU=Domain Control Validated expired at 2014-03-04-23:59:59".
  const leaf = spidh.rec.tls!.server_chain![0]!;
  assert.is(leaf.subject, 'CN=www.spidh.org,OU=COMODO SSL,OU=Domain Control Validated');
  assert.is(leaf.not_after, '2014-03-04T23:59:59.000Z');
  // TLS 1.0 on both: tls-legacy-version.
  assert.ok(spidh.rules.includes('tls-legacy-version') && tobu.rules.includes('tls-legacy-version'));
});

test.run();
