import type { Severity } from '../findings/finding.js';
import type { WebhookFormat } from '../outputs/webhook/index.js';

export type { WebhookFormat };

/** Where `--from-node` reads: the node root, the layout and per-file overrides (node paths). */
export interface NodeOptions {
  root: string;
  layout: 'auto' | 'kubeadm' | 'k3s' | 'rke2';
  kubeletConfig: string | null;
  kubeletCert: string | null;
  apiserverManifest: string | null;
  etcdManifest: string | null;
  addresses: string[];
}

/** What the command line asks for, as the app layer consumes it (parsed in src/cli/args.ts). */

export interface CommonOptions {
  config: string | null;
  ca: string[];
  keylog: string[];
  decryptApp: boolean;
  /** Flows (TCP connections and UDP flows) tracked at once; beyond it the oldest are evicted and counted. */
  maxFlows: number;
  json: boolean;
  fromNode: boolean;
  node: NodeOptions;
  webhook: string[];
  webhookFormat: WebhookFormat;
  webhookSecretFile: string | null;
  webhookCa: string | null;
  webhookTimeout: number;
  spoolDir: string | null;
  color: boolean | null;
  probe: ProbeOptions;
}

/** `--probe`: opt-in active verification of servers the traffic showed (SPEC "Evidence beyond the wire"). */
export interface ProbeOptions {
  enabled: boolean;
  /** Say what would be probed, send nothing. */
  dryRun: boolean;
  /** Per connection: TCP connect, handshake and what follows. */
  timeoutMs: number;
  /** New probe connections a second over all targets. */
  perSecond: number;
  /** Each server at most once per interval (`watch`). */
  intervalMs: number;
}

export interface AnalyzeArgs extends CommonOptions {
  command: 'analyze';
  files: string[];
  failOn: Severity | null;
  /** Also write the self-contained HTML report here. */
  html: string | null;
  /** Shards (worker threads); null: by cores and input size. */
  threads: number | null;
}

export interface WatchArgs extends CommonOptions {
  command: 'watch';
  iface: string | null;
  filter: string | null;
  noTui: boolean;
  metrics: string | null;
  user: string;
  snaplen: number;
  bufferMiB: number;
  promisc: boolean;
  /** Shards (worker threads); null: one per core, at most 4 (one with --probe). */
  threads: number | null;
}

export interface ProbeArgs extends CommonOptions {
  command: 'probe';
  /** HOST:PORT as given. */
  targets: string[];
  /** The path the targets stand on; null: by port (10250 kubelet, 2379/2380 etcd, 8132/8091 konnectivity, else apiserver). */
  path: string | null;
  sni: string | null;
  failOn: Severity | null;
}

export type ParsedArgs = AnalyzeArgs | WatchArgs | ProbeArgs | { command: 'help'; topic: string | null } | { command: 'version' };

