import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseCommandLine } from '../../src/cli/args.js';
import { OVERLAYS, bytes, expandArgs, one, render, validate, type DaemonSet, type K8sObject } from './manifests.js';

const SECRETS = { 'comms-watch-webhook/url': 'https://alerts.invalid/hook' };
const rendered = new Map(OVERLAYS.map((d) => [d, render(d)]));
const objects = (d: (typeof OVERLAYS)[number]) => rendered.get(d)!;
const daemonSet = (d: (typeof OVERLAYS)[number]) => one(objects(d), 'DaemonSet') as DaemonSet;
const watchArgs = (d: (typeof OVERLAYS)[number]) => {
  const a = parseCommandLine(expandArgs(daemonSet(d).spec.template.spec.containers[0]!, SECRETS));
  if (a.command !== 'watch') throw new Error(`${d}: not a watch command`);
  return a;
};

test('kustomize: every overlay renders, and every object in it passes its Kubernetes or CRD schema', async () => {
  for (const d of OVERLAYS) {
    const objs = objects(d);
    assert.ok(objs.length >= 4, `${d}: ${objs.length} objects`);
    for (const o of objs) {
      try {
        await validate(o);
      } catch (e) {
        assert.unreachable(`${d} ${o.kind}/${o.metadata.name}: ${(e as Error).message}`);
      }
    }
  }
  assert.equal(objects('deploy/base').map((o) => o.kind).sort(), ['DaemonSet', 'Namespace', 'NetworkPolicy', 'ServiceAccount']);
  assert.equal(objects('deploy/overlays/prometheus-operator').map((o) => o.kind).sort(), ['DaemonSet', 'Namespace', 'NetworkPolicy', 'PrometheusRule', 'Service', 'ServiceAccount', 'ServiceMonitor']);
});

test('kustomize: the validators reject broken objects of each kind used here (the check above can fail)', async () => {
  const broken: [string, (o: K8sObject) => void][] = [
    ['DaemonSet', (o) => ((o as DaemonSet).spec.template.spec.hostNetwork = 'yes' as unknown as boolean)],
    ['DaemonSet', (o) => ((o as DaemonSet).spec.template.spec.containers[0]!.resources.limits.memory = 'plenty')],
    ['DaemonSet', (o) => delete (o.spec as { selector?: unknown }).selector],
    ['NetworkPolicy', (o) => ((o.spec as { policyTypes: string[] }).policyTypes = 'Egress' as unknown as string[])],
    ['ServiceMonitor', (o) => ((o.spec as { endpoints: unknown }).endpoints = 'metrics')],
    ['PrometheusRule', (o) => delete (o.spec as { groups: { rules: { expr?: string }[] }[] }).groups[0]!.rules[0]!.expr],
  ];
  const all = objects('deploy/overlays/prometheus-operator');
  for (const [kind, breakIt] of broken) {
    const o = structuredClone(one(all, kind));
    breakIt(o);
    let err: Error | null = null;
    try {
      await validate(o);
    } catch (e) {
      err = e as Error;
    }
    assert.ok(err, `a broken ${kind} passed`);
  }
  let unknown: Error | null = null;
  await validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } }).catch((e: Error) => (unknown = e));
  assert.ok(unknown, 'a kind without a schema is an error, not a pass');
});

test('kustomize: in every overlay the container args are a valid watch command; each $(VAR) comes from the env, the webhook URL from the Secret', () => {
  for (const d of OVERLAYS) {
    const c = daemonSet(d).spec.template.spec.containers[0]!;
    const a = watchArgs(d);
    assert.is(a.user, 'nobody', d);
    assert.is(a.fromNode, true, d);
    assert.is(a.noTui, true, d);
    assert.equal(a.webhook, [SECRETS['comms-watch-webhook/url']], d);
    const urlEnv = c.env!.find((e) => c.args.includes(`--webhook=$(${e.name})`));
    assert.equal(urlEnv?.valueFrom?.secretKeyRef, { name: 'comms-watch-webhook', key: 'url' }, d);
    assert.ok(!c.env!.some((e) => /url|secret|token|key/i.test(e.name) && e.value !== undefined), `${d}: no secret as a plain env value`);
  }
});

test('kustomize: the signing key is a file from the same Secret, the spool writable emptyDir, the metrics port the one the probe and the pod declare', () => {
  for (const d of OVERLAYS) {
    const pod = daemonSet(d).spec.template.spec;
    const c = pod.containers[0]!;
    const a = watchArgs(d);
    const keyFile = a.webhookSecretFile!;
    const keyMount = c.volumeMounts.find((m) => keyFile.startsWith(`${m.mountPath}/`))!;
    assert.ok(keyMount, `${d}: ${keyFile} is mounted`);
    assert.is(keyMount.readOnly, true);
    const secret = pod.volumes.find((v) => v.name === keyMount.name)!.secret!;
    assert.is(secret.secretName, 'comms-watch-webhook');
    assert.ok(secret.items!.some((i) => `${keyMount.mountPath}/${i.path}` === keyFile), `${d}: ${keyFile} is an item of the Secret`);
    const spool = c.volumeMounts.find((m) => m.mountPath === a.spoolDir)!;
    assert.ok(!spool.readOnly && pod.volumes.find((v) => v.name === spool.name)!.emptyDir, `${d}: spool`);
    const port = Number(a.metrics!.split(':').pop());
    assert.is(c.ports!.find((p) => p.name === 'metrics')!.containerPort, port, d);
    assert.is(c.livenessProbe!.httpGet!.port, port, d);
    for (const m of c.volumeMounts) assert.ok(pod.volumes.some((v) => v.name === m.name), `${d}: volume ${m.name}`);
  }
});

test('kustomize: host files only read-only and one by one on workers; control-plane adds its taints, static-pod manifests and kubelet PKI', () => {
  const hostMounts = (d: (typeof OVERLAYS)[number]) => {
    const pod = daemonSet(d).spec.template.spec;
    return pod.containers[0]!.volumeMounts.flatMap((m) => {
      const hp = pod.volumes.find((v) => v.name === m.name)!.hostPath;
      if (!hp) return [];
      assert.is(m.readOnly, true, `${d}: ${m.mountPath} read-only`);
      assert.is(hp.path, m.mountPath, `${d}: ${m.mountPath} is the same path on the host`);
      return [m.mountPath];
    }).sort();
  };
  const worker = ['/etc/kubernetes/kubelet.conf', '/etc/kubernetes/pki/ca.crt', '/var/lib/kubelet/config.yaml'];
  assert.equal(hostMounts('deploy/base'), worker);
  assert.equal(hostMounts('deploy/overlays/small-nodes'), worker);
  assert.equal(hostMounts('deploy/overlays/control-plane'), [...worker, '/etc/kubernetes/manifests', '/var/lib/kubelet/pki'].sort());
  assert.not.ok(daemonSet('deploy/base').spec.template.spec.tolerations, 'the base stays off tainted nodes');
  const tol = daemonSet('deploy/overlays/control-plane').spec.template.spec.tolerations!;
  for (const key of ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master']) {
    assert.ok(tol.some((t) => t.key === key && t.operator === 'Exists' && t.effect === 'NoSchedule'), key);
  }
});

test('kustomize: small-nodes tracks fewer flows with a smaller capture buffer, heap and memory limit, and the heap fits the limit', () => {
  const base = watchArgs('deploy/base');
  const small = watchArgs('deploy/overlays/small-nodes');
  assert.is(base.maxFlows, 200_000);
  assert.is(small.maxFlows, 20_000);
  assert.ok(small.bufferMiB < base.bufferMiB, `buffer ${small.bufferMiB} MiB`);
  const mem = (d: (typeof OVERLAYS)[number]) => {
    const c = daemonSet(d).spec.template.spec.containers[0]!;
    const heap = Number(/--max-old-space-size=(\d+)/.exec(c.env!.find((e) => e.name === 'NODE_OPTIONS')!.value!)![1]) * 2 ** 20;
    return { heap, limit: bytes(c.resources.limits.memory!), request: bytes(c.resources.requests.memory!) };
  };
  const b = mem('deploy/base');
  const s = mem('deploy/overlays/small-nodes');
  assert.ok(s.limit < b.limit && s.heap < b.heap, JSON.stringify(s));
  for (const m of [b, s]) assert.ok(m.request <= m.limit && m.heap < m.limit, JSON.stringify(m));
  // About 6 KiB of heap per open flow (measured, see the base's comment): the table fits the heap.
  assert.ok(small.maxFlows * 6 * 1024 < s.heap, 'a full flow table fits the heap');
});

test('kustomize: the NetworkPolicy selects the pods and lets out only DNS and the webhook ports, in only the metrics port', () => {
  for (const d of OVERLAYS) {
    const np = one(objects(d), 'NetworkPolicy') as K8sObject & { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: { ports: { port: number }[] }[]; egress: { to?: unknown[]; ports: { protocol: string; port: number }[] }[] } };
    const ds = daemonSet(d);
    for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) assert.is(ds.spec.template.metadata.labels[k], v, `${d}: selects the pods`);
    assert.equal(np.spec.policyTypes.sort(), ['Egress', 'Ingress']);
    assert.equal(np.spec.ingress.flatMap((r) => r.ports.map((p) => p.port)), [Number(watchArgs(d).metrics!.split(':').pop())]);
    const out = np.spec.egress.flatMap((r) => r.ports.map((p) => `${p.protocol}/${p.port}`)).sort();
    // Only the probe overlay sends to cluster servers: apiserver, kubelet, etcd, Konnectivity.
    const probePorts = d === 'deploy/overlays/probe' ? ['TCP/10250', 'TCP/2379', 'TCP/2380', 'TCP/6443', 'TCP/8091', 'TCP/8132'] : [];
    assert.equal(out, ['TCP/443', 'TCP/53', 'TCP/9093', 'UDP/53', ...probePorts].sort(), d);
    const dns = np.spec.egress.find((r) => r.ports.some((p) => p.port === 53))!;
    assert.ok(dns.to && dns.to.length > 0, 'DNS only to the cluster DNS pods');
  }
});

test('kustomize: only the probe overlay probes (every 6h, as nobody); every other overlay sends no probe', () => {
  for (const d of OVERLAYS) {
    const a = watchArgs(d);
    if (d === 'deploy/overlays/probe') {
      assert.equal({ enabled: a.probe.enabled, dryRun: a.probe.dryRun, intervalMs: a.probe.intervalMs, user: a.user }, { enabled: true, dryRun: false, intervalMs: 6 * 3600_000, user: 'nobody' });
    } else {
      assert.is(a.probe.enabled, false, d);
    }
  }
});

test('kustomize: the namespace admits the privileged pod; every object lives in it; the pod uses its own token-less ServiceAccount', () => {
  for (const d of OVERLAYS) {
    const objs = objects(d);
    const ns = one(objs, 'Namespace');
    assert.is(ns.metadata.labels!['pod-security.kubernetes.io/enforce'], 'privileged');
    for (const o of objs.filter((x) => x.kind !== 'Namespace')) assert.is(o.metadata.namespace, ns.metadata.name, `${d} ${o.kind}`);
    const sa = one(objs, 'ServiceAccount') as K8sObject & { automountServiceAccountToken: boolean };
    assert.is(sa.automountServiceAccountToken, false);
    const pod = daemonSet(d).spec.template.spec;
    assert.is(pod.serviceAccountName, sa.metadata.name);
    assert.is(pod.automountServiceAccountToken, false);
  }
});

test('kustomize: prometheus-operator: ServiceMonitor -> Service -> pods line up by labels and port name; the PrometheusRule is alerts.yaml', () => {
  const objs = objects('deploy/overlays/prometheus-operator');
  const svc = one(objs, 'Service') as K8sObject & { spec: { clusterIP: string; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] } };
  const sm = one(objs, 'ServiceMonitor') as K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] }; endpoints: { port: string; relabelings: { sourceLabels: string[]; targetLabel: string }[] }[] } };
  const ds = daemonSet('deploy/overlays/prometheus-operator');
  for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.is(svc.metadata.labels![k], v, 'ServiceMonitor selects the Service');
  assert.equal(sm.spec.namespaceSelector.matchNames, [svc.metadata.namespace]);
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.is(ds.spec.template.metadata.labels[k], v, 'Service selects the pods');
  const port = svc.spec.ports.find((p) => p.name === sm.spec.endpoints[0]!.port)!;
  assert.ok(port, 'the endpoint port names a Service port');
  assert.ok(ds.spec.template.spec.containers[0]!.ports!.some((p) => p.name === port.targetPort && p.containerPort === port.port));
  assert.ok(sm.spec.endpoints[0]!.relabelings.some((r) => r.targetLabel === 'node' && r.sourceLabels.includes('__meta_kubernetes_pod_node_name')));
  const rule = one(objs, 'PrometheusRule') as K8sObject & { spec: { groups: unknown } };
  const alerts = parse(readFileSync('deploy/monitoring/alerts.yaml', 'utf8')) as { groups: unknown };
  assert.equal(rule.spec.groups, alerts.groups);
});

test.run();
