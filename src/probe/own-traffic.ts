import { randomInt } from 'node:crypto';

/** Linux's default ephemeral range (net.ipv4.ip_local_port_range). */
const PORT_LOW = 32768;
const PORT_HIGH = 60999;
/** How long a probe connection stays known after it closed: the capture may still hold its last packets. */
const KEEP_MS = 10 * 60_000;
const MAX_ENTRIES = 4096;

/**
 * The probe's own TCP connections, known before their first packet: each binds a local port
 * chosen here, so the capture can tell (server, local port) as ours from the SYN on.
 */
export class OwnTraffic {
  private readonly live = new Map<string, number>();

  /** A local port to bind for a connection to `ip:port`; registered at once. */
  claim(ip: string, port: number, now = Date.now()): number {
    this.prune(now);
    for (;;) {
      const local = randomInt(PORT_LOW, PORT_HIGH + 1);
      const key = keyOf(ip, port, local);
      if (this.live.has(key)) continue;
      this.live.set(key, Number.POSITIVE_INFINITY);
      return local;
    }
  }

  /** The connection ended: it stays known for KEEP_MS, then its port may be chosen again. */
  release(ip: string, port: number, local: number, now = Date.now()): void {
    const key = keyOf(ip, port, local);
    if (this.live.has(key)) this.live.set(key, now + KEEP_MS);
  }

  /** Whether a connection from local port `clientPort` to `serverIp:serverPort` is one of ours. */
  owns(serverIp: string, serverPort: number, clientPort: number): boolean {
    return this.live.has(keyOf(serverIp, serverPort, clientPort));
  }

  get size(): number {
    return this.live.size;
  }

  private prune(now: number): void {
    for (const [k, until] of this.live) if (until <= now) this.live.delete(k);
    if (this.live.size < MAX_ENTRIES) return;
    for (const [k, until] of this.live) {
      if (until !== Number.POSITIVE_INFINITY) this.live.delete(k);
      if (this.live.size < MAX_ENTRIES / 2) break;
    }
  }
}

function keyOf(ip: string, port: number, local: number): string {
  return `${ip}|${port}|${local}`;
}
