import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecordProxy, type Chunk } from './record-proxy.js';

export interface Pki {
  dir: string;
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  ec: { cert: string; key: string };
  ed: { cert: string; key: string };
}

function ossl(dir: string, args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** A CA (RSA-2048), an RSA server leaf signed by it, an EC P-256 client leaf signed by it, a self-signed Ed25519 cert. */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'cw-tls-'));
  ossl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3',
    '-subj', '/C=DE/O=Test CA, Inc./CN=Test Root', '-addext', 'basicConstraints=critical,CA:TRUE']);
  ossl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/O=Cluster/CN=kube-apiserver']);
  ossl(dir, ['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2']);
  ossl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'cli.key']);
  ossl(dir, ['req', '-new', '-key', 'cli.key', '-out', 'cli.csr', '-subj', '/O=system:masters/CN=admin']);
  ossl(dir, ['x509', '-req', '-in', 'cli.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cli.pem', '-days', '2']);
  ossl(dir, ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', 'ed.key', '-out', 'ed.pem', '-days', '2', '-subj', '/CN=ed node',
    '-addext', 'subjectAltName=DNS:node-1.example,IP:10.0.0.7']);
  ossl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ec.key', '-out', 'ec.pem',
    '-days', '2', '-subj', '/CN=ec server']);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    server: { cert: join(dir, 'srv.pem'), key: join(dir, 'srv.key') },
    client: { cert: join(dir, 'cli.pem'), key: join(dir, 'cli.key') },
    ec: { cert: join(dir, 'ec.pem'), key: join(dir, 'ec.key') },
    ed: { cert: join(dir, 'ed.pem'), key: join(dir, 'ed.key') },
  };
}

/** `openssl x509` facts about a certificate file: expected values come from OpenSSL, not from us. */
export function opensslCertFacts(pem: string): { subject: string; issuer: string; sha256: string } {
  const dir = tmpdir();
  const out = ossl(dir, ['x509', '-in', pem, '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253', '-fingerprint', '-sha256']);
  const get = (k: string): string => (out.split('\n').find((l) => l.startsWith(k)) ?? '').slice(k.length);
  return {
    subject: get('subject='),
    issuer: get('issuer='),
    sha256: get('sha256 Fingerprint=').replace(/:/g, '').toLowerCase(),
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface OpensslRun {
  chunks: Chunk[];
  serverOut: string;
  clientOut: string;
}

/** Runs `openssl s_server` and `openssl s_client` through the recording proxy (one connection). */
export async function runOpenssl(pki: Pki, serverArgs: string[], clientArgs: string[], holdMs = 400): Promise<OpensslRun> {
  return (await runOpensslSeries(pki, serverArgs, [clientArgs], holdMs))[0]!;
}

/**
 * One `openssl s_server` serving several `openssl s_client` runs in turn (session caches survive between them).
 * Each client's stdin closes after `holdMs` (it then sends close_notify and exits) unless it exits first.
 */
export async function runOpensslSeries(pki: Pki, serverArgs: string[], clients: string[][], holdMs = 400): Promise<OpensslRun[]> {
  const port = await freePort();
  const srv = spawn('openssl', ['s_server', '-accept', String(port), '-naccept', String(clients.length), '-cert', pki.server.cert,
    '-key', pki.server.key, '-CAfile', pki.ca, ...serverArgs], { cwd: pki.dir });
  let serverOut = '';
  srv.stdout.on('data', (d) => (serverOut += d));
  srv.stderr.on('data', (d) => (serverOut += d));
  await new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const t = setInterval(() => {
      if (serverOut.includes('ACCEPT')) { clearInterval(t); resolve(); }
      else if (Date.now() - t0 > 5000) { clearInterval(t); reject(new Error('s_server did not start: ' + serverOut)); }
    }, 10);
  });
  const proxy = await startRecordProxy(port);
  const outs: string[] = [];
  for (const clientArgs of clients) {
    const cli = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${proxy.port}`, '-CAfile', pki.ca, ...clientArgs], { cwd: pki.dir });
    let clientOut = '';
    cli.stdout.on('data', (d) => (clientOut += d));
    cli.stderr.on('data', (d) => (clientOut += d));
    cli.stdin.write('ping\n');
    const stop = setTimeout(() => cli.stdin.end(), holdMs);
    await new Promise((r) => cli.on('exit', r));
    clearTimeout(stop);
    outs.push(clientOut);
  }
  if (srv.exitCode === null) srv.kill();
  await new Promise((r) => (srv.exitCode !== null ? r(null) : srv.on('exit', r)));
  await proxy.close();
  return outs.map((clientOut, i) => ({ chunks: proxy.connections[i] ?? [], serverOut, clientOut }));
}

export interface NodeRun {
  chunks: Chunk[];
  /** What the Node server saw: whether the client presented a certificate. */
  serverSawCert: boolean;
}

/** A Node tls server and client through the recording proxy. */
export async function runNode(pki: Pki, requestCert: boolean, withClientCert: boolean, maxVersion: tls.SecureVersion): Promise<NodeRun> {
  let serverSawCert = false;
  const server = tls.createServer({
    cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key), ca: readFileSync(pki.ca),
    requestCert, rejectUnauthorized: false, maxVersion,
  }, (s) => {
    serverSawCert = Object.keys(s.getPeerCertificate()).length > 0;
    s.end('bye');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy = await startRecordProxy((server.address() as net.AddressInfo).port);
  await new Promise<void>((resolve) => {
    const c = tls.connect({
      host: '127.0.0.1', port: proxy.port, ca: readFileSync(pki.ca), servername: 'kubernetes.default.svc',
      checkServerIdentity: () => undefined, ALPNProtocols: ['h2', 'http/1.1'], maxVersion,
      ...(withClientCert ? { cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) } : {}),
    });
    c.on('data', () => undefined);
    c.on('error', () => resolve());
    c.on('close', () => resolve());
  });
  await proxy.close();
  await new Promise<void>((r) => server.close(() => r()));
  return { chunks: proxy.connections[0] ?? [], serverSawCert };
}
