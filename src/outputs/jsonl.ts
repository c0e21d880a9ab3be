import type { Writable } from 'node:stream';
import type { OutputRecord, Sink } from './sink.js';

/**
 * JSON lines on a stream. Writes are buffered and handed over in batches, so a slow reader of
 * stdout applies back-pressure to the batch, never to the packet loop.
 */
export class JsonLinesSink implements Sink {
  private pending: string[] = [];
  private scheduled = false;
  private drained: Promise<void> = Promise.resolve();

  constructor(private readonly out: Writable) {}

  write(record: OutputRecord): void {
    this.pending.push(JSON.stringify(record));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.push());
    }
  }

  private push(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    const ok = this.out.write(text);
    if (!ok) this.drained = new Promise((resolve) => this.out.once('drain', () => resolve()));
  }

  async flush(): Promise<void> {
    this.push();
    await this.drained;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
