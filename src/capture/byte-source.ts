import { open, type FileHandle } from 'node:fs/promises';

/** Where capture bytes come from: a file, or standard input for `-`. */
export interface ByteSource {
  /** Reads up to `max` bytes into `into` at `at`; 0 means end of input. */
  read(into: Buffer, at: number, max: number): Promise<number>;
  close(): Promise<void>;
}

class FileSource implements ByteSource {
  constructor(private readonly fh: FileHandle) {}

  async read(into: Buffer, at: number, max: number): Promise<number> {
    const { bytesRead } = await this.fh.read(into, at, max, null);
    return bytesRead;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Copies stream chunks into the caller's window; keeps the rest of a chunk for the next call. */
class StreamSource implements ByteSource {
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
    return new FileSource(await open(path, 'r'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const wrapped = new Error(`cannot open capture ${path}: ${e.code ?? e.message}`) as NodeJS.ErrnoException;
    if (e.code !== undefined) wrapped.code = e.code;
    throw wrapped;
  }
}
