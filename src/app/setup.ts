import { readFileSync } from 'node:fs';
import { emptyClusterModel, loadClusterModel, mergeClusterModels, type ClusterModel } from '../cluster/model.js';
import { layoutViewOptions, nodeViewModel, readNodeView, type NodeView } from '../cluster/node.js';
import type { NodeFacts } from '../node/facts.js';
import { detectLayout, LAYOUTS } from '../node/layouts.js';
import { readNodeFacts } from '../node/read.js';
import { NodeFileReader } from '../node/reader.js';
import type { NodeOptions } from './options.js';
import { TrustStore } from '../cluster/trust.js';
import { KeyLogStore, keylogPermissionWarning } from '../secrets/keylog.js';
import { UsageError } from '../core/usage-error.js';

export interface Knowledge {
  model: ClusterModel | null;
  trust: TrustStore;
  node: NodeView | null;
  /** What the node's files say, for the rules and the `node` record. */
  nodeFacts: NodeFacts | null;
  /** Lines for stderr: what was learnt, and warnings. */
  notes: string[];
}

export interface KnowledgeInputs {
  config: string | null;
  ca: string[];
  fromNode: boolean;
  node: NodeOptions;
}

export interface KnowledgeContext {
  /** Under watch the capture runs on the node: its interfaces' addresses are the node's. */
  localInterfaces: boolean;
}

/** Cluster model (config file, then what the node reveals) and trust anchors. Errors are usage errors. */
export function gatherKnowledge(inp: KnowledgeInputs, ctx: KnowledgeContext = { localInterfaces: false }): Knowledge {
  const notes: string[] = [];
  let model: ClusterModel | null = null;
  try {
    if (inp.config) model = loadClusterModel(inp.config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let node: NodeView | null = null;
  let nodeFacts: NodeFacts | null = null;
  if (inp.fromNode) {
    const o = inp.node;
    const reader = new NodeFileReader(o.root);
    const layout = LAYOUTS[o.layout === 'auto' ? detectLayout(reader) : o.layout];
    node = readNodeView({ ...layoutViewOptions(layout, reader), ...(o.kubeletConfig ? { kubeletConfig: o.kubeletConfig } : {}) }, reader);
    nodeFacts = readNodeFacts({ ...o, layout: layout.name, localInterfaces: ctx.localInterfaces }, reader);
    const read = nodeFacts.files.filter((f) => f.status === 'read').map((f) => f.path);
    const where = o.root === '/' ? '' : ` (under ${o.root})`;
    if (read.length > 0) {
      notes.push(`learnt from this ${layout.name} node${where}: ${read.join(', ')}`);
      model = mergeClusterModels(model ?? emptyClusterModel('node'), nodeViewModel(node));
    }
    // Each file once: a node without etcd or an apiserver is normal, so missing ones share one line.
    const missing = nodeFacts.files.filter((f) => f.status === 'missing').map((f) => f.path);
    if (missing.length > 0) notes.push(`not on this node${where}: ${missing.join(', ')}`);
    if (nodeFacts.addresses.length === 0) notes.push('warning: no address of this node in its files: findings that join them with traffic need --node-address IP');
    for (const f of nodeFacts.files) if (f.status === 'malformed' || f.status === 'unreadable' || f.status === 'refused') notes.push(`warning: ${f.path} is ${f.status}${f.detail ? `: ${f.detail}` : ''}`);
  }
  let trust: TrustStore;
  try {
    trust = TrustStore.fromFiles([...inp.ca, ...(model?.trustBundles ?? [])]);
    for (const p of node?.trustPems ?? []) trust.addPem(p.pem, p.source);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return { model, trust, node, nodeFacts, notes };
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
