import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutputRecord, Sink } from './sink.js';

/** Finding ids whose last count is remembered. */
const SEEN_CAP = 20_000;

export interface CaptureCounters {
  packets: number;
  bytes: number;
  kernelDrops: number;
  ifaceDrops: number;
  flowsEvicted: number;
}

/**
 * Prometheus metrics. Records update labelled counters as they pass; capture counters are read
 * from the pipeline at scrape time, so nothing is done per packet for metrics.
 */
export class MetricsSink implements Sink {
  readonly registry = new Registry();
  private readonly connections: Counter<'path' | 'verdict' | 'proto'>;
  private readonly findings: Gauge<'rule' | 'severity'>;
  private readonly findingEvents: Counter<'rule' | 'severity'>;
  private readonly anomalies: Counter<'code'>;
  private readonly reopens: Counter<'how'>;
  /** Last `count` seen per finding id, so occurrences follow the finding table, not how often a record was written. */
  private readonly seenCounts = new Map<string, number>();
  private server: Server | null = null;

  constructor(counters: () => CaptureCounters) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'comms_watch_process_' });
    const gauge = (name: string, help: string, pick: (c: CaptureCounters) => number) =>
      new Gauge({ name, help, registers: [r], collect() { this.set(pick(counters())); } });
    gauge('comms_watch_packets_total', 'Packets read from the capture.', (c) => c.packets);
    gauge('comms_watch_bytes_total', 'Captured bytes read.', (c) => c.bytes);
    gauge('comms_watch_kernel_drops_total', 'Packets the kernel dropped (libpcap ps_drop).', (c) => c.kernelDrops);
    gauge('comms_watch_interface_drops_total', 'Packets the interface dropped (libpcap ps_ifdrop).', (c) => c.ifaceDrops);
    gauge('comms_watch_flows_evicted_total', 'Flows evicted because the flow table was full.', (c) => c.flowsEvicted);
    this.connections = new Counter({ name: 'comms_watch_connections_total', help: 'Connections by path class, verdict and protocol.', labelNames: ['path', 'verdict', 'proto'], registers: [r] });
    this.findings = new Gauge({ name: 'comms_watch_findings', help: 'Distinct findings (rule, client ip, server ip:port) by rule and severity.', labelNames: ['rule', 'severity'], registers: [r] });
    this.findingEvents = new Counter({ name: 'comms_watch_finding_occurrences_total', help: 'Occurrences of findings, repeats included.', labelNames: ['rule', 'severity'], registers: [r] });
    this.anomalies = new Counter({ name: 'comms_watch_anomalies_total', help: 'Dissector and decoder anomalies by code.', labelNames: ['code'], registers: [r] });
    this.reopens = new Counter({
      name: 'comms_watch_capture_reopens_total',
      help: 'Times the live capture was re-established after libpcap reported it broken: on a new session (reopened) or on the old socket (resumed).',
      labelNames: ['how'], registers: [r],
    });
  }

  captureReopened(how: 'reopened' | 'resumed'): void {
    this.reopens.inc({ how });
  }

  write(rec: OutputRecord): void {
    switch (rec.type) {
      case 'connection':
        this.connections.inc({ path: String(rec.path), verdict: String(rec.verdict), proto: String(rec.proto) });
        break;
      case 'finding': {
        const labels = { rule: String(rec.rule), severity: String(rec.severity) };
        const id = String(rec.id);
        const count = typeof rec.count === 'number' && rec.count > 0 ? rec.count : 1;
        const last = this.seenCounts.get(id);
        if (last === undefined) this.findings.inc(labels);
        if (last === undefined || count > last) {
          this.findingEvents.inc(labels, count - (last ?? 0));
          this.seenCounts.delete(id);
          this.seenCounts.set(id, count);
          // Bounded like the finding table it mirrors (which caps at 10 000): forget the least recently updated.
          if (this.seenCounts.size > SEEN_CAP) this.seenCounts.delete(this.seenCounts.keys().next().value!);
        }
        break;
      }
      case 'anomaly':
        this.anomalies.inc({ code: String(rec.code) });
        break;
    }
  }

  /** Serves /metrics on `addr` (`host:port`, `[v6]:port` or `:port`). */
  listen(addr: string): Promise<{ host: string; port: number }> {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
    if (!m) return Promise.reject(new Error(`--metrics wants host:port, got "${addr}"`));
    const host = m[1] ?? (m[2] || '127.0.0.1');
    const port = Number(m[3]);
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('see /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => {
        const a = this.server!.address();
        resolve({ host, port: typeof a === 'object' && a ? a.port : port });
      });
    });
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
