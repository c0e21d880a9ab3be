/**
 * The live flows, found by symmetric hash (a power-of-two array of bucket heads, collisions
 * chained, doubled when it fills) and aged on PACKET time: every flow sits in the expiry list of
 * its class, so expiry looks only at list heads. When `maxFlows` is reached the oldest flow goes,
 * preferring closed, then UDP, then half-open, then established flows; evictions are counted.
 *
 * The expiry lists are ordered by `listedMicros`, the packet time at which a flow was last moved
 * to the tail, not by its last packet: moving a flow on every packet touches its two neighbours
 * and the tail, three cache misses per packet on a large table. A flow moves again only when its
 * class changes or it has aged `RELIST_MICROS` since it was listed. Expiry stays exact: a head whose
 * real `lastMicros` is recent is relisted instead of expired, and every flow behind a head that is
 * not due is not due either (its `listedMicros`, a lower bound of its `lastMicros`, is later).
 * Eviction takes the head, which is the least recently seen flow within `RELIST_MICROS`.
 */
import type { Frame } from '../core/frame.js';
import { flowHash, matchSide } from './flow-key.js';
import { FLOW_CLASSES, Flow, FlowClass } from './flow.js';

export interface FlowTableLimits {
  maxFlows: number;
  /** Idle timeouts in microseconds of packet time, by class. */
  tcpEstablishedIdleMicros: number;
  tcpHalfOpenIdleMicros: number;
  tcpClosedIdleMicros: number;
  udpIdleMicros: number;
}

export const DEFAULT_FLOW_LIMITS: FlowTableLimits = {
  maxFlows: 200_000,
  tcpEstablishedIdleMicros: 3600e6,
  tcpHalfOpenIdleMicros: 30e6,
  tcpClosedIdleMicros: 5e6,
  udpIdleMicros: 60e6,
};

export type CloseReason = 'timeout' | 'evicted' | 'eof';

/** How stale a flow's place in its expiry list may get (microseconds of packet time). */
export const RELIST_MICROS = 1e6;
const INITIAL_BUCKETS = 1 << 12;

/** Eviction tries these classes in order. */
const EVICT_ORDER = [FlowClass.TcpClosed, FlowClass.Udp, FlowClass.TcpHalfOpen, FlowClass.TcpEstablished];

export class FlowTable<T> {
  size = 0;
  created = 0;
  evicted = 0;
  expired = 0;
  /** Side of the frame in the flow returned by the last `lookup`: 0 = A -> B. */
  side: 0 | 1 = 0;
  private buckets: (Flow<T> | null)[] = new Array<Flow<T> | null>(INITIAL_BUCKETS).fill(null);
  private mask = INITIAL_BUCKETS - 1;
  private readonly oldest: (Flow<T> | null)[] = new Array(FLOW_CLASSES).fill(null);
  private readonly newest: (Flow<T> | null)[] = new Array(FLOW_CLASSES).fill(null);
  private readonly idle: number[];
  private nextId = 1;

  constructor(
    private readonly limits: FlowTableLimits,
    /** Called for every flow leaving the table except through `remove`. */
    private readonly onClose: (flow: Flow<T>, reason: CloseReason) => void,
  ) {
    this.idle = [
      limits.tcpEstablishedIdleMicros,
      limits.tcpHalfOpenIdleMicros,
      limits.tcpClosedIdleMicros,
      limits.udpIdleMicros,
    ];
  }

  /** The frame's flow, or null when there is none; sets `side`. */
  find(f: Frame, hash: number): Flow<T> | null {
    for (let fl: Flow<T> | null = this.buckets[hash & this.mask]!; fl !== null; fl = fl.chain) {
      const s = matchSide(fl, f);
      if (s >= 0) {
        this.side = s as 0 | 1;
        return fl;
      }
    }
    return null;
  }

  /** The frame's flow, created (side A = the frame's source) when missing; sets `side`. */
  lookup(f: Frame, cls: FlowClass): Flow<T> {
    const hash = flowHash(f);
    const found = this.find(f, hash);
    if (found !== null) return found;
    return this.create(f, hash, cls);
  }

  create(f: Frame, hash: number, cls: FlowClass): Flow<T> {
    if (this.size >= this.limits.maxFlows) this.evictOne();
    const v6 = f.ipVersion === 6;
    const fl = new Flow<T>(
      this.nextId++, hash, v6 ? 6 : 4, f.l4,
      v6 ? 0 : f.src4, v6 ? 0 : f.dst4,
      v6 ? Uint32Array.from(f.src6) : null, v6 ? Uint32Array.from(f.dst6) : null,
      f.srcPort, f.dstPort, f.tsMicros, cls,
    );
    if (this.size >= this.buckets.length) this.grow();
    const b = hash & this.mask;
    fl.chain = this.buckets[b]!;
    this.buckets[b] = fl;
    this.append(fl);
    this.size++;
    this.created++;
    this.side = 0;
    return fl;
  }

  /** The flow was seen at `ts` (`cls` may change its class). */
  touch(fl: Flow<T>, ts: number, cls: FlowClass): void {
    if (ts > fl.lastMicros) fl.lastMicros = ts;
    if (fl.cls === cls && fl.lastMicros - fl.listedMicros < RELIST_MICROS) return;
    this.unlink(fl);
    fl.cls = cls;
    this.append(fl);
  }

  /** Closes every flow idle for longer than its class allows at packet time `now`. */
  expire(now: number): void {
    for (let c = 0; c < FLOW_CLASSES; c++) {
      const limit = this.idle[c]!;
      for (let fl = this.oldest[c]; fl !== null && now - fl.listedMicros > limit; fl = this.oldest[c]) {
        if (now - fl.lastMicros <= limit) {
          this.unlink(fl);
          this.append(fl);
          continue;
        }
        this.drop(fl);
        this.expired++;
        this.onClose(fl, 'timeout');
      }
    }
  }

  /** Takes a flow out without calling `onClose` (the caller reports it). */
  remove(fl: Flow<T>): void {
    this.drop(fl);
  }

  /** Closes every flow (end of input), oldest first within each class. */
  closeAll(reason: CloseReason): void {
    const all: Flow<T>[] = [];
    for (let c = 0; c < FLOW_CLASSES; c++) for (let fl = this.oldest[c]; fl !== null; fl = fl.newer) all.push(fl);
    all.sort((x, y) => x.startMicros - y.startMicros || x.id - y.id);
    for (const fl of all) {
      this.drop(fl);
      this.onClose(fl, reason);
    }
  }

  private evictOne(): void {
    for (const c of EVICT_ORDER) {
      const fl = this.oldest[c];
      if (fl !== null) {
        this.drop(fl);
        this.evicted++;
        this.onClose(fl, 'evicted');
        return;
      }
    }
  }

  /** Twice the buckets, every flow rechained (flows are all in the expiry lists). */
  private grow(): void {
    const n = this.buckets.length * 2;
    this.buckets = new Array<Flow<T> | null>(n).fill(null);
    this.mask = n - 1;
    for (let c = 0; c < FLOW_CLASSES; c++) {
      for (let fl = this.oldest[c]; fl !== null; fl = fl.newer) {
        const b = fl.hash & this.mask;
        fl.chain = this.buckets[b]!;
        this.buckets[b] = fl;
      }
    }
  }

  private drop(fl: Flow<T>): void {
    this.unlink(fl);
    const b = fl.hash & this.mask;
    const head = this.buckets[b]!;
    if (head === fl) {
      this.buckets[b] = fl.chain;
    } else {
      let p = head;
      while (p.chain !== fl) p = p.chain!;
      p.chain = fl.chain;
    }
    fl.chain = null;
    this.size--;
  }

  private append(fl: Flow<T>): void {
    fl.listedMicros = fl.lastMicros;
    const c = fl.cls;
    const tail = this.newest[c]!;
    fl.older = tail;
    fl.newer = null;
    if (tail !== null) tail.newer = fl;
    else this.oldest[c] = fl;
    this.newest[c] = fl;
  }

  private unlink(fl: Flow<T>): void {
    const c = fl.cls;
    if (fl.older !== null) fl.older.newer = fl.newer;
    else this.oldest[c] = fl.newer;
    if (fl.newer !== null) fl.newer.older = fl.older;
    else this.newest[c] = fl.older;
    fl.older = null;
    fl.newer = null;
  }
}
