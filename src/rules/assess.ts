import type { ConnectionFacts } from '../facts/connection.js';
import type { ClusterModel } from '../cluster/model.js';
import type { ChainCheck, TrustStore } from '../cluster/trust.js';
import { classify } from '../classify/classify.js';
import type { PathClassification } from '../classify/path-class.js';
import type { NodeFacts } from '../node/facts.js';
import { checkServerChain, evaluateWith } from './engine.js';
import type { ProbeResult } from '../probe/types.js';
import type { RuleHit } from './types.js';
import { verdictOf, type VerdictResult } from './verdict.js';

/** Everything the outputs need about one connection. */
export interface Assessment {
  path: PathClassification;
  /** Server chain verification at packet time; null when no chain was visible. */
  check: ChainCheck | null;
  /** With a probe of the server: the chain check the verdict rests on (the probe's chain when the wire hid it). */
  probeCheck: ChainCheck | null;
  hits: RuleHit[];
  verdict: VerdictResult;
}

/** Classify (unless the path is already decided), verify the chain once, run every rule, decide the verdict. */
export function assess(
  c: ConnectionFacts,
  model: ClusterModel | null,
  trust: TrustStore,
  path: PathClassification = classify(c, model),
  node: NodeFacts | null = null,
  probe: ProbeResult | null = null,
): Assessment {
  const check = checkServerChain(c, trust);
  const e = evaluateWith(c, path, model, trust, check, node, probe);
  return { path, check, probeCheck: probe === null ? null : e.check, hits: e.hits, verdict: verdictOf(c, path, e.hits, e.check, e.tls) };
}
