import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CertFacts } from '../core/facts.js';
import { certCoversName } from './hostname.js';
import { isoFromMs } from '../core/time.js';

/** SPEC `tls.validation`. */
export type Validation = 'trusted' | 'untrusted' | 'self-signed' | 'expired' | 'name-mismatch' | 'unknown';

export interface ExpiredCert {
  subject: string;
  notBefore: string;
  notAfter: string;
  /** Before notBefore rather than after notAfter. */
  notYetValid: boolean;
}

/** The outcome of verifying a server chain at packet time. */
export interface ChainCheck {
  validation: Validation;
  /** One line saying why. */
  reason: string;
  /** The chain reached a certificate of a trust bundle. */
  anchored: boolean;
  /** The chain ends at a self-signed certificate that no bundle holds. */
  selfSigned: boolean;
  /** Certificates on the verified path (anchor included) outside their validity. */
  expired: ExpiredCert[];
  /** The name checked against the leaf's SANs (SNI, else the server IP), and the answer. */
  name: string | null;
  nameMatch: boolean | null;
  /** Subjects from leaf to the last certificate reached. */
  path: string[];
}

export class TrustBundleError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'TrustBundleError';
  }
}

const MAX_DEPTH = 10;
const CACHE_CAP = 512;
const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Trust anchors from PEM bundles (`--ca`, `trustBundles`, what a node reveals). */
export class TrustStore {
  private readonly anchors: X509Certificate[] = [];
  private readonly anchorFingerprints = new Set<string>();
  /** Parsed presented certificates by SHA-256; bounded, cleared when full. */
  private readonly parsed = new Map<string, X509Certificate | null>();
  /**
   * "issuer's key verifies subject's signature", by both fingerprints: a signature check costs
   * ~20 us and every connection presents the same few chains. Time plays no part in it.
   */
  private readonly signatures = new Map<string, boolean>();
  /** Path walks by chain array (weakly: a chain no connection holds any more is forgotten). */
  private walked = new WeakMap<readonly CertFacts[], WalkedChain>();

  private signedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
    const key = `${subject.fingerprint256}/${issuer.fingerprint256}`;
    let ok = this.signatures.get(key);
    if (ok === undefined) {
      ok = subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
      if (this.signatures.size >= CACHE_CAP) this.signatures.clear();
      this.signatures.set(key, ok);
    }
    return ok;
  }

  static fromFiles(paths: readonly string[]): TrustStore {
    const store = new TrustStore();
    for (const p of paths) {
      let text: string;
      try {
        text = readFileSync(p, 'utf8');
      } catch (e) {
        throw new TrustBundleError(p, `cannot read trust bundle: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      store.addPem(text, p);
    }
    return store;
  }

  get size(): number {
    return this.anchors.length;
  }

  /** Adds every certificate of a PEM text; returns how many. Throws naming `source` when there is none or one is bad. */
  addPem(text: string, source: string): number {
    const blocks = text.match(PEM_RE) ?? [];
    if (blocks.length === 0) throw new TrustBundleError(source, 'no PEM certificate in trust bundle');
    for (const [i, b] of blocks.entries()) {
      let x: X509Certificate;
      try {
        x = new X509Certificate(b);
      } catch (e) {
        throw new TrustBundleError(source, `certificate ${i + 1} is not valid X.509: ${(e as Error).message}`);
      }
      if (this.anchorFingerprints.has(x.fingerprint256)) continue;
      this.anchors.push(x);
      this.anchorFingerprints.add(x.fingerprint256);
      // Paths walked before may now reach this anchor.
      this.walked = new WeakMap();
    }
    return blocks.length;
  }

  private x509(c: CertFacts): X509Certificate | null {
    const hit = this.parsed.get(c.sha256);
    if (hit !== undefined) return hit;
    let x: X509Certificate | null;
    try {
      x = new X509Certificate(c.der);
    } catch {
      x = null;
    }
    if (this.parsed.size >= CACHE_CAP) this.parsed.clear();
    this.parsed.set(c.sha256, x);
    return x;
  }

  /**
   * Verifies a presented chain (leaf first, others in any order) at `atMs` (packet time): signatures,
   * issuer linkage, CA flag of intermediates, validity of every certificate on the path, SAN coverage of `name`.
   */
  verify(chain: readonly CertFacts[] | null, atMs: number, name: string | null): ChainCheck {
    const out: ChainCheck = { validation: 'unknown', reason: 'chain not visible', anchored: false, selfSigned: false, expired: [], name, nameMatch: null, path: [] };
    if (chain === null || chain.length === 0) return out;
    if (chain[0]!.partial) return finish(out, 'unknown', `only the head of ${chain[0]!.subject} was read (its Certificate message is over the size cap): signatures not checked`);
    let walked = this.walked.get(chain);
    if (walked === undefined) {
      walked = this.walk(chain);
      this.walked.set(chain, walked);
    }
    if (walked.problem === LEAF_UNPARSABLE) return finish(out, 'untrusted', walked.problem);
    out.anchored = walked.anchored;
    out.selfSigned = walked.selfSigned;
    out.path = walked.path.slice();
    for (let i = 0; i < walked.path.length; i++) {
      const nb = walked.notBefore[i]!;
      const na = walked.notAfter[i]!;
      if (atMs < nb || atMs > na) {
        out.expired.push({ subject: walked.path[i]!, notBefore: isoFromMs(nb), notAfter: isoFromMs(na), notYetValid: atMs < nb });
      }
    }
    if (name !== null && name !== '') out.nameMatch = certCoversName(chain[0]!, name);

    const problem = walked.problem;
    if (problem !== null) return finish(out, 'untrusted', problem);
    if (out.selfSigned && !out.anchored) return finish(out, 'self-signed', `chain ends at self-signed ${out.path[out.path.length - 1]} which no trust bundle holds`);
    if (!out.anchored && this.size > 0) return finish(out, 'untrusted', `${out.path[out.path.length - 1]} is not issued by any trust bundle certificate`);
    const e = out.expired[0];
    if (e !== undefined) return finish(out, 'expired', `${e.subject} is ${e.notYetValid ? 'not valid before' : 'expired since'} ${e.notYetValid ? e.notBefore : e.notAfter}`);
    if (out.nameMatch === false) return finish(out, 'name-mismatch', `${name} is not covered by the SANs of ${chain[0]!.subject}`);
    if (out.anchored) return finish(out, 'trusted', `chain verifies to a trust bundle certificate`);
    return finish(out, 'unknown', 'no trust bundle to verify against');
  }

  /**
   * The issuer path of a chain, from the leaf up, and what ended it: all of a check that does not
   * depend on time or name. Chains of a server repeat as one shared array (the TLS dissector keeps
   * a parse per Certificate message), so this is remembered per array for this store's anchors.
   */
  private walk(chain: readonly CertFacts[]): WalkedChain {
    const w: WalkedChain = { anchored: false, selfSigned: false, problem: null, path: [], notBefore: [], notAfter: [] };
    const xs = chain.map((c) => this.x509(c));
    if (xs[0] === null || xs[0] === undefined) {
      w.problem = LEAF_UNPARSABLE;
      return w;
    }
    const onPath: { facts: CertFacts | null; x: X509Certificate }[] = [{ facts: chain[0]!, x: xs[0] }];
    const used = new Set<number>([0]);
    let cur = xs[0];
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      if (this.anchorFingerprints.has(cur.fingerprint256)) {
        w.anchored = true;
        break;
      }
      const anchor = this.anchors.find((a) => this.signedBy(cur, a));
      if (anchor !== undefined) {
        onPath.push({ facts: null, x: anchor });
        w.anchored = true;
        break;
      }
      if (this.signedBy(cur, cur)) {
        w.selfSigned = true;
        break;
      }
      let next = -1;
      let badSignature = false;
      for (let i = 0; i < xs.length; i++) {
        const cand = xs[i];
        if (used.has(i) || !cand || !cur.checkIssued(cand)) continue;
        if (this.signedBy(cur, cand)) {
          next = i;
          break;
        }
        badSignature = true;
      }
      if (next < 0) {
        // A missing issuer is only a fault when there are bundles it should have led to.
        if (badSignature) w.problem = `signature of ${subjectOf(cur)} does not verify with its presented issuer`;
        else if (this.size > 0) w.problem = `no issuer found for ${subjectOf(cur)}`;
        break;
      }
      const nextFacts = chain[next]!;
      if (!nextFacts.ca) {
        w.problem = `${nextFacts.subject} signs ${subjectOf(cur)} but is not a CA (basicConstraints)`;
        break;
      }
      used.add(next);
      onPath.push({ facts: nextFacts, x: xs[next]! });
      cur = xs[next]!;
    }
    for (const p of onPath) {
      w.path.push(p.facts?.subject ?? subjectOf(p.x));
      w.notBefore.push(p.facts ? p.facts.notBeforeMs : Date.parse(p.x.validFrom));
      w.notAfter.push(p.facts ? p.facts.notAfterMs : Date.parse(p.x.validTo));
    }
    return w;
  }
}

const LEAF_UNPARSABLE = 'leaf certificate does not parse';

/** What verify() keeps of a chain's path walk. */
interface WalkedChain {
  anchored: boolean;
  selfSigned: boolean;
  problem: string | null;
  /** Subjects from leaf to the last certificate reached, with their validity (ms). */
  path: string[];
  notBefore: number[];
  notAfter: number[];
}

function finish(out: ChainCheck, v: Validation, reason: string): ChainCheck {
  out.validation = v;
  out.reason = reason;
  return out;
}

function subjectOf(x: X509Certificate): string {
  return x.subject.split('\n').reverse().join(',');
}
