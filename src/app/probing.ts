import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { tlsOf } from '../classify/classify.js';
import type { PathName } from '../classify/path-class.js';
import type { ConnectionFacts } from '../facts/connection.js';
import { addr } from '../facts/connection.js';
import type { OwnTraffic } from '../probe/own-traffic.js';
import { MAX_CONCURRENT, ProbeScheduler } from '../probe/scheduler.js';
import type { ProbeResult, ProbeTarget } from '../probe/types.js';
import { UsageError } from '../core/usage-error.js';
import type { ProbeOptions } from './options.js';

/** Paths whose servers a probe may visit (SPEC: apiserver, kubelet, etcd, konnectivity), named or seen. */
export const PROBE_PATHS: ReadonlySet<string> = new Set([
  'apiserver-kubelet', 'etcd', 'node-apiserver', 'pod-apiserver', 'controlplane-apiserver', 'konnectivity-agent', 'konnectivity-server',
]);

/** `10.0.0.1:10250`, `[fd00::1]:2379` or `name:6443`. */
export function parseHostPort(raw: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(raw) ?? /^([^:\s]+):(\d+)$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`probe target must be HOST:PORT (IPv6 as [ADDR]:PORT), got "${raw}"`);
  if (m[0].startsWith('[') && isIP(m[1]!) !== 6) throw new UsageError(`probe target "${raw}": not an IPv6 address in brackets`);
  return { host: m[1]!, port };
}


/**
 * The probe target a judged connection shows, or null: only the server of a classified path that
 * spoke TLS, or whose bytes named no protocol (a bare TCP connection, a handshake cut short); a
 * server seen speaking cleartext HTTP has nothing for a TLS probe. `why` names what the wire
 * could not tell.
 */
export function probeTargetOf(c: ConnectionFacts, path: PathName): ProbeTarget | null {
  if (!PROBE_PATHS.has(path) || c.transport !== 'tcp') return null;
  if (c.tls === null && c.proto !== 'unknown') return null;
  const tls = tlsOf(c);
  const why: string[] = [];
  if (tls === null) why.push('no TLS handshake seen');
  else {
    if (!tls.chainVisible) why.push('server chain not visible on the wire');
    if (tls.clientAuth === 'unknown' || tls.clientAuthSource === 'inferred') why.push('client certificate request not visible on the wire');
  }
  if (path === 'apiserver-kubelet') why.push('anonymous access to the kubelet API is never visible on the wire');
  why.push('the versions a server accepts are not visible in what its clients negotiate');
  return { server: { ...c.server }, path, sni: tls?.sni ?? null, why };
}

/** A command-line target's path when --path does not say: the component's well-known port. */
function pathByPort(port: number): PathName {
  if (port === 10250) return 'apiserver-kubelet';
  if (port === 2379 || port === 2380) return 'etcd';
  if (port === 8132 || port === 8091 || port === 8090) return 'konnectivity-agent';
  return 'node-apiserver';
}

/** `comms-watch probe HOST:PORT...`: names resolved once, each target probed as the path it stands on. */
export async function namedTargets(specs: string[], path: string | null, sni: string | null): Promise<ProbeTarget[]> {
  const out: ProbeTarget[] = [];
  for (const spec of specs) {
    const { host, port } = parseHostPort(spec);
    let ip = host;
    if (isIP(host) === 0) {
      try {
        ip = (await lookup(host)).address;
      } catch (e) {
        throw new UsageError(`probe target ${spec}: cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    out.push({ server: { ip, port }, path: (path as PathName | null) ?? pathByPort(port), sni: sni ?? (isIP(host) === 0 ? host : null), why: ['named on the command line'] });
  }
  return out;
}

/** One scheduler with the options' bounds; `own` when our own packets may reach a capture (watch). */
export function makeScheduler(o: ProbeOptions, own: OwnTraffic | null, onResult: (r: ProbeResult) => void): ProbeScheduler {
  return new ProbeScheduler({ intervalMs: o.intervalMs, timeoutMs: o.timeoutMs, perSecond: o.perSecond, concurrency: MAX_CONCURRENT, own, onResult });
}

/** Dry run: each target said once per interval, as the scheduler would have taken it. */
export class ProbePlan {
  private readonly said = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}

  admit(t: ProbeTarget, now = Date.now()): boolean {
    const key = addr(t.server);
    const last = this.said.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.said.set(key, now);
    return true;
  }
}
