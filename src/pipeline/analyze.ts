/**
 * The engine behind `analyze` and live capture: decode -> flows -> reassembly -> dispatch.
 * `packet()` is the hot path: numbers only, no strings, nothing allocated for a packet of a
 * known flow beyond the chunk views handed to dissectors. Everything ages on packet time.
 */
import { newFrame, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Frame } from '../core/frame.js';
import type { AnomalyEvent, EndReason, SecretStore } from '../core/dissector.js';
import { addr, type ConnectionFacts } from '../facts/connection.js';
import { readCapture, type PacketRecord } from '../capture/source.js';
import { FrameDecoder, newStats, type DecodeStats } from '../decode/frame-decoder.js';
import { FlowPeek, NO_PEEK } from '../flows/peek.js';
import { flowHash } from '../flows/flow-key.js';
import { FlowClass, type Flow } from '../flows/flow.js';
import { DEFAULT_FLOW_LIMITS, FlowTable, type CloseReason, type FlowTableLimits } from '../flows/flow-table.js';
import { GlobalBudget } from '../reassembly/budget.js';
import { seqAdd } from '../reassembly/seq.js';
import { HoldBudget, type DissectorRegistry } from '../dispatch/attach.js';
import { Conn, type ConnEnv } from './conn.js';
import { connectionFacts, endpoints } from './report.js';
import { defaultRegistry } from './registry.js';

export interface PipelineLimits extends FlowTableLimits {
  /** Out-of-order bytes one connection may hold. */
  connReassemblyBytes: number;
  /** Out-of-order bytes all connections together may hold. */
  globalReassemblyBytes: number;
  /** Recent bytes kept per direction to spot conflicting retransmissions (a power of two, or 0). */
  historyBytes: number;
  /** `expire` runs every this many packets. */
  expireEveryPackets: number;
  /** First bytes held by all connections whose protocol is still undecided. */
  detectHoldBytes: number;
}

export const DEFAULT_LIMITS: PipelineLimits = {
  ...DEFAULT_FLOW_LIMITS,
  connReassemblyBytes: 1 << 20,
  globalReassemblyBytes: 64 << 20,
  historyBytes: 2048,
  expireEveryPackets: 4096,
  detectHoldBytes: 32 << 20,
};

/** pcapng Decryption Secrets Block type for a TLS key log ('TLSK'). */
export const DSB_TLS_KEYLOG = 0x544c534b;
/** Key-log text kept from DSBs; more is counted in `stats.secretsDropped`. */
const MAX_KEYLOG_BYTES = 16 << 20;

export interface PipelineOptions {
  secrets?: SecretStore | null;
  decryptApp?: boolean;
  /** Once per TCP connection / UDP flow when its outcome is known (end, expiry, eviction, end of input). */
  onConnection(c: ConnectionFacts): void;
  onAnomaly?(a: AnomalyEvent & { client: string; server: string; tsMicros: number; firstPacket: number }): void;
  /**
   * At most once per connection, while it is still open, as soon as its outcome is known (its
   * dissector is done, or detection gave up): long-lived connections (watches, tunnels) then
   * show before they end. `onConnection` still fires at the end.
   */
  onProgress?(c: ConnectionFacts): void;
  /**
   * While a connection is open, each time its facts gained what a rule may act on (an HTTP
   * request head or response status, a settled outcome: see Dissector.news), whether or not it
   * is closing: findings can go out at the packet that proves them. Called from inside `packet()`
   * like the others; `onConnection` still follows once at the end.
   */
  onNews?(c: ConnectionFacts): void;
  /** A TLS key log arrived in the capture (pcapng DSB): the text, as it stands in the file. */
  onKeyLog?(text: string): void;
  limits?: Partial<PipelineLimits>;
  /** Dissectors to attach (default: every dissector of the project). */
  registry?: DissectorRegistry;
  /**
   * This pipeline is shard `index` of `count`: it still reads and decodes every packet (so IP
   * fragments, packet time and flow expiry are the same in every shard), but only the flows
   * whose symmetric flow hash falls to it go on to flows, reassembly and dissectors.
   */
  shard?: { index: number; count: number };
}

export interface PipelineStats {
  packets: number;
  bytes: number;
  /** Flows created (TCP connections and UDP flows). */
  flows: number;
  flowsEvicted: number;
  flowsExpired: number;
  /** Flows open right now. */
  flowsOpen: number;
  tcpConnections: number;
  udpFlows: number;
  /** Gaps reported by reassembly, and their bytes. */
  gaps: number;
  missingBytes: number;
  overlapConflicts: number;
  /** Segments dropped by reassembly (beyond the window, after FIN). */
  segmentsDropped: number;
  /** Times a connection skipped ahead because a reassembly byte cap was full. */
  budgetExhausted: number;
  /* The five reassembly counters above are added when a connection closes. */
  /** Out-of-order bytes held right now. */
  reassemblyBytes: number;
  /** Connections that gave protocol detection up because the detection hold pool was full. */
  detectRefused: number;
  anomalies: number;
  anomaliesDropped: number;
  secretsBlocks: number;
  secretsDropped: number;
  decode: DecodeStats;
}

export class Pipeline {
  readonly stats: PipelineStats;
  /** TLS key logs found in the capture (pcapng DSBs), for whoever builds the SecretStore. */
  readonly keyLogs: string[] = [];
  private readonly frame: Frame = newFrame();
  private readonly decoder = new FrameDecoder();
  private readonly table: FlowTable<Conn>;
  private readonly limits: PipelineLimits;
  private readonly global: GlobalBudget;
  private readonly hold: HoldBudget;
  private readonly env: ConnEnv;
  private sinceExpire = 0;
  private now = 0;
  private keyLogBytes = 0;
  private index = 0;
  private readonly peek = new FlowPeek();
  /** Decode counts of packets another shard counts. */
  private readonly uncounted = newStats();
  private readonly shardIndex: number;
  private readonly shardCount: number;

  constructor(private readonly opts: PipelineOptions) {
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.limits = limits;
    this.shardIndex = opts.shard?.index ?? 0;
    this.shardCount = opts.shard?.count ?? 1;
    this.global = new GlobalBudget(limits.globalReassemblyBytes);
    this.hold = new HoldBudget(limits.detectHoldBytes);
    this.table = new FlowTable<Conn>(limits, (fl, why) => this.closed(fl, why));
    this.stats = {
      packets: 0, bytes: 0, flows: 0, flowsEvicted: 0, flowsExpired: 0, flowsOpen: 0, tcpConnections: 0, udpFlows: 0,
      gaps: 0, missingBytes: 0, overlapConflicts: 0, segmentsDropped: 0, budgetExhausted: 0, reassemblyBytes: 0,
      detectRefused: 0, anomalies: 0, anomaliesDropped: 0, secretsBlocks: 0, secretsDropped: 0, decode: this.decoder.stats,
    };
    this.env = {
      registry: opts.registry ?? defaultRegistry,
      hold: this.hold,
      secrets: opts.secrets ?? null,
      decryptApp: opts.decryptApp ?? false,
      perConnBytes: limits.connReassemblyBytes,
      global: this.global,
      historyBytes: limits.historyBytes,
      anomaly: (conn, a) => this.anomaly(conn, a),
      settled: (conn) => {
        const cb = this.opts.onProgress;
        if (cb !== undefined && !conn.closing) cb(openFacts(conn));
        else this.opts.onNews?.(openFacts(conn));
      },
      news: (conn) => this.opts.onNews?.(openFacts(conn)),
    };
  }

  /** Packets read so far; a record's output position. `finish()` counts one past the last packet. */
  get packetIndex(): number {
    return this.index;
  }

  packet(rec: PacketRecord): void {
    const st = this.stats;
    this.index++;
    if (this.shardCount > 1 && !this.own(rec)) {
      if (++this.sinceExpire >= this.limits.expireEveryPackets) this.expire(this.now > rec.tsMicros ? this.now : rec.tsMicros);
      return;
    }
    if (this.shardCount === 1) {
      st.packets++;
      st.bytes += rec.caplen;
    }
    this.process(rec);
    if (++this.sinceExpire >= this.limits.expireEveryPackets) this.expire(this.now > rec.tsMicros ? this.now : rec.tsMicros);
  }

  /**
   * A shard fed by one reader: packet number `index` of the capture, which the reader routed here.
   * `nowBefore` is the packet time of what the reader saw before it (packets of other shards
   * included); `counted`: this shard counts it (a packet every shard gets is counted by shard 0).
   */
  routed(rec: PacketRecord, index: number, nowBefore: number, counted: boolean): void {
    this.index = index;
    if (nowBefore > this.now) this.now = nowBefore;
    const st = this.stats;
    this.decoder.stats = counted ? st.decode : this.uncounted;
    if (counted) {
      st.packets++;
      st.bytes += rec.caplen;
    }
    this.process(rec);
  }

  /** A shard fed by one reader: packet `index` (at `tsMicros`, packet time `nowAfter` by then) was an expiry point. */
  sweepAt(index: number, tsMicros: number, nowAfter: number): void {
    this.index = index;
    if (nowAfter > this.now) this.now = nowAfter;
    this.expire(this.now > tsMicros ? this.now : tsMicros);
  }

  /** The end of a capture of `total` packets (for a shard that saw only some of them). */
  finishAt(total: number): void {
    this.index = total;
    this.finish();
  }

  private process(rec: PacketRecord): void {
    const f = this.frame;
    if (this.decoder.decode(rec, f)) {
      if (f.tsMicros > this.now) this.now = f.tsMicros;
      const hash = flowHash(f);
      // (hash >>> 0) % count, without a heap number: the low bits of the mixed hash are as good.
      if (this.shardCount === 1 || ((hash & 0x7fffffff) % this.shardCount) === this.shardIndex) {
        if (f.l4 === 6) this.tcp(f, hash);
        else this.udp(f);
      }
    }
  }

  /**
   * Shards: whether this packet goes through the full decode here. Another shard's (by the peeked
   * flow hash) only moves packet time on; one that only the full decode can place is decoded by
   * every shard (fragments must meet in every fragment table) and counted by shard 0 alone, so
   * that the shards' counts add up to one pipeline's.
   */
  private own(rec: PacketRecord): boolean {
    const h = this.peek.hash(rec);
    const st = this.stats;
    if (h !== NO_PEEK) {
      if ((h & 0x7fffffff) % this.shardCount !== this.shardIndex) {
        if (rec.tsMicros > this.now) this.now = rec.tsMicros;
        return false;
      }
      this.decoder.stats = st.decode;
    } else {
      this.decoder.stats = this.shardIndex === 0 ? st.decode : this.uncounted;
      if (this.shardIndex !== 0) return true;
    }
    st.packets++;
    st.bytes += rec.caplen;
    return true;
  }

  secretsBlock(type: number, data: Buffer): void {
    this.stats.secretsBlocks++;
    if (type !== DSB_TLS_KEYLOG || this.keyLogBytes + data.length > MAX_KEYLOG_BYTES) {
      this.stats.secretsDropped++;
      return;
    }
    this.keyLogBytes += data.length;
    const text = data.toString('utf8');
    this.keyLogs.push(text);
    this.opts.onKeyLog?.(text);
  }

  expire(nowMicros: number): void {
    this.sinceExpire = 0;
    this.table.expire(nowMicros);
    this.sync();
  }

  finish(): void {
    this.index++;
    this.table.closeAll('eof');
    this.sync();
  }

  private sync(): void {
    const st = this.stats;
    st.flowsOpen = this.table.size;
    st.flowsEvicted = this.table.evicted;
    st.flowsExpired = this.table.expired;
    st.reassemblyBytes = this.global.used;
    st.detectRefused = this.hold.refused;
  }

  private tcp(f: Frame, hash: number): void {
    const table = this.table;
    const flags = f.tcpFlags;
    const synOnly = (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    let fl = table.find(f, hash);
    if (fl !== null && synOnly && fl.user !== null && this.reused(fl.user, table.side, f.seq)) {
      table.remove(fl);
      this.closed(fl, 'eof');
      fl = null;
    }
    if (fl === null) {
      fl = table.create(f, hash, synOnly ? FlowClass.TcpHalfOpen : FlowClass.TcpEstablished);
      fl.firstPacket = this.index;
      fl.user = new Conn(fl, this.env);
      this.stats.flows++;
      this.stats.tcpConnections++;
    }
    const side = table.side;
    const conn = fl.user!;
    const len = f.payloadLength;
    if (side === 0) {
      fl.pktsA++;
      fl.bytesA += len;
    } else {
      fl.pktsB++;
      fl.bytesB += len;
    }
    const ts = f.tsMicros;
    let seq = f.seq;
    if ((flags & TCP_SYN) !== 0) {
      const clientSide = (synOnly ? side : side ^ 1) as 0 | 1;
      if (!conn.delivering && fl.clientBy !== 'syn') fl.setClientBySyn(clientSide);
      if (synOnly) conn.synSent = true;
      else conn.synAcked = true;
      conn.stream(side).syn(seq);
      seq = seqAdd(seq, 1);
    }
    if ((flags & TCP_RST) !== 0) {
      if (!conn.rst) {
        conn.rst = true;
        conn.finish('rst', ts);
      }
      table.touch(fl, ts, FlowClass.TcpClosed);
      return;
    }
    const fin = (flags & TCP_FIN) !== 0;
    if (len > 0 || fin) (side === 0 ? conn.s0 : conn.s1).segment(seq, f.data, f.payloadOffset, len, fin, ts);
    // Only held out-of-order bytes can be acknowledged past: most ACKs never reach the other stream.
    if ((flags & TCP_ACK) !== 0 && conn.used !== 0) (side === 0 ? conn.s1 : conn.s0).acked(f.ack, ts);
    if (fin) conn.fins |= 1 << side;
    const cls = conn.fins === 3
      ? FlowClass.TcpClosed
      : fl.cls === FlowClass.TcpHalfOpen && !synOnly ? FlowClass.TcpEstablished : fl.cls;
    table.touch(fl, ts, cls);
  }

  /**
   * A SYN on a known connection starts a new one when the old one is closing, its SYN had
   * another ISN, or it was picked up mid-stream and has already carried data.
   */
  private reused(conn: Conn, side: 0 | 1, seq: number): boolean {
    if (conn.closing) return true;
    const s = conn.stream(side);
    return s.synSeen ? s.isn !== seq : s.delivered > 0;
  }

  private udp(f: Frame): void {
    const fl = this.table.lookup(f, FlowClass.Udp);
    if (fl.pktsA === 0 && fl.pktsB === 0) {
      fl.firstPacket = this.index;
      this.stats.flows++;
      this.stats.udpFlows++;
    }
    if (this.table.side === 0) {
      fl.pktsA++;
      fl.bytesA += f.payloadLength;
    } else {
      fl.pktsB++;
      fl.bytesB += f.payloadLength;
    }
    this.table.touch(fl, f.tsMicros, FlowClass.Udp);
  }

  private closed(fl: Flow<Conn>, why: CloseReason): void {
    const conn = fl.user;
    const reason: EndReason = why;
    if (conn !== null) {
      conn.finish(conn.endReason(reason), fl.lastMicros);
      const st = this.stats;
      for (const s of [conn.s0, conn.s1]) {
        st.gaps += s.gaps;
        st.missingBytes += s.missing;
        st.overlapConflicts += s.overlapConflicts;
        st.segmentsDropped += s.dropped;
      }
      st.budgetExhausted += conn.exhausted;
      st.anomaliesDropped += conn.anomaliesDropped;
    }
    this.opts.onConnection(connectionFacts(fl, reason));
    this.sync();
  }

  private anomaly(conn: Conn, a: AnomalyEvent): void {
    this.stats.anomalies++;
    const cb = this.opts.onAnomaly;
    if (cb === undefined) return;
    const { client, server } = endpoints(conn.flow);
    cb({ ...a, client: addr(client), server: addr(server), tsMicros: this.now, firstPacket: conn.flow.firstPacket });
  }
}

function openFacts(conn: Conn): ConnectionFacts {
  return { ...connectionFacts(conn.flow, 'eof'), endReason: 'open' };
}

export interface AnalyzeResult {
  stats: PipelineStats;
  damage: { file: string; offset: number; message: string } | null;
}

/**
 * Runs every file through one pipeline (one capture split over files). A damaged file is
 * analysed up to the damage; the first damage is returned and the other files still run.
 */
export async function analyzeFiles(paths: string[], opts: PipelineOptions): Promise<AnalyzeResult> {
  const p = new Pipeline(opts);
  let damage: AnalyzeResult['damage'] = null;
  const handlers = {
    packet: (rec: PacketRecord) => p.packet(rec),
    secrets: (type: number, data: Buffer) => p.secretsBlock(type, data),
  };
  for (const file of paths) {
    const summary = await readCapture(file, handlers);
    if (summary.damage !== null && damage === null) damage = { file, offset: summary.damage.offset, message: summary.damage.message };
  }
  p.finish();
  return { stats: p.stats, damage };
}
