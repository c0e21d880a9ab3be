import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  /** CA certificate (also a self-signed server certificate of its own). */
  ca: string;
  caKey: string;
  /** Server certificate signed by the CA, SAN IP:127.0.0.1. */
  cert: string;
  key: string;
}

/** A CA and a server certificate it signs, made by openssl. */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'cw-probe-'));
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  writeFileSync(f('srv.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '3', '-subj', '/CN=probe-test-ca']);
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('srv.key'), '-out', f('srv.csr'), '-subj', '/CN=probe-test-server']);
  run(['x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('srv.pem'), '-days', '3', '-extfile', f('srv.ext')]);
  return { dir, ca: f('ca.pem'), caKey: f('ca.key'), cert: f('srv.pem'), key: f('srv.key') };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** `openssl s_server` on 127.0.0.1 with extra arguments; resolves once it accepts connections. */
export async function opensslServer(cert: string, key: string, extra: string[]): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert, '-key', key, '-www', '-quiet', ...extra], { stdio: ['ignore', 'ignore', 'ignore'] });
  await waitListening(port);
  return { port, proc };
}

/** A TCP server that misbehaves: `hang` accepts and says nothing, `reset` answers with RST, `garbage` sends non-TLS bytes. */
export async function misbehaving(mode: 'hang' | 'reset' | 'garbage'): Promise<{ port: number; server: Server; accepted: () => number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.on('error', () => {});
    if (mode === 'reset') s.resetAndDestroy();
    else if (mode === 'garbage') s.write(Buffer.from('SSH-2.0-not-tls\r\n'.repeat(200)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server, accepted: () => n };
}
