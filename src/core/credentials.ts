import { hash } from 'node:crypto';
import type { CredentialFacts, CredentialKind, JwtClaims } from './facts.js';

/**
 * Credentials seen in a request (HTTP/1 header, HTTP/2 or gRPC header field) become
 * CredentialFacts: kind, length and the first 12 hex digits of SHA-256 of the secret, plus a
 * JWT's non-secret claims. The secret never leaves this module: no returned field and no
 * exception message carries it.
 *
 * The secret is the credential as the server receives it: the token after `Bearer ` (or a bare
 * token), the base64 after `Basic `, a cookie's value, a query parameter's percent-decoded value.
 * Other Authorization schemes (Digest, Negotiate, AWS4-HMAC-SHA256...) have no CredentialKind in
 * the contract: they yield no credential, only their scheme name, for the caller to report.
 */

/** Cookie and query parameter names that carry a token (case-insensitive). */
const TOKEN_NAME = /(token|jwt|auth|session|sid$|^sid|bearer|api[-_]?key|password|secret)/i;
const SCHEME_NAMES = /^(bearer|basic|negotiate|digest|ntlm|hoba|mutual|aws4-hmac-sha256)$/i;
const CLAIM_MAX = 256;
const AUD_MAX = 8;
/** JWTs above this are not parsed for claims (still hashed). */
const JWT_MAX = 16384;
const REDACTED = '<redacted>';

/**
 * Credentials already read, by kind, carrier and the SHA-256 of the secret (never the secret):
 * a cluster's clients present the same few tokens on connection after connection, and decoding
 * a JWT each time cost more than hashing it. The facts are shared and never changed.
 */
const known = new Map<string, CredentialFacts>();
const ASCII = /^[\x00-\x7f]*$/;
const MAX_KNOWN = 1024;

function credential(kind: CredentialKind, carrier: string, secret: string): CredentialFacts {
  // The secret's bytes are its latin1 encoding; for ASCII (tokens, base64) that is the UTF-8 a string hashes as.
  const digest = hash('sha256', ASCII.test(secret) ? secret : Buffer.from(secret, 'latin1'), 'hex');
  const key = `${kind} ${carrier} ${digest}`;
  const hit = known.get(key);
  if (hit !== undefined) return hit;
  const c: CredentialFacts = { kind, len: secret.length, sha256Prefix: digest.slice(0, 12), carrier, jwt: jwtClaims(secret) };
  if (known.size >= MAX_KNOWN) known.clear();
  known.set(key, c);
  return c;
}

export interface AuthResult {
  cred: CredentialFacts | null;
  /** The scheme of an Authorization value that is neither Bearer nor Basic (a token-safe name). */
  otherScheme: string | null;
}

/** An Authorization or Proxy-Authorization (RFC 9110 section 11.6.2, 11.7.2) value. */
export function fromAuthorization(value: string, carrier: 'authorization' | 'proxy-authorization'): AuthResult {
  const v = value.trim();
  const sp = v.search(/\s/);
  if (sp < 0) {
    // A bare token (some clients omit the scheme); a bare scheme name carries no secret.
    return { cred: v === '' || SCHEME_NAMES.test(v) ? null : credential('bearer', carrier, v), otherScheme: null };
  }
  const scheme = v.slice(0, sp).toLowerCase();
  const secret = v.slice(sp + 1).trim();
  if (scheme === 'bearer') return { cred: credential('bearer', carrier, secret), otherScheme: null };
  if (scheme === 'basic') return { cred: credential('basic', carrier, secret), otherScheme: null };
  const safe = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/.test(scheme) ? scheme : '(unparsable scheme)';
  return { cred: null, otherScheme: safe };
}

/** Two independent 32-bit FNV-1a sums of a string, as one number below 2^53. */
function fingerprint(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/**
 * A connection's clients send the same Authorization value on every request: what it gave is
 * remembered by a fingerprint of the value (a SHA-256 and a JWT decode per request were most of
 * what HTTP dissection cost). The value itself, a secret, is not kept.
 */
export class AuthorizationMemo {
  private fp = -1;
  private carrier = '';
  private result: AuthResult | null = null;

  read(value: string, carrier: 'authorization' | 'proxy-authorization'): AuthResult {
    const fp = fingerprint(value);
    if (this.result !== null && fp === this.fp && carrier === this.carrier) return this.result;
    this.result = fromAuthorization(value, carrier);
    this.fp = fp;
    this.carrier = carrier;
    return this.result;
  }
}

/** The first token-looking cookie of a Cookie header value. */
export function fromCookie(value: string): CredentialFacts | null {
  for (const pair of value.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const v = pair.slice(eq + 1).trim();
    if (v !== '' && TOKEN_NAME.test(name)) return credential('cookie', `cookie:${name.slice(0, 64)}`, v);
  }
  return null;
}

/** The request target with token-like query values replaced by `<redacted>`, and the first such token. */
export function redactTarget(target: string): { path: string; cred: CredentialFacts | null } {
  const q = target.indexOf('?');
  if (q < 0) return { path: target, cred: null };
  let cred: CredentialFacts | null = null;
  const hash = target.indexOf('#', q);
  const query = hash < 0 ? target.slice(q + 1) : target.slice(q + 1, hash);
  const parts = query.split('&').map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0) return p;
    const name = p.slice(0, eq);
    const v = p.slice(eq + 1);
    if (v === '' || !TOKEN_NAME.test(name)) return p;
    if (cred === null) {
      let secret = v;
      try {
        secret = decodeURIComponent(v);
      } catch {
        // Malformed escapes: the raw form is still the secret.
      }
      cred = credential('query', `query:${name.slice(0, 64)}`, secret);
    }
    return `${name}=${REDACTED}`;
  });
  return { path: `${target.slice(0, q)}?${parts.join('&')}${hash < 0 ? '' : target.slice(hash)}`, cred };
}

function b64urlJson(part: string): unknown {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(part)) return null;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    // The parser's message quotes the input; it is dropped here so no token text can escape.
    return null;
  }
}

function claimString(v: unknown): string | null {
  return typeof v === 'string' ? v.slice(0, CLAIM_MAX) : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Non-secret claims of a JWT (three base64url parts, JSON header with `alg`), or null. */
export function jwtClaims(token: string): JwtClaims | null {
  if (token.length > JWT_MAX) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const header = b64urlJson(parts[0] ?? '');
  if (!isObject(header) || typeof header['alg'] !== 'string') return null;
  const payload = b64urlJson(parts[1] ?? '');
  if (!isObject(payload)) return null;
  const audRaw = payload['aud'];
  const aud = (Array.isArray(audRaw) ? audRaw : [audRaw]).filter((a): a is string => typeof a === 'string')
    .slice(0, AUD_MAX).map((a) => a.slice(0, CLAIM_MAX));
  const exp = typeof payload['exp'] === 'number' && Number.isFinite(payload['exp']) ? payload['exp'] : null;
  const k8s = payload['kubernetes.io'];
  // Bound service-account tokens (KEP-1205) carry exp and a kubernetes.io claim naming the pod or secret they are bound to.
  const bound = exp !== null && isObject(k8s) && (isObject(k8s['pod']) || isObject(k8s['secret']));
  return { iss: claimString(payload['iss']), sub: claimString(payload['sub']), aud, exp, bound };
}
