/**
 * The deploy/ overlays as the cluster would receive them: rendered by kubectl's own kustomize and
 * checked with the schema validators of kubernetes-models (the Kubernetes OpenAPI schemas) and
 * @kubernetes-models/prometheus-operator (the operator's CRD schemas).
 */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };

export const OVERLAYS = ['deploy/base', 'deploy/overlays/control-plane', 'deploy/overlays/small-nodes', 'deploy/overlays/prometheus-operator', 'deploy/overlays/probe'] as const;

export function render(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out).map((d) => {
    if (d.errors.length > 0) throw new Error(`${dir}: ${d.errors[0]!.message}`);
    return d.toJS() as K8sObject;
  });
}

/** Module of the model class for an apiVersion and kind, in the two packages' layouts. */
function modelModule(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

interface Model { validate(): void }
type ModelClass = new (data: unknown) => Model;

/** Throws with the validator's message when `obj` breaks its schema, or when no schema is known for its kind. */
export async function validate(obj: K8sObject): Promise<void> {
  const mod = (await import(modelModule(obj.apiVersion, obj.kind))) as Record<string, ModelClass | undefined>;
  const Cls = mod[obj.kind];
  if (!Cls) throw new Error(`no model for ${obj.apiVersion} ${obj.kind}`);
  new Cls(obj).validate();
}

export function one(objs: K8sObject[], kind: string): K8sObject {
  const found = objs.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0]!;
}

export interface Container {
  name: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { runAsUser: number; privileged: boolean; allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean; capabilities: { drop: string[]; add: string[] } };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface PodSpec {
  hostNetwork: boolean;
  hostPID: boolean;
  automountServiceAccountToken: boolean;
  serviceAccountName?: string;
  tolerations?: { key: string; operator: string; effect?: string }[];
  containers: Container[];
  volumes: { name: string; hostPath?: { path: string; type?: string }; emptyDir?: unknown; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}

export interface DaemonSet extends K8sObject {
  spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

/** The container's args as the kubelet hands them over: `$(VAR)` replaced from the container's env; an unknown one is an error (the kubelet would pass it on literally). */
export function expandArgs(c: Container, secrets: Record<string, string>): string[] {
  const env = new Map<string, string>();
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const v = e.value ?? (ref ? secrets[`${ref.name}/${ref.key}`] : undefined);
    if (v !== undefined) env.set(e.name, v);
  }
  return c.args.map((a) =>
    a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_, name: string) => {
      const v = env.get(name);
      if (v === undefined) throw new Error(`${a}: $(${name}) is not in the container's env`);
      return v;
    }),
  );
}

/** Bytes of a Kubernetes memory quantity (the binary and decimal suffixes these manifests can use). */
export function bytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(q);
  if (!m) throw new Error(`quantity "${q}"`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}
