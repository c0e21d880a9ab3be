import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PacketRecord } from './types.js';
import { newPacketRecord } from './types.js';

/**
 * Live capture through libpcap (npm `pcap`, node_pcap 3.1), behind a small interface so the
 * pipeline sees the same PacketRecord as from a file. `pcap` is an optional native dependency:
 * offline analysis installs and runs without libpcap.
 */
export interface LiveOptions {
  iface: string;
  filter: string;
  snaplen: number;
  bufferBytes: number;
  promisc: boolean;
}

export interface LiveStats {
  received: number;
  kernelDrops: number;
  ifaceDrops: number;
}

/** What the capture tells its owner about itself while it runs. */
export interface CaptureEvents {
  /** libpcap reported the capture broken (`reason`); a recovery follows. */
  broken(reason: string): void;
  /** Capturing again: on a new session (`reopened`) or on the old socket, read on a timer (`resumed`). */
  recovered(how: 'reopened' | 'resumed', detail: string): void;
  /** The capture cannot be re-established (e.g. privileges already dropped): the daemon must stop. */
  lost(reason: string): void;
}

export interface LiveSource {
  readonly iface: string;
  readonly linkType: number;
  start(onPacket: (rec: PacketRecord) => void, events: CaptureEvents): void;
  stats(): LiveStats;
  /** Reads what the kernel still holds for us, then releases the capture (the process can exit on its own). */
  close(): Promise<void>;
}

interface NativeSession {
  dispatch(buf: Buffer, header: Buffer): number;
  read_callback: () => void;
}

interface PcapSessionLike {
  link_type: string;
  buf: Buffer;
  header: Buffer;
  session: NativeSession;
  on(ev: 'packet', cb: (p: { buf: Buffer; header: Buffer }) => void): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  close(): void;
}

interface PcapModule {
  createSession(dev: string, opts: Record<string, unknown>): PcapSessionLike;
}

/** node_pcap names link types; the decoder wants DLT numbers. */
const LINK_TYPES: Record<string, number> = {
  LINKTYPE_NULL: 0,
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_RAW: 12,
  LINKTYPE_LINUX_SLL: 113,
};

/** Buffered delivery: 0.5 us/packet against 3.5-4.7 us in immediate mode (research/libraries.md). */
const BUFFER_TIMEOUT_MS = 100;
/** Longest wait at close for packets the kernel holds (a few block timeouts). */
const DRAIN_MAX_MS = 4 * BUFFER_TIMEOUT_MS;
/** How often the interface is checked (gone, re-created) and a pending re-open retried. */
const HEALTH_EVERY_MS = 1000;
/** Packets kept between open and start (the owner sets up outputs in between); more are dropped. */
const HELD_MAX_PACKETS = 4096;
const HELD_MAX_BYTES = 16 << 20;

export class LiveCaptureError extends Error {}

function loadPcap(): PcapModule {
  try {
    return createRequire(import.meta.url)('pcap') as PcapModule;
  } catch (e) {
    throw new LiveCaptureError(
      `live capture needs libpcap and the optional npm module "pcap" (${(e as Error).message.split('\n')[0]}). ` +
        'Install libpcap-dev (sudo scripts/setup-system.sh), then npm install; or analyse a capture file: comms-watch analyze FILE',
    );
  }
}

/** The interface of the default route (IPv4), else libpcap's "any". */
export function defaultInterface(routeTable = '/proc/net/route'): string {
  try {
    for (const line of readFileSync(routeTable, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 2 && f[1] === '00000000' && f[0]) return f[0];
    }
  } catch {
    // No /proc (not Linux): libpcap's "any" is the portable fallback.
  }
  return 'any';
}

/** The kernel's index of `iface` (a re-created interface gets a new one), null when it does not exist or cannot be told. */
function ifindexOf(iface: string): number | null {
  if (iface.includes('/')) return null;
  try {
    const n = Number(readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8').trim());
    return Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/** IFF_UP of `iface` (a socket bound to a down interface starts out broken). */
function isUp(iface: string): boolean {
  try {
    return (Number(readFileSync(`/sys/class/net/${iface}/flags`, 'utf8').trim()) & 1) === 1;
  } catch {
    return true;
  }
}

export function openLive(opts: LiveOptions): LiveSource {
  return new LiveCapture(loadPcap(), opts);
}

/**
 * node_pcap reads on every poll wake-up of the packet socket and keeps quiet about trouble: when
 * the socket reports an error (ENETDOWN: the interface went down or away), libuv stops watching
 * it for good and the session goes blind while looking alive. So the wake-ups are ours: one that
 * reads nothing is that error (with TPACKET_V3 the socket is readable only with a full block to
 * hand over), and the capture is re-established. Its close() only calls pcap_breakloop, so the
 * handle is released here by one more dispatch, which then finalises it.
 */
class LiveCapture implements LiveSource {
  readonly iface: string;
  readonly linkType: number;
  private session: PcapSessionLike;
  private ifindex: number | null;
  private readonly rec = newPacketRecord();
  private onPacket: ((rec: PacketRecord) => void) | null = null;
  private events: CaptureEvents | null = null;
  private held: { data: Buffer; header: Buffer }[] = [];
  private heldBytes = 0;
  private delivered = 0;
  /** Set once libuv no longer watches the socket: reads are driven by this timer instead. */
  private poller: NodeJS.Timeout | null = null;
  private health: NodeJS.Timeout | null = null;
  private reopenPending = false;
  private closed = false;
  /** Packets delivered by the current session, and the health check's last look at it. */
  private sessionDelivered = 0;
  private lastCheck = { delivered: 0, waiting: 0 };
  /** Counters of sessions already released (after a re-open) and the last ones read. */
  private base: LiveStats = { received: 0, kernelDrops: 0, ifaceDrops: 0 };
  private last: LiveStats = { received: 0, kernelDrops: 0, ifaceDrops: 0 };

  constructor(private readonly pcap: PcapModule, private readonly opts: LiveOptions) {
    this.iface = opts.iface;
    this.ifindex = ifindexOf(opts.iface);
    this.session = this.open();
    const linkType = LINK_TYPES[this.session.link_type];
    if (linkType === undefined) {
      const name = this.session.link_type;
      this.release(this.session);
      throw new LiveCaptureError(`cannot capture on ${opts.iface}: unsupported link type ${name}`);
    }
    this.linkType = linkType;
    this.rec.linkType = linkType;
  }

  start(onPacket: (rec: PacketRecord) => void, events: CaptureEvents): void {
    this.onPacket = onPacket;
    this.events = events;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const h of held) this.deliver(h.data, h.header);
    this.health = setInterval(() => this.checkHealth(), HEALTH_EVERY_MS);
  }

  stats(): LiveStats {
    if (!this.closed) {
      try {
        const s = this.session.stats();
        this.last = { received: s.ps_recv, kernelDrops: s.ps_drop, ifaceDrops: s.ps_ifdrop };
      } catch {
        // A broken session keeps its last counters.
      }
    }
    const b = this.base;
    const l = this.last;
    return { received: b.received + l.received, kernelDrops: b.kernelDrops + l.kernelDrops, ifaceDrops: b.ifaceDrops + l.ifaceDrops };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.health !== null) clearInterval(this.health);
    this.health = null;
    // A packet that arrived before the stop may sit in a block the kernel hands over only when it
    // times out: read until every packet the kernel took for us is read (bounded, should the
    // counters never meet).
    const deadline = Date.now() + DRAIN_MAX_MS;
    for (this.read(this.session); this.waiting() > 0 && Date.now() < deadline; this.read(this.session)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (this.poller !== null) clearInterval(this.poller);
    this.poller = null;
    this.stats();
    this.closed = true;
    this.release(this.session);
  }

  /** Packets the current session's kernel counters have accepted and not dropped that were not read yet. */
  private waiting(): number {
    try {
      const st = this.session.stats();
      return st.ps_recv - st.ps_drop - this.sessionDelivered;
    } catch {
      return 0;
    }
  }

  private open(): PcapSessionLike {
    let s: PcapSessionLike;
    try {
      s = this.pcap.createSession(this.opts.iface, {
        filter: this.opts.filter,
        snap_length: this.opts.snaplen,
        buffer_size: this.opts.bufferBytes,
        buffer_timeout: BUFFER_TIMEOUT_MS,
        promiscuous: this.opts.promisc,
      });
    } catch (e) {
      const msg = (e as Error).message;
      const hint = /permi|not permitted|EPERM/i.test(msg) ? ' (run as root, or give the binary cap_net_raw)' : '';
      throw new LiveCaptureError(`cannot capture on ${this.opts.iface}: ${msg}${hint}`);
    }
    s.on('packet', (p) => this.deliver(p.buf, p.header));
    s.session.read_callback = () => this.wake(s);
    return s;
  }

  private deliver(data: Buffer, h: Buffer): void {
    const onPacket = this.onPacket;
    if (onPacket === null) {
      // Between open and start: kept (copied, the session reuses its buffer) rather than lost.
      const caplen = Math.min(h.readUInt32LE(8), data.length);
      if (this.held.length < HELD_MAX_PACKETS && this.heldBytes + caplen <= HELD_MAX_BYTES) {
        this.held.push({ data: Buffer.from(data.subarray(0, caplen)), header: Buffer.from(h) });
        this.heldBytes += caplen;
      }
      return;
    }
    const rec = this.rec;
    rec.tsMicros = h.readUInt32LE(0) * 1e6 + h.readUInt32LE(4);
    rec.caplen = Math.min(h.readUInt32LE(8), data.length);
    rec.origLen = h.readUInt32LE(12);
    rec.data = data;
    this.delivered++;
    this.sessionDelivered++;
    onPacket(rec);
  }

  /** Dispatches what libpcap has; -1 when it reports a read error. */
  private read(s: PcapSessionLike): number {
    return s.session.dispatch(s.buf, s.header);
  }

  /** A poll wake-up of session `s`. */
  private wake(s: PcapSessionLike): void {
    if (this.closed || s !== this.session) return;
    const before = this.delivered;
    const r = this.read(s);
    if (this.poller !== null) {
      if (r === -1) this.broken('libpcap read error');
      return;
    }
    if (r === -1) this.broken('libpcap read error');
    else if (this.delivered === before && this.events !== null) this.broken('the capture socket reported an error (interface down or gone)');
  }

  private broken(reason: string): void {
    this.events?.broken(reason);
    this.recover();
  }

  /**
   * The same interface (same index): the socket receives again once the link is up, only
   * nobody watches it any more, so it is read on a timer. A re-created or vanished interface
   * needs a new session, which needs the privileges the daemon may have dropped.
   */
  private recover(): void {
    const now = ifindexOf(this.iface);
    if (now === this.ifindex) {
      this.reopenPending = false;
      if (this.poller === null) {
        this.poller = setInterval(() => this.wake(this.session), BUFFER_TIMEOUT_MS);
        this.events?.recovered('resumed', `${this.iface} is the same interface: reading its socket on a ${BUFFER_TIMEOUT_MS} ms timer`);
      }
      return;
    }
    if (now === null || !isUp(this.iface)) {
      // Gone or down for now: retried on every health check until it is back and up.
      this.reopenPending = true;
      return;
    }
    let fresh: PcapSessionLike;
    try {
      fresh = this.open();
    } catch (e) {
      this.reopenPending = false;
      this.events?.lost(`cannot re-open ${this.iface}: ${(e as Error).message}`);
      return;
    }
    const old = this.session;
    this.stats();
    this.base = { received: this.base.received + this.last.received, kernelDrops: this.base.kernelDrops + this.last.kernelDrops, ifaceDrops: this.base.ifaceDrops + this.last.ifaceDrops };
    this.last = { received: 0, kernelDrops: 0, ifaceDrops: 0 };
    this.session = fresh;
    this.sessionDelivered = 0;
    this.lastCheck = { delivered: 0, waiting: 0 };
    this.ifindex = now;
    this.reopenPending = false;
    if (this.poller !== null) clearInterval(this.poller);
    this.poller = null;
    this.release(old);
    this.events?.recovered('reopened', `new session on ${this.iface} (interface index ${now})`);
  }

  /**
   * Besides a re-created or vanished interface: packets the kernel took for us a whole check ago
   * and still not read mean nobody is woken for them any more (the error and a full block came
   * in one wake-up, which read the block).
   */
  private checkHealth(): void {
    if (this.reopenPending) {
      this.recover();
      return;
    }
    const now = ifindexOf(this.iface);
    if (this.ifindex !== null && now !== this.ifindex) {
      this.broken(now === null ? `${this.iface} is gone` : `${this.iface} was re-created`);
      return;
    }
    if (this.poller !== null) return;
    const waiting = this.waiting();
    const stalled = waiting > 0 && this.lastCheck.waiting > 0 && this.lastCheck.delivered === this.sessionDelivered;
    this.lastCheck = { delivered: this.sessionDelivered, waiting };
    if (stalled) this.broken(`${waiting} packets wait in the capture ring and no read wake-up came`);
  }

  /** close() only breaks the loop; the next dispatch sees that and finalises (poll stopped, pcap_close). */
  private release(s: PcapSessionLike): void {
    s.close();
    try {
      s.session.dispatch(s.buf, s.header);
    } catch {
      // Already finalised.
    }
  }
}

/** Drops root after the capture is open, before any packet is parsed; never continues as root by accident. */
export function dropPrivileges(user: string): string {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root: nothing to drop';
  if (user === 'root') return 'keeping root (--user root)';
  try {
    process.setgroups?.([]);
    try {
      // Debian's nobody has the group nogroup; elsewhere the group is named like the user.
      process.setgid!(user === 'nobody' ? 'nogroup' : user);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_CREDENTIAL') throw e;
      process.setgid!(user);
    }
    process.setuid!(user);
  } catch (e) {
    throw new LiveCaptureError(`cannot drop privileges to ${user}: ${(e as Error).message} (needs CAP_SETUID and CAP_SETGID, or --user root)`);
  }
  return `dropped privileges to ${user} (uid ${process.getuid()})`;
}
