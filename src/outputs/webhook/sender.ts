/**
 * Delivery loop for one receiver: picks spooled entries in order (respecting the per-rule rate limit), posts them
 * in batches, acknowledges on 2xx, and otherwise retries with exponential backoff and jitter or the receiver's
 * Retry-After. Only one request per receiver is in flight, so a slow receiver slows only itself.
 */
import type { FindingRecord } from '../../findings/finding.js';
import { formatBatch, idempotencyKey, type WebhookFormat } from './formats.js';
import { post, signature, type PostResult, type Target } from './http.js';
import type { RuleRateLimiter } from './rate.js';
import type { ReceiverSpool, SpoolEntry } from './spool.js';

export interface SenderConfig {
  format: WebhookFormat;
  secret?: Buffer;
  requestTimeoutMs: number;
  batchMax: number;
  maxBatchBytes: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxRetryAfterMs: number;
  log: (line: string) => void;
}

export interface SenderCounters {
  delivered: number;
  posts: number;
  retries: number;
  rejected: number;
  heldBack: number;
}

export class Sender {
  private inflight = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private notBefore = 0;
  private failures = 0;
  private batchMax: number;
  private readonly abort = new AbortController();
  private drainWaiters: Array<() => void> = [];
  lastError: string | undefined;

  constructor(
    readonly spool: ReceiverSpool,
    private readonly target: Target,
    /** Redacted receiver name for logs. */
    readonly label: string,
    private readonly cfg: SenderConfig,
    private readonly limiter: RuleRateLimiter,
    private readonly counters: SenderCounters,
  ) {
    this.batchMax = cfg.batchMax;
  }

  /** New entries were spooled (or a wait ended): try to send. */
  kick(): void {
    if (this.stopped || this.inflight || this.timer) return;
    void this.pump();
  }

  drained(): boolean {
    return this.spool.count === 0 && !this.inflight;
  }

  /** Resolves once nothing is left to send. */
  whenDrained(): Promise<void> {
    if (this.drained()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    this.target.agent.destroy();
  }

  private wake(ms: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, Math.max(1, ms));
  }

  private pick(now: number): { batch: SpoolEntry[]; waitMs: number } {
    const batch: SpoolEntry[] = [];
    let bytes = 0;
    let waitMs = Infinity;
    for (const e of this.spool.pending()) {
      if (batch.length >= this.batchMax || bytes >= this.cfg.maxBatchBytes) break;
      if (e.inflight) continue;
      if (!e.rated) {
        if (!this.limiter.take(e.finding.rule, now)) {
          if (!e.held) {
            e.held = true;
            this.counters.heldBack++;
          }
          waitMs = Math.min(waitMs, this.limiter.waitMs(e.finding.rule, now));
          continue;
        }
        e.rated = true;
      }
      batch.push(e);
      bytes += e.bytes;
    }
    return { batch, waitMs };
  }

  private async pump(): Promise<void> {
    const now = Date.now();
    if (now < this.notBefore) return this.wake(this.notBefore - now);
    const { batch, waitMs } = this.pick(now);
    if (batch.length === 0) {
      if (Number.isFinite(waitMs)) this.wake(waitMs);
      this.notifyIfDrained();
      return;
    }
    this.inflight = true;
    for (const e of batch) e.inflight = true;
    const result = await this.send(batch.map((e) => e.finding));
    try {
      await this.settle(batch, result);
    } catch (err) {
      this.cfg.log(`webhook ${this.label}: spool error ${(err as Error).message}`);
    }
    for (const e of batch) e.inflight = false;
    this.inflight = false;
    this.notifyIfDrained();
    this.kick();
  }

  private send(findings: FindingRecord[]): Promise<PostResult> {
    const req = formatBatch(this.cfg.format, findings, Date.now());
    const headers: Record<string, string> = {};
    if (this.cfg.secret) headers['x-comms-watch-signature'] = signature(this.cfg.secret, req.body);
    if (findings.length === 1) headers['idempotency-key'] = idempotencyKey(findings[0]);
    this.counters.posts++;
    return post(this.target, req.path, req.body, headers, this.cfg.requestTimeoutMs, this.abort.signal);
  }

  private async settle(batch: SpoolEntry[], r: PostResult): Promise<void> {
    if (this.stopped) return;
    if (r.outcome === 'ok') {
      if (this.failures > 0) this.cfg.log(`webhook ${this.label}: delivering again after ${this.failures} failed attempts`);
      this.failures = 0;
      this.lastError = undefined;
      this.counters.delivered += batch.length;
      await this.spool.ack(batch);
      return;
    }
    if (r.outcome === 'reject') {
      if (batch.length > 1) {
        // Maybe only the batch is too large for the receiver: retry smaller before giving up on any alert.
        this.batchMax = Math.max(1, batch.length >> 1);
        return;
      }
      this.counters.rejected++;
      this.cfg.log(`webhook ${this.label}: ${r.reason}, receiver refuses alert ${idempotencyKey(batch[0].finding)}; dropped`);
      await this.spool.ack(batch);
      return;
    }
    this.failures++;
    this.counters.retries++;
    this.lastError = r.reason;
    const delay =
      r.retryAfterMs !== undefined ? Math.min(r.retryAfterMs, this.cfg.maxRetryAfterMs) : this.backoff(this.failures);
    this.notBefore = Date.now() + delay;
    this.cfg.log(`webhook ${this.label}: ${r.reason} (${batch.length} alerts), retry in ${(delay / 1000).toFixed(1)} s`);
  }

  /** Exponential with "equal jitter": at least half the step, so the delay still grows, plus a random half. */
  private backoff(failures: number): number {
    const step = Math.min(this.cfg.retryMaxMs, this.cfg.retryBaseMs * 2 ** Math.min(failures - 1, 30));
    return step / 2 + Math.random() * (step / 2);
  }

  private notifyIfDrained(): void {
    if (!this.drained() || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
