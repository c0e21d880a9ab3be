import { readFileSync } from 'node:fs';
import { emptyClusterModel, loadClusterModel, mergeClusterModels, type ClusterModel } from '../cluster/model.js';
import { nodeViewModel, readNodeView, type NodeView } from '../cluster/node.js';
import { TrustStore } from '../cluster/trust.js';
import { KeyLogStore, keylogPermissionWarning } from '../secrets/keylog.js';
import { UsageError } from '../core/usage-error.js';

export interface Knowledge {
  model: ClusterModel | null;
  trust: TrustStore;
  node: NodeView | null;
  /** Lines for stderr: what was learnt, and warnings. */
  notes: string[];
}

export interface KnowledgeInputs {
  config: string | null;
  ca: string[];
  fromNode: boolean;
}

/** Cluster model (config file, then what the node reveals) and trust anchors. Errors are usage errors. */
export function gatherKnowledge(inp: KnowledgeInputs): Knowledge {
  const notes: string[] = [];
  let model: ClusterModel | null = null;
  try {
    if (inp.config) model = loadClusterModel(inp.config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let node: NodeView | null = null;
  if (inp.fromNode) {
    node = readNodeView();
    const read = node.files.filter((f) => f.status === 'read').map((f) => f.path);
    if (read.length > 0) {
      notes.push(`learnt from this node: ${read.join(', ')}`);
      model = mergeClusterModels(model ?? emptyClusterModel('node'), nodeViewModel(node));
    }
    for (const f of node.files) if (f.status === 'malformed' || f.status === 'unreadable') notes.push(`warning: ${f.path} is ${f.status}${f.detail ? `: ${f.detail}` : ''}`);
  }
  let trust: TrustStore;
  try {
    trust = TrustStore.fromFiles([...inp.ca, ...(model?.trustBundles ?? [])]);
    for (const p of node?.trustPems ?? []) trust.addPem(p.pem, p.source);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return { model, trust, node, notes };
}

/** Key logs from --keylog files; the pipeline adds those found in pcapng files as they appear. */
export function loadKeyLogs(files: string[], notes: string[]): KeyLogStore {
  const store = new KeyLogStore();
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      throw new UsageError(`${f}: cannot read key log: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const warn = keylogPermissionWarning(f);
    if (warn) notes.push(`warning: ${warn}`);
    const { added, malformed } = store.addText(text);
    notes.push(`key log ${f}: ${added} secrets${malformed ? `, ${malformed} malformed lines skipped` : ''}`);
  }
  return store;
}
