/**
 * One TCP connection or UDP flow: its endpoints, per-side counters and who is the client.
 * Counters are kept per side (A = sender of the first packet seen); `clientSide` maps sides to
 * client/server, so a flip changes one number and no counter.
 */
import type { FlowEndpoints } from './flow-key.js';
import { serverByPort } from './server-ports.js';

/** Idle-timeout classes, each with its own expiry list in the flow table. */
export const enum FlowClass {
  TcpEstablished = 0,
  TcpHalfOpen = 1,
  TcpClosed = 2,
  Udp = 3,
}
export const FLOW_CLASSES = 4;

export type ClientBy = 'syn' | 'content' | 'port';

export class Flow<T = unknown> implements FlowEndpoints {
  /** Collision chain of the hash bucket. */
  chain: Flow<T> | null = null;
  /** Links of the expiry list of `cls`, oldest first. */
  older: Flow<T> | null = null;
  newer: Flow<T> | null = null;
  cls: FlowClass;
  lastMicros: number;
  /** Packet time at which the flow last went to the tail of its expiry list (see FlowTable). */
  listedMicros: number;
  readonly startMicros: number;
  pktsA = 0;
  pktsB = 0;
  bytesA = 0;
  bytesB = 0;
  /** 0 when side A is the client, 1 when side B is. */
  clientSide: 0 | 1;
  clientBy: ClientBy = 'port';
  /** Whatever the later stages attach (reassembly, dissector); the table never looks at it. */
  user: T | null = null;
  /** Number of the capture's packet that created the flow (1-based), set by whoever feeds the table. */
  firstPacket = 0;

  constructor(
    readonly id: number,
    readonly hash: number,
    readonly ipVersion: 4 | 6,
    readonly l4: number,
    readonly a4: number,
    readonly b4: number,
    readonly a6: Uint32Array | null,
    readonly b6: Uint32Array | null,
    readonly aPort: number,
    readonly bPort: number,
    tsMicros: number,
    cls: FlowClass,
  ) {
    this.startMicros = tsMicros;
    this.lastMicros = tsMicros;
    this.listedMicros = tsMicros;
    this.cls = cls;
    this.clientSide = serverByPort(aPort, bPort) === 1 ? 0 : 1;
  }

  /** The side that sent a SYN (without ACK) is the client; a SYN-ACK sender is the server. */
  setClientBySyn(clientSide: 0 | 1): void {
    this.clientSide = clientSide;
    this.clientBy = 'syn';
  }

  /**
   * Content proved which side is the client (a server banner, an HTTP response). A SYN is
   * stronger evidence and is never overruled. Returns true when the client changed.
   */
  setClientByContent(clientSide: 0 | 1): boolean {
    if (this.clientBy === 'syn') return false;
    this.clientBy = 'content';
    if (this.clientSide === clientSide) return false;
    this.clientSide = clientSide;
    return true;
  }

  /** Packets and bytes as [client->server, server->client]. */
  packets(): [number, number] {
    return this.clientSide === 0 ? [this.pktsA, this.pktsB] : [this.pktsB, this.pktsA];
  }

  bytes(): [number, number] {
    return this.clientSide === 0 ? [this.bytesA, this.bytesB] : [this.bytesB, this.bytesA];
  }
}
