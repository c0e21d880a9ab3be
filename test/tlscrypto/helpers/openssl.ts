import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { recordProxy } from '../../http2/helpers/record-proxy.js';
import type { TestCert } from './certs.js';
import type { Chunk } from './tls-walk.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * One `openssl s_server -www` / `openssl s_client` session on loopback through the recording
 * proxy. The server writes the key log. `clientLines` are typed into s_client one by one (its
 * `k` command sends a TLS 1.3 KeyUpdate), the last one being the HTTP request.
 */
export async function opensslSession(cert: TestCert, serverArgs: string[], clientArgs: string[], clientLines: string[]): Promise<{ chunks: Chunk[]; keylog: string; clientOut: string }> {
  const port = await freePort();
  const keylogPath = join(cert.dir, `keylog-${port}.txt`);
  const server = spawn('openssl', ['s_server', '-accept', String(port), '-naccept', '1', '-www', '-cert', cert.certPath, '-key', cert.keyPath,
    '-keylogfile', keylogPath, ...serverArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('ACCEPT')) resolve(); });
      server.on('exit', (c) => reject(new Error(`s_server exited ${c}`)));
    });
    const proxy = await recordProxy(port);
    const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${proxy.port}`, '-servername', 'cw.test', ...clientArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    let clientOut = '';
    client.stdout.on('data', (d: Buffer) => { clientOut += d.toString('latin1'); });
    const exited = new Promise<void>((r) => client.on('exit', () => r()));
    await new Promise<void>((r) => { const t = setInterval(() => { if (clientOut.includes('---\n') && clientOut.includes('Verify return code')) { clearInterval(t); r(); } }, 20); });
    for (const l of clientLines) {
      client.stdin.write(l);
      await new Promise((r) => setTimeout(r, 100));
    }
    const timer = setTimeout(() => client.kill(), 5000);
    await exited;
    clearTimeout(timer);
    await proxy.drained();
    await proxy.close();
    return { chunks: proxy.connections[0]!, keylog: readFileSync(keylogPath, 'latin1'), clientOut };
  } finally {
    server.kill();
  }
}
