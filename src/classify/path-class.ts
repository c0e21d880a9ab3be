/** SPEC "The communication paths": the path names, exactly as the output contract spells them. */
export const PATH_NAMES = [
  'node-apiserver',
  'pod-apiserver',
  'controlplane-apiserver',
  'apiserver-kubelet',
  'kubelet-readonly',
  'apiserver-proxy',
  'ssh-tunnel',
  'konnectivity-agent',
  'konnectivity-server',
  'etcd',
  'other',
] as const;

export type PathName = (typeof PATH_NAMES)[number];

/** How the path was decided, strongest first. */
export type PathStrength = 'model' | 'cert' | 'sni' | 'grpc' | 'http' | 'port';

export interface PathClassification {
  path: PathName;
  /** One line naming what decided it. */
  evidence: string;
  strength: PathStrength;
}

export const APISERVER_PATHS: ReadonlySet<PathName> = new Set(['node-apiserver', 'pod-apiserver', 'controlplane-apiserver']);
export const KONNECTIVITY_PATHS: ReadonlySet<PathName> = new Set(['konnectivity-agent', 'konnectivity-server']);
