import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebhookSink } from '../../src/outputs/webhook/index.js';
import { finding } from './receiver.js';

test('HTTPS: a receiver with a private CA is trusted through --webhook-ca only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-https-'));
  // A throwaway CA and a server certificate for 127.0.0.1, made by OpenSSL.
  const o = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  o(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca']);
  o(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=receiver']);
  o(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '2', '-extfile', 'san.ext']);
  const bodies: string[] = [];
  const server = https.createServer({ key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.crt')) }, (req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      bodies.push(b);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/in`;

  const untrusting = await createWebhookSink({ urls: [url], format: 'json', spoolDir: join(dir, 's1'), timeoutSeconds: 0.5, retryBaseMs: 50 });
  untrusting.write(finding(1));
  await untrusting.flush();
  const st = untrusting.stats;
  await untrusting.close();
  assert.is(st.delivered, 0, 'not delivered to a receiver the trust store does not know');
  assert.is(st.spooled, 1);
  assert.match(st.receivers[0].lastError ?? '', /CERT|SELF_SIGNED|UNABLE/);

  const trusting = await createWebhookSink({ urls: [url], format: 'json', spoolDir: join(dir, 's1'), timeoutSeconds: 5, caFile: join(dir, 'ca.crt') });
  await trusting.flush();
  assert.is(trusting.stats.receivers[0].lastError, undefined);
  assert.is(trusting.stats.delivered, 1, 'the spooled alert goes out once the CA is given');
  await trusting.close();
  assert.is(JSON.parse(bodies[0]).idempotency_key, `${finding(1).id}#1`);
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

test.run();
