/**
 * Per-TCP-connection state behind a flow: the two reassembled directions, the dispatcher they
 * feed, the connection's anomalies (capped) and what the handshake and teardown showed. The
 * connection is its own out-of-order byte budget (`used` is read on every ACK: one object fewer
 * to fetch per packet).
 * TcpStreams speak in sides (0 = A -> B); the dispatcher in client-relative directions; the
 * flow's `clientSide` maps one onto the other at every call, so a content flip before any
 * dissector sees data is just a change of that one number.
 */
import type { AnomalyEvent, Direction, EndReason, SecretStore, StreamSink } from '../core/dissector.js';
import type { Flow } from '../flows/flow.js';
import { ConnBudget, type GlobalBudget } from '../reassembly/budget.js';
import { TcpStream } from '../reassembly/tcp-stream.js';
import { Dispatcher, type DissectorRegistry, type HoldBudget } from '../dispatch/attach.js';

/** Anomalies kept per connection; more are counted only. */
export const MAX_CONN_ANOMALIES = 32;

export interface ConnEnv {
  registry: DissectorRegistry;
  hold: HoldBudget;
  secrets: SecretStore | null;
  decryptApp: boolean;
  perConnBytes: number;
  global: GlobalBudget;
  historyBytes: number;
  /** A new anomaly of `conn` (already stored in it). */
  anomaly(conn: Conn, a: AnomalyEvent): void;
  /** Nothing reads `conn`'s bytes any more (dissectors done or detection gave up): its outcome is known. */
  settled(conn: Conn): void;
  /** A dissector of `conn` recorded something a rule may act on (Dissector.news) while bytes still flow. */
  news(conn: Conn): void;
}

export class Conn extends ConnBudget implements StreamSink {
  /** Side A -> B and side B -> A (fields rather than a tuple: one load less on the hot path). */
  readonly s0: TcpStream;
  readonly s1: TcpStream;
  readonly dispatcher: Dispatcher;
  anomalies: AnomalyEvent[] = [];
  anomaliesDropped = 0;
  /** SYN from the client and SYN-ACK from the server were both seen. */
  synSent = false;
  synAcked = false;
  /** FIN seen from side A (bit 0) and side B (bit 1). */
  fins = 0;
  rst = false;
  /** Some payload reached the dispatcher: client/server can no longer change. */
  delivering = false;
  /** Something still reads this connection's bytes (detection or a dissector). */
  private reading = true;
  /** Dispatcher.news when `env.news` was last told. */
  private newsSeen = 0;

  constructor(readonly flow: Flow<Conn>, private readonly env: ConnEnv) {
    super(env.perConnBytes, env.global);
    this.s0 = new TcpStream(0, this, this, env.historyBytes);
    this.s1 = new TcpStream(1, this, this, env.historyBytes);
    const ports: [number, number] = flow.clientSide === 0 ? [flow.aPort, flow.bPort] : [flow.bPort, flow.aPort];
    this.dispatcher = new Dispatcher(
      { registry: env.registry, hold: env.hold, secrets: env.secrets, decryptApp: env.decryptApp, anomaly: (c, d, dir) => this.anomaly(c, d, dir) },
      ports,
      (newClient) => this.flip(newClient),
    );
  }

  data(side: Direction, chunk: Buffer, ts: number): void {
    this.delivering = true;
    const dir = (side ^ this.flow.clientSide) as Direction;
    this.dispatcher.data(dir, chunk, ts);
    const over = this.dispatcher.passOver(dir);
    if (over > 0) this.stream(side).passOver(over);
    const news = this.dispatcher.news;
    if (this.reading && !this.dispatcher.active) {
      this.reading = false;
      this.newsSeen = news;
      this.s0.quiet();
      this.s1.quiet();
      this.env.settled(this);
    } else if (news !== this.newsSeen) {
      this.newsSeen = news;
      this.env.news(this);
    }
  }

  gap(side: Direction, len: number, ts: number): void {
    this.dispatcher.gap((side ^ this.flow.clientSide) as Direction, len, ts);
  }

  end(side: Direction, reason: EndReason, ts: number): void {
    this.dispatcher.end((side ^ this.flow.clientSide) as Direction, reason, ts);
  }

  /** Flushes both directions (holes become gaps) and ends them. */
  finish(reason: EndReason, ts: number): void {
    this.s0.finish(reason, ts);
    this.s1.finish(reason, ts);
  }

  stream(side: Direction): TcpStream {
    return side === 0 ? this.s0 : this.s1;
  }

  get closing(): boolean {
    return this.rst || this.fins !== 0;
  }

  endReason(closeReason: EndReason): EndReason {
    if (this.rst) return 'rst';
    if (this.fins !== 0) return 'fin';
    return closeReason;
  }

  anomaly(code: string, detail: string, dir: Direction | null): void {
    if (this.anomalies.length >= MAX_CONN_ANOMALIES) {
      this.anomaliesDropped++;
      return;
    }
    const a: AnomalyEvent = { code, detail, dir };
    this.anomalies.push(a);
    this.env.anomaly(this, a);
  }

  /** Content says current direction `client` is the client; true when that swapped the roles. */
  private flip(client: Direction): boolean {
    const side = (client ^ this.flow.clientSide) as 0 | 1;
    return this.flow.setClientByContent(side);
  }
}
