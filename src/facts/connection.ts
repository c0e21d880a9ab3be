import type { Http2Facts, HttpFacts, Proto, SshFacts, TlsFacts } from '../core/facts.js';
import type { AnomalyEvent } from '../core/dissector.js';

export interface Endpoint {
  ip: string;
  port: number;
}

/** Facts about what a tunnel (CONNECT, h2c upgrade) carried. */
export interface TunnelFacts {
  proto: Proto;
  tls: TlsFacts | null;
  http: HttpFacts | null;
  http2: Http2Facts | null;
  ssh: SshFacts | null;
}

/** Everything known about one TCP connection or UDP flow once its outcome is known. */
export interface ConnectionFacts {
  id: number;
  /** Number of the capture's packet that opened it (1-based): with the output time, it orders records whatever the sharding. */
  firstPacket?: number;
  transport: 'tcp' | 'udp';
  client: Endpoint;
  server: Endpoint;
  /** How the client side was decided: the SYN, the content, or port hints. */
  clientBy: 'syn' | 'content' | 'port';
  proto: Proto;
  startMicros: number;
  endMicros: number;
  /** Packets and transport payload bytes, [client->server, server->client]. */
  packets: [number, number];
  bytes: [number, number];
  /** Bytes known to be missing from each direction's stream. */
  missingBytes: [number, number];
  /** The three-way handshake was seen. */
  synSeen: boolean;
  /** Conflicting retransmissions (same sequence range, different bytes): an evasion signal. */
  overlapConflicts: number;
  /** `open`: a progress snapshot of a connection that has not ended. */
  endReason: 'fin' | 'rst' | 'timeout' | 'eof' | 'evicted' | 'open';
  tls: TlsFacts | null;
  ssh: SshFacts | null;
  http: HttpFacts | null;
  http2: Http2Facts | null;
  tunnel: TunnelFacts | null;
  anomalies: AnomalyEvent[];
  /** Anomalies past the per-connection cap, counted only. */
  anomaliesDropped?: number;
}

export function addr(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}
