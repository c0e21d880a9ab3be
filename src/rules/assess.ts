import type { ConnectionFacts } from '../facts/connection.js';
import type { ClusterModel } from '../cluster/model.js';
import type { ChainCheck, TrustStore } from '../cluster/trust.js';
import { classify } from '../classify/classify.js';
import type { PathClassification } from '../classify/path-class.js';
import type { NodeFacts } from '../node/facts.js';
import { checkServerChain, evaluate } from './engine.js';
import type { RuleHit } from './types.js';
import { verdictOf, type VerdictResult } from './verdict.js';

/** Everything the outputs need about one connection. */
export interface Assessment {
  path: PathClassification;
  /** Server chain verification at packet time; null when no chain was visible. */
  check: ChainCheck | null;
  hits: RuleHit[];
  verdict: VerdictResult;
}

/** Classify (unless the path is already decided), verify the chain once, run every rule, decide the verdict. */
export function assess(c: ConnectionFacts, model: ClusterModel | null, trust: TrustStore, path: PathClassification = classify(c, model), node: NodeFacts | null = null): Assessment {
  const check = checkServerChain(c, trust);
  const hits = evaluate(c, path, model, trust, check, node);
  return { path, check, hits, verdict: verdictOf(c, path, hits, check) };
}
