import { createHash } from 'node:crypto';
import type { CredentialFacts, CredentialKind, JwtClaims } from '../../src/core/facts.js';

/*
 * Turns credential-bearing header values into CredentialFacts: kind, length, a short hash and
 * a JWT's non-secret claims. The secret itself never leaves this module, not even in errors.
 */

/** Cookie and query parameter names that carry a token. */
const TOKEN_NAME = /(token|jwt|auth|session|sid$|^sid|bearer|api[-_]?key|password|secret)/i;
/** JWTs above this are not parsed for claims (still hashed). */
const JWT_CAP = 16 * 1024;

function sha256Prefix(secret: string): string {
  return createHash('sha256').update(secret, 'latin1').digest('hex').slice(0, 12);
}

function make(kind: CredentialKind, secret: string, carrier: string): CredentialFacts {
  return { kind, len: Buffer.byteLength(secret, 'latin1'), sha256Prefix: sha256Prefix(secret), carrier, jwt: jwtClaims(secret) };
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.slice(0, 256) : null;
}

/** Non-secret claims of a compact JWS, or null when `token` is not one. */
export function jwtClaims(token: string): JwtClaims | null {
  if (token.length > JWT_CAP) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || !('alg' in header)) return null;
    const p: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return null;
    const c = p as Record<string, unknown>;
    const aud = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud.filter((a): a is string => typeof a === 'string').slice(0, 16) : [];
    const exp = typeof c.exp === 'number' && Number.isFinite(c.exp) ? c.exp : null;
    const k8s = c['kubernetes.io'];
    const bound = exp !== null && typeof k8s === 'object' && k8s !== null && ('pod' in k8s || 'secret' in k8s);
    return { iss: str(c.iss), sub: str(c.sub), aud: aud.map((a) => a.slice(0, 256)), exp, bound };
  } catch {
    // Not JSON inside: simply not a JWT. The parse error is dropped because it may quote the token.
    return null;
  }
}

/** `authorization` / `proxy-authorization` value (RFC 9110 11.4). */
export function fromAuthorization(header: string, value: string): CredentialFacts | null {
  const m = /^\s*(\S+)\s+(\S+)/.exec(value);
  if (m === null) {
    // A bare token (some clients omit the scheme); a bare scheme name carries no secret.
    const v = value.trim();
    return v === '' || /^(bearer|basic|negotiate|digest)$/i.test(v) ? null : make('bearer', v, header);
  }
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'basic') return make('basic', m[2]!, header);
  return make('bearer', m[2]!, header);
}

/** The first token-like cookie of a `cookie` header value. */
export function fromCookie(value: string): CredentialFacts | null {
  for (const pair of value.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const v = pair.slice(eq + 1).trim();
    if (v !== '' && TOKEN_NAME.test(name)) return make('cookie', v, `cookie:${name.slice(0, 64)}`);
  }
  return null;
}

/**
 * Replaces the values of token-like query parameters with `<redacted>`; reports the first as a
 * credential.
 */
export function redactPath(path: string): { path: string; cred: CredentialFacts | null } {
  const q = path.indexOf('?');
  if (q < 0) return { path, cred: null };
  let cred: CredentialFacts | null = null;
  const params = path.slice(q + 1).split('&').map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0) return p;
    const name = p.slice(0, eq);
    const v = p.slice(eq + 1);
    if (v === '' || !TOKEN_NAME.test(name)) return p;
    if (cred === null) {
      let secret = v;
      try { secret = decodeURIComponent(v); } catch { /* keep the raw form: malformed escapes are still the secret */ }
      cred = make('query', secret, `query:${name.slice(0, 64)}`);
    }
    return `${name}=<redacted>`;
  });
  return { path: `${path.slice(0, q)}?${params.join('&')}`, cred };
}
