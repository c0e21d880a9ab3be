import type { CertFacts, ClientAuth, CredentialFacts, FactSource, HttpExchange, TlsFacts } from '../core/facts.js';
import type { Evidence } from './types.js';
import { isoFromMs } from '../core/time.js';

/** A credential as its kind, length and hash prefix, plus a JWT's non-secret claims; never the secret. */
export function credentialEvidence(cred: CredentialFacts): Evidence {
  const e: Evidence = { kind: cred.kind, len: cred.len, sha256_prefix: cred.sha256Prefix, carrier: cred.carrier };
  if (cred.jwt) {
    e.jwt = {
      iss: cred.jwt.iss,
      sub: cred.jwt.sub,
      aud: cred.jwt.aud,
      exp: cred.jwt.exp === null ? null : isoFromMs(cred.jwt.exp * 1000),
      bound: cred.jwt.bound,
    };
  }
  return e;
}

export function exchangeEvidence(x: HttpExchange): Evidence {
  return { method: x.method, host: x.host, path: x.path, status: x.status, version: x.version };
}

export function certEvidence(cert: CertFacts): Evidence {
  return { subject: cert.subject, issuer: cert.issuer, not_before: cert.notBefore, not_after: cert.notAfter, sha256: cert.sha256 };
}

/** Client authentication as seen; `inferredOk` admits a record-size inference (said so in the evidence). */
export function clientAuthSeen(tls: TlsFacts, inferredOk: boolean): { value: ClientAuth; source: FactSource } | null {
  if (tls.clientAuth === 'unknown') return null;
  if (tls.clientAuthSource === 'inferred' && !inferredOk) return null;
  return { value: tls.clientAuth, source: tls.clientAuthSource };
}

/** A full (not resumed) handshake whose server flight was readable: a CertificateRequest would have been seen. */
export function fullHandshakeVisible(tls: TlsFacts): boolean {
  return tls.serverHello !== null && !tls.resumed && tls.chainVisible && tls.serverChain !== null && tls.serverChain.length > 0;
}
