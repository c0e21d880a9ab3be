import type { ClusterModel } from '../../src/cluster/model.js';
import { parseClusterModel } from '../../src/cluster/model.js';
import { TrustStore } from '../../src/cluster/trust.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';
import { assess } from '../../src/rules/assess.js';
import type { Evidence, RuleHit } from '../../src/rules/types.js';
import type { VerdictResult } from '../../src/rules/verdict.js';
import { bundle, makePki } from '../cluster/pki.js';

export const pki = makePki();
export const f = pki.facts;
export const DAY = 86_400_000;
/** A packet time inside every fresh certificate's validity. */
export const AT = f.root!.notBeforeMs + DAY;
export const rootTrust = TrustStore.fromFiles([bundle(pki, 'root.pem', ['root'])]);
export const noTrust = new TrustStore();
export const model = parseClusterModel(
  `apiservers: ["10.20.0.10:6443", "10.96.0.1:443"]
controlPlane: ["10.20.0.0/24"]
nodes: ["10.20.1.0/24"]
podCIDRs: ["10.244.0.0/16"]
serviceCIDRs: ["10.96.0.0/12"]
konnectivityServers: ["10.20.0.10:8132"]
`, 'test.yaml', '/');

export const CP = { ip: '10.20.0.10', port: 53412 };
export const NODE = { ip: '10.20.1.5', port: 40112 };
export const KUBELET = { ip: '10.20.1.5', port: 10250 };
export const API = { ip: '10.20.0.10', port: 6443 };

export interface Run {
  hits: RuleHit[];
  verdict: VerdictResult;
  path: string;
}

export function run(c: ConnectionFacts, opts: { model?: ClusterModel | null; trust?: TrustStore } = {}): Run {
  const a = assess(c, opts.model === undefined ? null : opts.model, opts.trust ?? rootTrust);
  return { hits: a.hits, verdict: a.verdict, path: a.path.path };
}

export function fired(c: ConnectionFacts, rule: string, opts: { model?: ClusterModel | null; trust?: TrustStore } = {}): Evidence | undefined {
  return run(c, opts).hits.find((h) => h.rule === rule)?.evidence;
}
