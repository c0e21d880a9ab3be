import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { SEVERITIES, type Severity } from '../findings/finding.js';
import type { CommonOptions, NodeOptions, ParsedArgs, ProbeOptions, WebhookFormat } from '../app/options.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_RATE, DEFAULT_TIMEOUT_MS } from '../probe/scheduler.js';
import { parseHostPort, PROBE_PATHS } from '../app/probing.js';
import { UsageError } from '../core/usage-error.js';
import { DEFAULT_FLOW_LIMITS } from '../flows/flow-table.js';

const common = {
  config: { type: 'string' },
  ca: { type: 'string', multiple: true },
  keylog: { type: 'string', multiple: true },
  'decrypt-app': { type: 'boolean' },
  'max-flows': { type: 'string' },
  json: { type: 'boolean' },
  'from-node': { type: 'boolean' },
  'no-from-node': { type: 'boolean' },
  'node-root': { type: 'string' },
  'node-layout': { type: 'string' },
  'kubelet-config': { type: 'string' },
  'kubelet-cert': { type: 'string' },
  'apiserver-manifest': { type: 'string' },
  'etcd-manifest': { type: 'string' },
  'node-address': { type: 'string', multiple: true },
  webhook: { type: 'string', multiple: true },
  'webhook-format': { type: 'string' },
  'webhook-secret-file': { type: 'string' },
  'webhook-ca': { type: 'string' },
  'webhook-timeout': { type: 'string' },
  'spool-dir': { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  probe: { type: 'boolean' },
  'probe-dry-run': { type: 'boolean' },
  'probe-timeout': { type: 'string' },
  'probe-rate': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const watchOnly = {
  interface: { type: 'string', short: 'i' },
  filter: { type: 'string', short: 'f' },
  'no-tui': { type: 'boolean' },
  metrics: { type: 'string' },
  user: { type: 'string' },
  snaplen: { type: 'string' },
  'buffer-size': { type: 'string' },
  promisc: { type: 'boolean' },
  'probe-interval': { type: 'string' },
  threads: { type: 'string' },
} as const;

const probeOnly = {
  'fail-on': { type: 'string' },
  path: { type: 'string' },
  sni: { type: 'string' },
} as const;

const analyzeOnly = {
  'fail-on': { type: 'string' },
  threads: { type: 'string' },
  html: { type: 'string' },
} as const;

function positiveNumber(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`--${name} must be a number between 0 and ${max}, got "${raw}"`);
  return n;
}

function maxFlows(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_FLOW_LIMITS.maxFlows;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new UsageError(`--max-flows must be a whole number from 1 to 10000000, got "${raw}"`);
  return n;
}

function webhookFormat(raw: string | undefined): WebhookFormat {
  if (raw === undefined) return 'json';
  if (raw === 'json' || raw === 'slack' || raw === 'alertmanager') return raw;
  throw new UsageError(`--webhook-format must be json, slack or alertmanager, got "${raw}"`);
}

function nodeLayout(raw: string | undefined): NodeOptions['layout'] {
  if (raw === undefined) return 'auto';
  if (raw === 'auto' || raw === 'kubeadm' || raw === 'k3s' || raw === 'rke2') return raw;
  throw new UsageError(`--node-layout must be auto, kubeadm, k3s or rke2, got "${raw}"`);
}

function nodeAddresses(list: string[]): string[] {
  for (const a of list) if (isIP(a) === 0) throw new UsageError(`--node-address must be an IP address, got "${a}"`);
  return list;
}

/** `30s`, `15m`, `6h`, `1d` or plain seconds. */
function duration(name: string, raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m ? Number(m[1]) * unit[(m[2] ?? 's') as keyof typeof unit] : NaN;
  if (!Number.isFinite(ms) || ms < 60_000 || ms > 30 * 86_400_000) throw new UsageError(`--${name} must be a duration from 1m to 30d (e.g. 6h), got "${raw}"`);
  return ms;
}

function probeFrom(v: Record<string, string | boolean | string[] | undefined>): ProbeOptions {
  const dryRun = Boolean(v['probe-dry-run']);
  return {
    enabled: Boolean(v.probe) || dryRun,
    dryRun,
    timeoutMs: positiveNumber('probe-timeout', v['probe-timeout'] as string | undefined, DEFAULT_TIMEOUT_MS / 1000, 10) * 1000,
    perSecond: positiveNumber('probe-rate', v['probe-rate'] as string | undefined, DEFAULT_RATE, 50),
    intervalMs: duration('probe-interval', v['probe-interval'] as string | undefined, DEFAULT_INTERVAL_MS),
  };
}

function commonFrom(v: Record<string, string | boolean | string[] | undefined>, isWatch: boolean): CommonOptions {
  const str = (k: string): string | undefined => v[k] as string | undefined;
  const list = (k: string): string[] => (v[k] as string[] | undefined) ?? [];
  const color = v['no-color'] ? false : v.color ? true : null;
  return {
    config: str('config') ?? null,
    ca: list('ca'),
    keylog: list('keylog'),
    decryptApp: Boolean(v['decrypt-app']),
    maxFlows: maxFlows(str('max-flows')),
    json: Boolean(v.json),
    // Naming a node root asks for the node's files.
    fromNode: v['no-from-node'] ? false : v['from-node'] || str('node-root') !== undefined ? true : isWatch,
    node: {
      root: str('node-root') ?? '/',
      layout: nodeLayout(str('node-layout')),
      kubeletConfig: str('kubelet-config') ?? null,
      kubeletCert: str('kubelet-cert') ?? null,
      apiserverManifest: str('apiserver-manifest') ?? null,
      etcdManifest: str('etcd-manifest') ?? null,
      addresses: nodeAddresses(list('node-address')),
    },
    webhook: list('webhook'),
    webhookFormat: webhookFormat(str('webhook-format')),
    webhookSecretFile: str('webhook-secret-file') ?? null,
    webhookCa: str('webhook-ca') ?? null,
    webhookTimeout: positiveNumber('webhook-timeout', str('webhook-timeout'), 30, 3600),
    spoolDir: str('spool-dir') ?? null,
    color,
    probe: probeFrom(v),
  };
}

function threadsOption(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError(`--threads must be a whole number from 1 to 16, got "${raw}"`);
  return n;
}

function failOn(v: Record<string, string | boolean | string[] | undefined>): Severity | null {
  const raw = v['fail-on'] as string | undefined;
  if (raw === undefined) return null;
  if (!SEVERITIES.includes(raw as Severity)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, got "${raw}"`);
  return raw as Severity;
}

/** Parses argv (without node and script). Throws UsageError with one clear line on bad usage. */
export function parseCommandLine(argv: string[]): ParsedArgs {
  const first = argv[0];
  if (first === 'help') return { command: 'help', topic: argv[1] ?? null };
  if (first === '--version' || first === 'version') return { command: 'version' };
  const command = first === 'analyze' ? 'analyze' : first === 'probe' ? 'probe' : 'watch';
  const rest = first === 'analyze' || first === 'watch' || first === 'probe' ? argv.slice(1) : argv;
  const options = command === 'analyze' ? { ...common, ...analyzeOnly } : command === 'probe' ? { ...common, ...probeOnly } : { ...common, ...watchOnly };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return { command: 'help', topic: command };
  if (command === 'analyze') {
    if (parsed.positionals.length === 0) throw new UsageError('analyze needs at least one capture file (or - for stdin)');
    const failOnRaw = failOn(v);
    const html = v.html as string | undefined;
    if (html !== undefined && (html === '' || html === '-')) throw new UsageError('--html needs a file name to write the report to');
    return { command, files: parsed.positionals, failOn: failOnRaw, threads: threadsOption(v.threads as string | undefined), html: html ?? null, ...commonFrom(v, false) };
  }
  if (command === 'probe') {
    if (parsed.positionals.length === 0) throw new UsageError('probe needs at least one HOST:PORT');
    for (const t of parsed.positionals) parseHostPort(t);
    const path = (v.path as string | undefined) ?? null;
    if (path !== null && !PROBE_PATHS.has(path)) throw new UsageError(`--path must be one of ${[...PROBE_PATHS].join(', ')}, got "${path}"`);
    const common = commonFrom(v, false);
    // Naming targets on this command line is the consent that --probe asks for elsewhere.
    return { command, targets: parsed.positionals, path, sni: (v.sni as string | undefined) ?? null, failOn: failOn(v), ...common, probe: { ...common.probe, enabled: true } };
  }
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}" (did you mean: comms-watch analyze ${parsed.positionals[0]}?)`);
  return {
    command,
    iface: (v.interface as string | undefined) ?? null,
    filter: (v.filter as string | undefined) ?? null,
    noTui: Boolean(v['no-tui']) || Boolean(v.json),
    metrics: (v.metrics as string | undefined) ?? null,
    user: (v.user as string | undefined) ?? 'nobody',
    snaplen: positiveNumber('snaplen', v.snaplen as string | undefined, 65535, 262144),
    bufferMiB: positiveNumber('buffer-size', v['buffer-size'] as string | undefined, 64, 2048),
    promisc: Boolean(v.promisc),
    threads: threadsOption(v.threads as string | undefined),
    ...commonFrom(v, true),
  };
}
