import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert { dir: string; keyPath: string; certPath: string; key: Buffer; cert: Buffer; der: Buffer; cleanup(): void }

/** A fresh self-signed RSA certificate made by OpenSSL in a temporary directory. */
export function makeCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'cw-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=cw-decrypt-test', '-days', '1',
    '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  const cert = readFileSync(certPath);
  return {
    dir, keyPath, certPath, key: readFileSync(keyPath), cert, der: new X509Certificate(cert).raw,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
