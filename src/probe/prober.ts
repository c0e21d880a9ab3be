import type { TlsFacts } from '../core/facts.js';
import { probeHandshake, type HandshakeOutcome } from './handshake.js';
import type { OwnTraffic } from './own-traffic.js';
import type { ConnectionPace } from './pace.js';
import { VERSION_NAMES, type ProbeResult, type ProbeTarget, type VersionName } from './types.js';

const VERSION_CODE: Record<VersionName, number> = { 'TLS 1.0': 0x0301, 'TLS 1.1': 0x0302, 'TLS 1.2': 0x0303, 'TLS 1.3': 0x0304 };
/** After our Finished, a TLS 1.3 server that needs a client certificate answers with an alert at once. */
const SETTLE_MS = 400;

export interface ProberOptions {
  timeoutMs: number;
  own: OwnTraffic | null;
  pace: ConnectionPace;
}

/** A server alert in the handshake: it answered in TLS and said no. */
function serverAlerted(tls: TlsFacts | null): boolean {
  return tls !== null && tls.alerts.some((a) => a.dir === 1 && a.level === 2);
}

/** Accepted when the server's hello chose the offered version; refused when it answered no in TLS. */
function versionAnswer(h: HandshakeOutcome, v: VersionName): boolean | null {
  const hello = h.tls?.serverHello ?? null;
  if (hello !== null) return h.tls!.version === VERSION_CODE[v];
  if (h.versionRefused || serverAlerted(h.tls) || h.problem?.code === 'probe.handshake_failed') return false;
  return null;
}

function isKubelet(t: ProbeTarget): boolean {
  return t.path === 'apiserver-kubelet';
}

/**
 * Probes one server: a first handshake with the client's defaults (chain, CertificateRequest,
 * and for a kubelet one `GET /pods`), then one handshake per TLS version. No credentials are
 * ever sent. A server that does not speak TLS, hangs or resets is a `problem`, not an exception.
 */
export async function probeServer(target: ProbeTarget, o: ProberOptions): Promise<ProbeResult> {
  const atMs = Date.now();
  await o.pace.take();
  const main = await probeHandshake({ target, version: null, timeoutMs: o.timeoutMs, own: o.own, getPods: isKubelet(target), settleMs: SETTLE_MS });
  const tls = main.tls;
  const result: ProbeResult = {
    target,
    atMs,
    handshake: { local: null, tls: null, chain: null, certificateRequest: null, caNames: [], clientCertRequired: false },
    versions: { 'TLS 1.0': null, 'TLS 1.1': null, 'TLS 1.2': null, 'TLS 1.3': null },
    anonymousStatus: null,
    connections: 1,
    problem: main.problem,
  };
  fillHandshake(result, main);
  // Nothing more to learn from a server that did not answer in TLS at all.
  if (tls === null || tls.serverHello === null) {
    if (result.problem === null) result.problem = { code: 'probe.not_tls', detail: 'no TLS ServerHello came back' };
    if (result.problem.code !== 'probe.handshake_failed') return result;
  }
  for (const v of VERSION_NAMES) {
    await o.pace.take();
    const h = await probeHandshake({ target, version: v, timeoutMs: o.timeoutMs, own: o.own, getPods: false, settleMs: 0 });
    result.connections++;
    result.versions[v] = versionAnswer(h, v);
  }
  // A server that only takes versions below the client's defaults: the first handshake again at its best one.
  const best = [...VERSION_NAMES].reverse().find((v) => result.versions[v] === true);
  if (result.handshake.chain === null && best !== undefined && best !== 'TLS 1.3') {
    await o.pace.take();
    const again = await probeHandshake({ target, version: best, timeoutMs: o.timeoutMs, own: o.own, getPods: isKubelet(target), settleMs: SETTLE_MS });
    result.connections++;
    fillHandshake(result, again);
    result.problem = again.problem;
  }
  return result;
}

function fillHandshake(result: ProbeResult, h: HandshakeOutcome): void {
  const tls = h.tls;
  const readable = tls !== null && tls.chainVisible;
  const request = readable ? tls.certificateRequest : null;
  result.handshake = {
    local: h.local,
    tls,
    chain: readable ? tls.serverChain : null,
    certificateRequest: readable ? request !== null : null,
    caNames: request?.certificateAuthorities ?? [],
    clientCertRequired: h.refusedAfter || (!h.established && request !== null && serverAlerted(tls)),
  };
  result.anonymousStatus = h.status;
}
