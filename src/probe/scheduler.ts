import type { OwnTraffic } from './own-traffic.js';
import { ConnectionPace } from './pace.js';
import { probeServer } from './prober.js';
import type { ProbeResult, ProbeTarget } from './types.js';

/** SPEC: a few at a time. */
export const MAX_CONCURRENT = 4;
/** New probe connections a second over all targets. */
export const DEFAULT_RATE = 5;
export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_INTERVAL_MS = 6 * 3600_000;
/** Targets waiting at once; more are refused and counted (a flood of servers is not a reason to queue without end). */
const MAX_PENDING = 256;
/** Servers remembered for the interval; the oldest are forgotten beyond it. */
const MAX_REMEMBERED = 8192;

export interface SchedulerOptions {
  intervalMs: number;
  timeoutMs: number;
  perSecond: number;
  concurrency: number;
  own: OwnTraffic | null;
  onResult: (r: ProbeResult) => void;
}

function keyOf(t: ProbeTarget): string {
  return t.server.ip.includes(':') ? `[${t.server.ip}]:${t.server.port}` : `${t.server.ip}:${t.server.port}`;
}

/**
 * Which servers are probed, and when: each at most once per interval, at most `concurrency` at a
 * time, every connection paced by one token bucket. Results are kept by server (`ip:port`).
 */
export class ProbeScheduler {
  readonly results = new Map<string, ProbeResult>();
  /** Targets refused because too many were waiting. */
  refused = 0;
  private readonly started = new Map<string, number>();
  private readonly pending: ProbeTarget[] = [];
  private running = 0;
  private stopped = false;
  private readonly pace: ConnectionPace;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: SchedulerOptions) {
    this.pace = new ConnectionPace(o.perSecond);
  }

  /** Asks for a probe of `t`; false when it was probed (or asked for) within the interval. */
  offer(t: ProbeTarget, now = Date.now()): boolean {
    if (this.stopped) return false;
    const key = keyOf(t);
    const last = this.started.get(key);
    if (last !== undefined && now - last < this.o.intervalMs) return false;
    if (this.pending.length >= MAX_PENDING) {
      this.refused++;
      return false;
    }
    this.started.delete(key);
    this.started.set(key, now);
    if (this.started.size > MAX_REMEMBERED) this.started.delete(this.started.keys().next().value!);
    this.pending.push(t);
    this.pump();
    return true;
  }

  get busy(): boolean {
    return this.running > 0 || this.pending.length > 0;
  }

  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** No new probe starts; running ones end within their timeout and their results are dropped. */
  stop(): void {
    this.stopped = true;
    this.pending.length = 0;
    this.pace.stop();
    this.wake();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.o.concurrency && this.pending.length > 0) {
      const t = this.pending.shift()!;
      this.running++;
      void this.one(t);
    }
  }

  private async one(t: ProbeTarget): Promise<void> {
    let r: ProbeResult;
    try {
      r = await probeServer(t, { timeoutMs: this.o.timeoutMs, own: this.o.own, pace: this.pace });
    } catch (e) {
      r = {
        target: t, atMs: Date.now(), connections: 0, anonymousStatus: null,
        handshake: { local: null, tls: null, chain: null, certificateRequest: null, caNames: [], clientCertRequired: false },
        versions: { 'TLS 1.0': null, 'TLS 1.1': null, 'TLS 1.2': null, 'TLS 1.3': null },
        problem: { code: 'probe.error', detail: (e as Error).message.slice(0, 200) },
      };
    }
    this.running--;
    if (!this.stopped) {
      this.results.set(keyOf(t), r);
      this.o.onResult(r);
    }
    this.pump();
    if (!this.busy) this.wake();
  }

  private wake(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
