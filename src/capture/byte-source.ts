import { open, type FileHandle } from 'node:fs/promises';

/** Where capture bytes come from: a file, or standard input for `-`. */
export interface ByteSource {
  /**
   * Reads up to `max` bytes into `into` at `at`; 0 means end of input. Reads return the input in
   * the order they were asked for.
   */
  read(into: Buffer, at: number, max: number): Promise<number>;
  /**
   * Several reads may be in flight at once, and a read returns fewer than `max` bytes only at the
   * end of input (a regular file read at explicit offsets).
   */
  readonly parallel: boolean;
  close(): Promise<void>;
}

/**
 * A regular file is read at explicit offsets, each read claiming its range when it is asked for, so
 * that two reads can run at once on the thread pool. Anything else (a FIFO, /dev/stdin, a process
 * substitution) is read sequentially from its current position.
 */
class FileSource implements ByteSource {
  private pos = 0;

  constructor(private readonly fh: FileHandle, readonly parallel: boolean) {}

  async read(into: Buffer, at: number, max: number): Promise<number> {
    if (!this.parallel) {
      const { bytesRead } = await this.fh.read(into, at, max, null);
      return bytesRead;
    }
    const pos = this.pos;
    this.pos += max;
    let got = 0;
    // A regular file answers short only at its end; a file still being written may answer short earlier.
    while (got < max) {
      const { bytesRead } = await this.fh.read(into, at + got, max - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Copies stream chunks into the caller's window; keeps the rest of a chunk for the next call. */
class StreamSource implements ByteSource {
  readonly parallel = false;
  private readonly it: AsyncIterator<Buffer | string>;
  private pending: Buffer | null = null;

  constructor(stream: NodeJS.ReadableStream) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  }

  async read(into: Buffer, at: number, max: number): Promise<number> {
    let n = 0;
    while (n < max) {
      if (this.pending === null) {
        // Return what we have rather than wait for more: the parser can use partial windows.
        if (n > 0) return n;
        const r = await this.it.next();
        if (r.done) return 0;
        this.pending = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
      }
      const take = Math.min(max - n, this.pending.length);
      this.pending.copy(into, at + n, 0, take);
      n += take;
      this.pending = take === this.pending.length ? null : this.pending.subarray(take);
    }
    return n;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** Opens `path`, or stdin for `-`. Rejects with a message naming the file when it cannot be opened. */
export async function openByteSource(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<ByteSource> {
  if (path === '-') return new StreamSource(stdin);
  try {
    const fh = await open(path, 'r');
    const st = await fh.stat().catch(() => null);
    return new FileSource(fh, st !== null && st.isFile());
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const wrapped = new Error(`cannot open capture ${path}: ${e.code ?? e.message}`) as NodeJS.ErrnoException;
    if (e.code !== undefined) wrapped.code = e.code;
    throw wrapped;
  }
}
