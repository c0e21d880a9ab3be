import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, sleep, waitOutput } from '../live/netns.js';
import { KUBELET_CONFIG, PKI, kubeadmApiserver, nodeRoot, opensslKey, pemBodyLines } from './roots.js';

/**
 * Live `watch` (root opens loopback, then drops to nobody): the `node` record comes once at start
 * and again on each SIGHUP; a file that became root-only after the drop does not erase what it said.
 */
test('watch writes the node record at start and on SIGHUP, re-reading the files', async () => {
  const key = opensslKey();
  const root = nodeRoot({
    '/var/lib/kubelet/config.yaml': KUBELET_CONFIG,
    '/var/lib/kubelet/pki/kubelet.crt': PKI.node1SelfSignedTls13,
    '/var/lib/kubelet/pki/kubelet.key': key,
    '/etc/kubernetes/manifests/kube-apiserver.yaml': kubeadmApiserver([]),
  });
  chmodSync(root, 0o755);
  const watch = spawn(process.execPath, ['bin/comms-watch.mjs', '-i', 'lo', '--no-tui', '--json', '-f', 'tcp port 9', '--node-root', root, '--user', 'nobody'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  watch.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  watch.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const said = async (text: string, from: number) => {
    for (let i = 0; i < 100 && !err.slice(from).includes(text); i++) await sleep(50);
    assert.ok(err.slice(from).includes(text), `no "${text}" on stderr: ${err.slice(from)}`);
  };
  const until = async (n: number) => {
    for (let i = 0; i < 100 && nodeRecords().length < n; i++) await sleep(50);
  };
  const nodeRecords = () => out.split('\n').filter((l) => l.includes('"type":"node"')).map((l) => JSON.parse(l) as Record<string, any>);
  try {
    await waitOutput(watch, 'capturing on lo', 15_000);
    await until(1);
    assert.is(nodeRecords().length, 1, out);
    assert.is(nodeRecords()[0]!.kubelet.read_only_port, 0);
    assert.is(nodeRecords()[0]!.control_plane, true);

    writeFileSync(join(root, 'var/lib/kubelet/config.yaml'), KUBELET_CONFIG.replace('readOnlyPort: 0', 'readOnlyPort: 10255'));
    const first = err.length;
    watch.kill('SIGHUP');
    await said('reloaded the cluster model', first);
    await until(2);
    assert.is(nodeRecords().length, 2);
    assert.is(nodeRecords()[1]!.kubelet.read_only_port, 10255);

    // As kubeadm writes its manifests: mode 0600, root only; nobody cannot read it any more.
    chmodSync(join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 0o600);
    const before = err.length;
    watch.kill('SIGHUP');
    await said('keeping what was read before', before);
    await said('reloaded the cluster model', before);
    assert.match(err.slice(before), '/etc/kubernetes/manifests/kube-apiserver.yaml');
    await until(3);
    const last = nodeRecords().at(-1)!;
    assert.is(nodeRecords().length, 3);
    assert.is(last.control_plane, true);
    assert.is(last.apiserver.flags['kubelet-certificate-authority'], null);
  } finally {
    watch.kill('SIGTERM');
    await exited(watch, 10_000);
  }
  for (const line of pemBodyLines(key)) assert.not.ok(out.includes(line) || err.includes(line));
});

test.run();
