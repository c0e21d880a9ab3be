import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rootCertificates } from 'node:tls';
import { TrustStore } from '../../src/cluster/trust.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';
import { checkServerChain } from '../../src/rules/engine.js';

/**
 * Real chains from Zeek's captures, against Zeek's validate-certs baseline (ssl-all.log
 * validation_status, Mozilla CA list at capture time). Node's bundled Mozilla roots stand in for
 * Zeek's list; where Mozilla has since removed a root (VeriSign G5, AddTrust) only the validity-time
 * half of Zeek's answer can be compared.
 */
const mozilla = new TrustStore();
mozilla.addPem(rootCertificates.join('\n'), 'node:tls rootCertificates');

async function conns(file: string): Promise<Map<number, ConnectionFacts>> {
  const out = new Map<number, ConnectionFacts>();
  await analyzeFiles([`../shared/corpus/zeek/tls/${file}`], { onConnection: (c) => out.set(c.client.port, c) });
  return out;
}

test('tls-expired-cert.pcap: "certificate has expired" vs "ok" at packet time', async () => {
  const cs = await conns('tls-expired-cert.pcap');
  const expired = checkServerChain(cs.get(60539)!, mozilla)!;
  assert.is(expired.expired.length, 1);
  assert.match(expired.expired[0]!.subject, 'CN=www.spidh.org');
  assert.is(expired.expired[0]!.notYetValid, false);
  const ok = checkServerChain(cs.get(60540)!, mozilla)!;
  assert.equal(ok.expired, []);
  assert.is(ok.path.length, 3);
});

test('missing-intermediate.pcap: "unable to get local issuer certificate", then "ok" for a full chain', async () => {
  const cs = await conns('missing-intermediate.pcap');
  const missing = checkServerChain(cs.get(58529)!, mozilla)!;
  assert.is(missing.validation, 'untrusted');
  assert.match(missing.reason, 'no issuer found for CN=www.cviis.org');
  const full = checkServerChain(cs.get(58530)!, mozilla)!;
  assert.ok(full.anchored);
  assert.equal(full.expired, []);
  assert.match(full.path[2]!, 'CN=Starfield Root Certificate Authority - G2');
});

test("missing-intermediate.pcap 58532: Zeek says ok only by caching 58530's intermediate; Go clients (and we) do not", async () => {
  const cs = await conns('missing-intermediate.pcap');
  const c = cs.get(58532)!;
  assert.is(checkServerChain(c, mozilla)!.validation, 'untrusted');
  const intermediate = cs.get(58530)!.tls!.serverChain![1]!;
  const completed = mozilla.verify([c.tls!.serverChain![0]!, intermediate], c.startMicros / 1000, null);
  assert.is(completed.validation, 'trusted');
});

test.run();
