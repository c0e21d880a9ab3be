import type { Writable } from 'node:stream';
import type { OutputRecord, Sink } from './sink.js';

/** A batch is handed over once it holds this much text, without waiting for the event loop. */
const BATCH_CHARS = 1 << 20;

/**
 * JSON lines on a stream. Writes are buffered and handed over in batches, so a slow reader of
 * stdout applies back-pressure to the batch, never to the packet loop. A burst (every connection
 * still open reported at the end of a capture) goes out in batches of about a megabyte rather
 * than as one string of all of them.
 */
export class JsonLinesSink implements Sink {
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  private drained: Promise<void> = Promise.resolve();
  /** One 'drain' is awaited however many batches the stream refused meanwhile: it comes once, when all are out. */
  private waiting = false;

  constructor(private readonly out: Writable) {}

  write(record: OutputRecord): void {
    this.writeLine(JSON.stringify(record));
  }

  /** A record already serialised (by a shard, off this thread). */
  writeLine(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= BATCH_CHARS) {
      this.push();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.push();
      });
    }
  }

  private push(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingChars = 0;
    const ok = this.out.write(text);
    if (ok || this.waiting) return;
    this.waiting = true;
    this.drained = new Promise((resolve) =>
      this.out.once('drain', () => {
        this.waiting = false;
        resolve();
      }),
    );
  }

  async flush(): Promise<void> {
    this.push();
    await this.drained;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
