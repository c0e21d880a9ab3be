import type { HttpExchange, TlsFacts } from '../core/facts.js';
import type { ConnectionFacts } from '../facts/connection.js';
import type { ClusterModel } from '../cluster/model.js';
import type { ChainCheck, TrustStore } from '../cluster/trust.js';
import type { PathClassification } from '../classify/path-class.js';
import type { NodeFacts } from '../node/facts.js';
import type { ProbeResult } from '../probe/types.js';
import type { RuleName, Severity } from './catalog.js';

/** What every rule may look at; built once per connection by the engine. */
export interface RuleContext {
  c: ConnectionFacts;
  path: PathClassification;
  model: ClusterModel | null;
  trust: TrustStore;
  /** The connection's TLS (or a CONNECT tunnel's). */
  tls: TlsFacts | null;
  /** Server chain verified at packet time; null without a visible chain. */
  check: ChainCheck | null;
  /** Exchanges that crossed the wire unencrypted. */
  cleartextExchanges: HttpExchange[];
  /** The connection spoke HTTP / HTTP/2 / gRPC / CONNECT without TLS. */
  cleartext: boolean;
  /** Packet time of the handshake, ms since the epoch. */
  atMs: number;
  /** What this node's own files say (`--from-node`); null without them. */
  node: NodeFacts | null;
  /** What a probe of this connection's server learned (`--probe`); null without one. */
  probe: ProbeResult | null;
}

export type Evidence = Record<string, unknown>;

/** A rule: pure, returns evidence or null. */
export type RuleFn = (ctx: RuleContext) => Evidence | null;

export interface RuleHit {
  rule: RuleName;
  severity: Severity;
  evidence: Evidence;
  remediation: string;
  cis?: string[];
}
