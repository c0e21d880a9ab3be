import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseCommandLine } from '../../src/cli/args.js';
import { one, render, type DaemonSet } from '../deploy/manifests.js';
import { exited, waitOutput } from './netns.js';

/** The DaemonSet as deployed on every node, control plane included. */
const ds = one(render('deploy/overlays/control-plane'), 'DaemonSet') as DaemonSet;
const pod = ds.spec.template.spec;
const c = pod.containers[0]!;

test('daemonset: host network, no other host namespaces, no service-account token, control-plane tolerated', () => {
  assert.is(ds.kind, 'DaemonSet');
  assert.is(pod.containers.length, 1);
  assert.is(pod.hostNetwork, true);
  assert.is(pod.hostPID, false);
  assert.is(pod.automountServiceAccountToken, false);
  assert.ok(pod.tolerations!.some((t) => t.key === 'node-role.kubernetes.io/control-plane' && t.operator === 'Exists'));
});

test('daemonset: capabilities ALL dropped, only capture and privilege-drop ones added, read-only root, not privileged', () => {
  const sc = c.securityContext;
  assert.equal(sc.capabilities.drop, ['ALL']);
  assert.equal([...sc.capabilities.add].sort(), ['NET_ADMIN', 'NET_RAW', 'SETGID', 'SETUID']);
  assert.is(sc.privileged, false);
  assert.is(sc.allowPrivilegeEscalation, false);
  assert.is(sc.readOnlyRootFilesystem, true);
  assert.ok(c.resources.requests.memory && c.resources.limits.memory && c.resources.limits.cpu);
});

test('daemonset: node PKI and kubelet config mounted read-only from the host; spool writable and not on the host', () => {
  const mount = (path: string) => c.volumeMounts.find((m) => m.mountPath === path);
  for (const p of ['/etc/kubernetes/kubelet.conf', '/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/manifests', '/var/lib/kubelet/config.yaml', '/var/lib/kubelet/pki']) {
    const m = mount(p);
    assert.ok(m, p);
    assert.is(m!.readOnly, true, p);
    assert.is(pod.volumes.find((v) => v.name === m!.name)?.hostPath?.path, p);
  }
  for (const m of c.volumeMounts.filter((x) => !x.readOnly)) assert.ok(pod.volumes.find((v) => v.name === m.name)?.emptyDir, `${m.mountPath} writable only as emptyDir`);
  assert.not.ok(c.volumeMounts.some((m) => m.mountPath === '/etc/kubernetes' || m.mountPath === '/etc/kubernetes/pki'), 'not the whole directory with admin.conf and the CA keys');
});

test('daemonset: the container args are a valid watch command that drops to nobody and reads the node', () => {
  const a = parseCommandLine(c.args);
  assert.is(a.command, 'watch');
  if (a.command !== 'watch') return;
  assert.is(a.user, 'nobody');
  assert.is(a.fromNode, true);
  assert.is(a.noTui, true);
  assert.is(a.spoolDir, c.volumeMounts.find((m) => !m.readOnly && m.mountPath.includes('spool'))!.mountPath);
});

function underCaps(caps: string[]) {
  const bounding = ['-all', ...caps.map((x) => `+${x.toLowerCase()}`)].join(',');
  return spawn('setpriv', [`--bounding-set=${bounding}`, '--inh-caps=-all', process.execPath, 'bin/comms-watch.mjs', '-i', 'lo', '--no-tui', '--json', '--no-from-node', '-f', 'tcp port 9', '--user', 'nobody'], { stdio: ['ignore', 'pipe', 'pipe'] });
}

test("daemonset: with exactly the manifest's capabilities, root opens the capture and becomes nobody; without SETUID/SETGID it refuses to run", async () => {
  const ok = underCaps(c.securityContext.capabilities.add);
  const bad = underCaps(c.securityContext.capabilities.add.filter((x) => !x.startsWith('SET')));
  let err = '';
  bad.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  try {
    await waitOutput(ok, /capturing on lo .*dropped privileges to nobody \(uid 65534\)/, 15_000);
    ok.kill('SIGTERM');
    assert.is(await exited(ok, 10_000), 0);
    assert.is(await exited(bad, 15_000), 1);
    assert.match(err, /cannot drop privileges to nobody/);
  } finally {
    for (const p of [ok, bad]) p.kill('SIGKILL');
  }
});

test('Dockerfile: node 20 bookworm-slim, libpcap, the tsc build on a production install with the optional pcap module', () => {
  const d = readFileSync('Dockerfile', 'utf8');
  assert.match(d, /^FROM node:20-bookworm-slim\s*$/m);
  assert.match(d, /libpcap0\.8/);
  assert.match(d, /npm run build && npm prune --omit=dev --include=optional/);
  assert.match(d, /COPY --from=build \/app\/dist \.\/dist/);
  assert.match(d, /ENTRYPOINT \["node", "\/app\/bin\/comms-watch\.mjs"\]/);
});

test.run();
