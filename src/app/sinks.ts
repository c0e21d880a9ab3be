import type { OutputRecord, Sink } from '../outputs/sink.js';
import { createWebhookSink, defaultSpoolDir } from '../outputs/webhook/index.js';
import { UsageError } from '../core/usage-error.js';
import type { CommonOptions } from './options.js';

export type WebhookInputs = Pick<CommonOptions, 'webhook' | 'webhookFormat' | 'webhookSecretFile' | 'webhookCa' | 'webhookTimeout' | 'spoolDir'>;

/** Fans records out to every sink; one failing sink does not stop the others. */
export class FanOut implements Sink {
  constructor(private readonly sinks: Sink[], private readonly onError: (e: Error) => void) {}

  add(s: Sink): void {
    this.sinks.push(s);
  }

  write(r: OutputRecord): void {
    for (const s of this.sinks) {
      try {
        s.write(r);
      } catch (e) {
        this.onError(e as Error);
      }
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.flush().catch((e: Error) => this.onError(e))));
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close().catch((e: Error) => this.onError(e))));
  }
}

export async function webhookSink(inp: WebhookInputs, log: (line: string) => void): Promise<Sink | null> {
  if (inp.webhook.length === 0) return null;
  for (const u of inp.webhook) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new UsageError(`--webhook: not a URL: ${u.replace(/\/\/[^@/]*@/, '//***@')}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--webhook: only http and https receivers are supported, got ${url.protocol}`);
  }
  return createWebhookSink({
    urls: inp.webhook,
    format: inp.webhookFormat,
    ...(inp.webhookSecretFile ? { secretFile: inp.webhookSecretFile } : {}),
    ...(inp.webhookCa ? { caFile: inp.webhookCa } : {}),
    spoolDir: inp.spoolDir ?? defaultSpoolDir(),
    timeoutSeconds: inp.webhookTimeout,
    log,
  });
}
