import type { HttpExchange } from '../core/facts.js';
import type { ConnectionFacts } from '../facts/connection.js';
import type { ClusterModel } from '../cluster/model.js';
import type { ChainCheck, TrustStore } from '../cluster/trust.js';
import { tlsOf } from '../classify/classify.js';
import type { PathClassification } from '../classify/path-class.js';
import type { NodeFacts } from '../node/facts.js';
import type { ProbeResult } from '../probe/types.js';
import type { TlsFacts } from '../core/facts.js';
import { APISERVER_RULES } from './apiserver.js';
import { CATALOG, RULE_NAMES, type RuleName } from './catalog.js';
import { CERT_RULES } from './certs.js';
import { CLEARTEXT_RULES } from './cleartext.js';
import { ETCD_RULES } from './etcd.js';
import { KONNECTIVITY_RULES } from './konnectivity.js';
import { KUBELET_RULES } from './kubelet.js';
import { NODE_FILE_RULES } from './node-files.js';
import { PROBE_RULES, probedTls } from './probe.js';
import { SSH_RULES } from './ssh.js';
import { TLS_RULES } from './tls.js';
import type { RuleContext, RuleFn, RuleHit } from './types.js';

/** Every catalog rule has exactly one implementation (the type fails to check otherwise). */
export const RULES: Readonly<Record<RuleName, RuleFn>> = {
  ...CLEARTEXT_RULES,
  ...KUBELET_RULES,
  ...ETCD_RULES,
  ...KONNECTIVITY_RULES,
  ...TLS_RULES,
  ...CERT_RULES,
  ...SSH_RULES,
  ...APISERVER_RULES,
  ...NODE_FILE_RULES,
  ...PROBE_RULES,
};

const CLEARTEXT_PROTOS: ReadonlySet<string> = new Set(['http', 'http2', 'grpc', 'connect']);

/** The name a client checks the server cert against: SNI, else a CONNECT target's host, else the server IP. */
export function serverName(c: ConnectionFacts): string {
  const sni = tlsOf(c)?.sni;
  if (sni) return sni;
  const authority = c.tunnel?.tls ? c.http?.connect?.authority : undefined;
  if (authority) {
    const m = /^\[([^\]]+)\]:\d+$/.exec(authority) ?? /^([^:]+):\d+$/.exec(authority);
    if (m) return m[1]!;
  }
  return c.server.ip;
}

/** Verifies the visible server chain at the handshake's packet time. */
export function checkServerChain(c: ConnectionFacts, trust: TrustStore): ChainCheck | null {
  const tls = tlsOf(c);
  if (!tls || !tls.chainVisible || !tls.serverChain || tls.serverChain.length === 0) return null;
  return trust.verify(tls.serverChain, c.startMicros / 1000, serverName(c));
}

function cleartextExchanges(c: ConnectionFacts): HttpExchange[] {
  if (c.tls !== null) return [];
  const out: HttpExchange[] = [];
  for (const h of [c.http, c.http2]) if (h) out.push(...h.exchanges);
  if (c.tunnel && c.tunnel.tls === null) for (const h of [c.tunnel.http, c.tunnel.http2]) if (h) out.push(...h.exchanges);
  return out;
}

export function ruleContext(
  c: ConnectionFacts,
  path: PathClassification,
  model: ClusterModel | null,
  trust: TrustStore,
  check: ChainCheck | null,
  node: NodeFacts | null = null,
  probe: ProbeResult | null = null,
  tls: TlsFacts | null = tlsOf(c),
): RuleContext {
  return {
    c, path, model, trust, check, node, probe, tls,
    cleartextExchanges: cleartextExchanges(c),
    cleartext: c.tls === null && CLEARTEXT_PROTOS.has(c.proto),
    atMs: c.startMicros / 1000,
  };
}

function run(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const name of RULE_NAMES) {
    const evidence = RULES[name](ctx);
    if (evidence === null) continue;
    const meta = CATALOG[name];
    hits.push({ rule: name, severity: meta.severity, evidence, remediation: meta.remediation, ...(meta.cis ? { cis: meta.cis } : {}) });
  }
  return hits;
}

/** Every rule's hits, plus the TLS view and chain check they were decided on (the probe's where it filled in). */
export interface Evaluation {
  hits: RuleHit[];
  tls: TlsFacts | null;
  check: ChainCheck | null;
}

/**
 * Runs every catalog rule on one connection; `check` is the server chain verification when already
 * computed. With a probe of the server, the rules run again on the TLS the probe completed: a hit
 * only that second run raises rests on the probe and says so (`source: "probe"`); the wire's own
 * hits stand as they are.
 */
export function evaluateWith(
  c: ConnectionFacts,
  path: PathClassification,
  model: ClusterModel | null,
  trust: TrustStore,
  check: ChainCheck | null = checkServerChain(c, trust),
  node: NodeFacts | null = null,
  probe: ProbeResult | null = null,
): Evaluation {
  const wire = run(ruleContext(c, path, model, trust, check, node));
  const tls = tlsOf(c);
  if (probe === null) return { hits: wire, tls, check };
  const seen = tls === null ? null : probedTls(tls, probe);
  const probedCheck = check ?? (seen?.chainVisible && seen.serverChain ? trust.verify(seen.serverChain, c.startMicros / 1000, serverName(c)) : null);
  const both = run(ruleContext(c, path, model, trust, probedCheck, node, probe, seen));
  const onWire = new Set(wire.map((h) => h.rule));
  const added = both.filter((h) => !onWire.has(h.rule)).map((h) => ({ ...h, evidence: { ...h.evidence, source: 'probe' } }));
  return { hits: [...wire, ...added], tls: seen, check: probedCheck };
}

export function evaluate(
  c: ConnectionFacts,
  path: PathClassification,
  model: ClusterModel | null,
  trust: TrustStore,
  check: ChainCheck | null = checkServerChain(c, trust),
  node: NodeFacts | null = null,
): RuleHit[] {
  return evaluateWith(c, path, model, trust, check, node).hits;
}
