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

export interface LiveSource {
  readonly iface: string;
  readonly linkType: number;
  start(onPacket: (rec: PacketRecord) => void): void;
  stats(): LiveStats;
  close(): void;
}

interface PcapSessionLike {
  link_type: string;
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

export function openLive(opts: LiveOptions): LiveSource {
  const pcap = loadPcap();
  let session: PcapSessionLike;
  try {
    session = pcap.createSession(opts.iface, {
      filter: opts.filter,
      snap_length: opts.snaplen,
      buffer_size: opts.bufferBytes,
      // Buffered delivery: 0.5 us/packet against 3.5-4.7 us in immediate mode (research/libraries.md).
      buffer_timeout: 100,
      promiscuous: opts.promisc,
    });
  } catch (e) {
    const msg = (e as Error).message;
    const hint = /permi|not permitted|EPERM/i.test(msg) ? ' (run as root, or give the binary cap_net_raw)' : '';
    throw new LiveCaptureError(`cannot capture on ${opts.iface}: ${msg}${hint}`);
  }
  const linkType = LINK_TYPES[session.link_type];
  if (linkType === undefined) {
    session.close();
    throw new LiveCaptureError(`cannot capture on ${opts.iface}: unsupported link type ${session.link_type}`);
  }
  const rec = newPacketRecord();
  rec.linkType = linkType;
  return {
    iface: opts.iface,
    linkType,
    start(onPacket) {
      session.on('packet', (p) => {
        const h = p.header;
        rec.tsMicros = h.readUInt32LE(0) * 1e6 + h.readUInt32LE(4);
        rec.caplen = Math.min(h.readUInt32LE(8), p.buf.length);
        rec.origLen = h.readUInt32LE(12);
        rec.data = p.buf;
        onPacket(rec);
      });
    },
    stats() {
      const s = session.stats();
      return { received: s.ps_recv, kernelDrops: s.ps_drop, ifaceDrops: s.ps_ifdrop };
    },
    close() {
      session.close();
    },
  };
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
