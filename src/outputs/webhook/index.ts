/**
 * Webhook alert sink: write() -> bounded in-memory queue (coalesced by finding id) -> per-receiver durable spool
 * (spool.ts documents the file format) -> per-receiver sender (sender.ts). write() never waits; everything slow
 * happens on timers. Undelivered alerts stay in the spool and are sent by the next process using it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import type { FindingRecord, Severity } from '../../findings/finding.js';
import type { OutputRecord, Sink } from '../sink.js';
import type { WebhookFormat } from './formats.js';
import { makeTarget, redactUrl } from './http.js';
import { RuleRateLimiter } from './rate.js';
import { Sender, type SenderCounters } from './sender.js';
import { ReceiverSpool, isFinding, type SpoolCounters } from './spool.js';
import { lockSpool, receiverDirName } from './spool-dir.js';

export { defaultSpoolDir } from './spool-dir.js';
export type { WebhookFormat } from './formats.js';

export interface WebhookOptions {
  urls: string[];
  format: WebhookFormat;
  secretFile?: string;
  spoolDir: string;
  /** Bound for flush() and for each request. */
  timeoutSeconds: number;
  caFile?: string;
  /** Per receiver; default 16 MiB. */
  maxSpoolBytes?: number;
  /** Findings per rule per minute per receiver; default 60, 0 = unlimited. */
  ratePerRulePerMinute?: number;
  log?: (line: string) => void;
  /** Tuning (tests shrink these): first retry delay, default 1 s; backoff cap, default 5 min. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Longest Retry-After honoured, default 1 h. */
  maxRetryAfterMs?: number;
  /** Per-request timeout; default timeoutSeconds. */
  requestTimeoutMs?: number;
  /** Findings per POST, default 50 (slack 10). */
  batchMax?: number;
  /** Distinct findings waiting in memory for the spool, default 10000. */
  maxQueue?: number;
}

export interface ReceiverStats {
  /** Scheme, host and port only. */
  target: string;
  pending: number;
  spoolBytes: number;
  lastError?: string;
}

export interface WebhookStats extends SenderCounters, SpoolCounters {
  /** Finding records accepted by write(). */
  received: number;
  /** `finding` records missing fields the spool needs (id, revision, severity, ...): not sent. */
  invalid: number;
  /** Waiting in memory for the spool. */
  queued: number;
  /** Waiting in the spools (sum over receivers). */
  spooled: number;
  droppedQueueFull: number;
  receivers: ReceiverStats[];
}

export interface WebhookSink extends Sink {
  readonly stats: WebhookStats;
}

const DROP_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const SPOOL_BATCH = 512;
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export async function createWebhookSink(opts: WebhookOptions): Promise<WebhookSink> {
  if (opts.urls.length === 0) throw new Error('webhook: no URL given');
  const secret = opts.secretFile ? await readSecret(opts.secretFile) : undefined;
  const ca = opts.caFile ? [await readFile(opts.caFile)] : systemTrust();
  const unlock = await lockSpool(opts.spoolDir);
  try {
    return await WebhookSinkImpl.start(opts, secret, ca, unlock);
  } catch (e) {
    await unlock();
    throw e;
  }
}

/** The secret file's content minus one trailing newline (editors and `echo` add one). */
async function readSecret(file: string): Promise<Buffer> {
  const text = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  if (text.length === 0) throw new Error(`webhook secret file ${file} is empty`);
  return Buffer.from(text);
}

/** Node's bundled roots plus the distribution's store, so locally trusted CAs work as they do for curl. */
function systemTrust(): Array<string | Buffer> | undefined {
  const file = process.env.SSL_CERT_FILE || SYSTEM_BUNDLES.find((f) => existsSync(f));
  if (!file) return undefined;
  try {
    return [...rootCertificates, readFileSync(file)];
  } catch {
    return undefined;
  }
}

class WebhookSinkImpl implements WebhookSink {
  private readonly queue = new Map<string, FindingRecord>();
  /** Queue entries per DROP_RANK, so a full queue finds its victim without scanning for nothing. */
  private readonly queuedBySeverity = [0, 0, 0, 0, 0];
  private readonly senders: Sender[] = [];
  private readonly counters: Omit<WebhookStats, 'queued' | 'spooled' | 'receivers'> = {
    received: 0, invalid: 0, droppedQueueFull: 0, delivered: 0, posts: 0, retries: 0, rejected: 0, heldBack: 0,
    coalesced: 0, droppedSpoolFull: 0, droppedBySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, corrupt: 0,
  };
  private writeTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  private readonly log: (line: string) => void;
  private readonly maxQueue: number;

  private constructor(private readonly opts: WebhookOptions, private readonly unlock: () => Promise<void>) {
    this.log = opts.log ?? (() => undefined);
    this.maxQueue = opts.maxQueue ?? 10_000;
  }

  static async start(
    opts: WebhookOptions,
    secret: Buffer | undefined,
    ca: Array<string | Buffer> | undefined,
    unlock: () => Promise<void>,
  ): Promise<WebhookSinkImpl> {
    const sink = new WebhookSinkImpl(opts, unlock);
    const seen = new Set<string>();
    for (const raw of opts.urls) {
      const target = makeTarget(raw, ca);
      const dir = join(opts.spoolDir, receiverDirName(target.url));
      if (seen.has(dir)) continue;
      seen.add(dir);
      const spool = await ReceiverSpool.open(dir, opts.maxSpoolBytes ?? 16 * 1024 * 1024, sink.counters);
      const sender = new Sender(
        spool,
        target,
        redactUrl(raw),
        {
          format: opts.format,
          ...(secret ? { secret } : {}),
          requestTimeoutMs: opts.requestTimeoutMs ?? opts.timeoutSeconds * 1000,
          batchMax: opts.batchMax ?? (opts.format === 'slack' ? 10 : 50),
          maxBatchBytes: 512 * 1024,
          retryBaseMs: opts.retryBaseMs ?? 1000,
          retryMaxMs: opts.retryMaxMs ?? 300_000,
          maxRetryAfterMs: opts.maxRetryAfterMs ?? 3_600_000,
          log: sink.log,
        },
        new RuleRateLimiter(opts.ratePerRulePerMinute ?? 60),
        sink.counters,
      );
      sink.senders.push(sender);
      if (spool.count > 0) sink.log(`webhook ${sender.label}: ${spool.count} alerts left in the spool, resending`);
      sender.kick();
    }
    return sink;
  }

  get stats(): WebhookStats {
    let spooled = 0;
    const receivers: ReceiverStats[] = [];
    for (const s of this.senders) {
      spooled += s.spool.count;
      receivers.push({
        target: s.label,
        pending: s.spool.count,
        spoolBytes: s.spool.bytesOnDisk,
        ...(s.lastError ? { lastError: s.lastError } : {}),
      });
    }
    return { ...this.counters, droppedBySeverity: { ...this.counters.droppedBySeverity }, queued: this.queue.size, spooled, receivers };
  }

  write(record: OutputRecord): void {
    if (this.closed || record.type !== 'finding') return;
    if (!isFinding(record)) {
      if (this.counters.invalid++ === 0) this.log('webhook: a finding record without id/revision/severity was not sent');
      return;
    }
    this.counters.received++;
    const prev = this.queue.get(record.id);
    if (prev) {
      this.counters.coalesced++;
      // The caller may keep mutating its record; the spool must hold this revision as it was.
      if (record.revision >= prev.revision) this.enqueue(structuredClone(record));
    } else if (this.queue.size < this.maxQueue || this.evictFor(record)) {
      this.enqueue(structuredClone(record));
    }
    if (!this.writeTimer && !this.writing) this.writeTimer = setTimeout(() => void this.persist(), 5);
  }

  /** Queue full: drop the oldest waiting finding of the lowest severity present, if it ranks at most the new one's. */
  private evictFor(record: FindingRecord): boolean {
    this.counters.droppedQueueFull++;
    let lowest = -1;
    for (let r = 0; r <= DROP_RANK[record.severity]; r++) {
      if (this.queuedBySeverity[r] > 0) {
        lowest = r;
        break;
      }
    }
    if (lowest < 0) return false;
    for (const f of this.queue.values()) {
      if (DROP_RANK[f.severity] === lowest) {
        this.dequeue(f);
        return true;
      }
    }
    return false;
  }

  private enqueue(f: FindingRecord): void {
    const prev = this.queue.get(f.id);
    if (prev) this.queuedBySeverity[DROP_RANK[prev.severity]]--;
    this.queue.set(f.id, f);
    this.queuedBySeverity[DROP_RANK[f.severity]]++;
  }

  private dequeue(f: FindingRecord): void {
    if (this.queue.delete(f.id)) this.queuedBySeverity[DROP_RANK[f.severity]]--;
  }

  /** Moves the whole memory queue into every receiver's spool; one persist runs at a time. */
  private persist(): Promise<void> {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    if (this.writing) return this.writing.then(() => this.persist());
    if (this.queue.size === 0) return Promise.resolve();
    this.writing = (async () => {
      while (this.queue.size > 0) {
        const batch: FindingRecord[] = [];
        for (const f of this.queue.values()) {
          batch.push(f);
          this.dequeue(f);
          if (batch.length >= SPOOL_BATCH) break;
        }
        let failed = false;
        await Promise.all(
          this.senders.map(async (s) => {
            try {
              await s.spool.append(batch);
              s.kick();
            } catch (e) {
              failed = true;
              this.log(`webhook ${s.label}: cannot write spool: ${(e as Error).message}; retrying in 1 s`);
            }
          }),
        );
        if (failed) {
          // Back into the queue (newer revisions win); spools that did take the batch skip it as already held.
          for (const f of batch) {
            const cur = this.queue.get(f.id);
            if (!cur || cur.revision < f.revision) this.enqueue(f);
          }
          if (!this.closed) this.writeTimer = setTimeout(() => void this.persist(), 1000);
          return;
        }
      }
    })().finally(() => {
      this.writing = undefined;
      if (this.queue.size > 0 && !this.writeTimer && !this.closed) this.writeTimer = setTimeout(() => void this.persist(), 5);
    });
    return this.writing;
  }

  async flush(): Promise<void> {
    await this.persist();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.opts.timeoutSeconds * 1000);
    });
    await Promise.race([Promise.all(this.senders.map((s) => s.whenDrained())), deadline]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.persist();
    for (const s of this.senders) s.stop();
    await this.unlock();
  }
}
