/** Turns a closed flow into the ConnectionFacts record; the only place IP text is made. */
import type { EndReason } from '../core/stream.js';
import type { Endpoint, ConnectionFacts, TunnelFacts } from '../facts/connection.js';
import { ipv4ToString, ipv6ToString } from '../decode/ip-format.js';
import type { Flow } from '../flows/flow.js';
import type { DispatchFacts } from '../dispatch/attach.js';
import type { Conn } from './conn.js';

export function endpoints(fl: Flow<Conn>): { client: Endpoint; server: Endpoint } {
  const a: Endpoint = { ip: fl.ipVersion === 4 ? ipv4ToString(fl.a4) : ipv6ToString(fl.a6!), port: fl.aPort };
  const b: Endpoint = { ip: fl.ipVersion === 4 ? ipv4ToString(fl.b4) : ipv6ToString(fl.b6!), port: fl.bPort };
  return fl.clientSide === 0 ? { client: a, server: b } : { client: b, server: a };
}

function tunnelFacts(d: DispatchFacts | null): TunnelFacts | null {
  if (d === null) return null;
  return { proto: d.proto, tls: d.tls, http: d.http, http2: d.http2, ssh: d.ssh };
}

export function connectionFacts(fl: Flow<Conn>, closeReason: EndReason): ConnectionFacts {
  const { client, server } = endpoints(fl);
  const c = fl.user;
  const cs = fl.clientSide;
  const d = c !== null ? c.dispatcher.facts() : null;
  const ms: [number, number] = c === null ? [0, 0] : [c.stream(cs).missing, c.stream((cs ^ 1) as 0 | 1).missing];
  return {
    id: fl.id,
    firstPacket: fl.firstPacket,
    transport: fl.l4 === 6 ? 'tcp' : 'udp',
    client,
    server,
    clientBy: fl.clientBy,
    proto: d?.proto ?? 'unknown',
    startMicros: fl.startMicros,
    endMicros: fl.lastMicros,
    packets: fl.packets(),
    bytes: fl.bytes(),
    missingBytes: ms,
    synSeen: c !== null && c.synSent && c.synAcked,
    overlapConflicts: c === null ? 0 : c.s0.overlapConflicts + c.s1.overlapConflicts,
    endReason: c === null ? closeReason : c.endReason(closeReason),
    tls: d?.tls ?? null,
    ssh: d?.ssh ?? null,
    http: d?.http ?? null,
    http2: d?.http2 ?? null,
    tunnel: tunnelFacts(d?.tunnel ?? null),
    anomalies: c === null ? [] : c.anomalies,
    anomaliesDropped: c === null ? 0 : c.anomaliesDropped,
  };
}
