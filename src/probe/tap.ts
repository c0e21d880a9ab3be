import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Direction } from '../core/stream.js';

/** Bytes kept per probe connection: a handshake with a large chain, never an application stream. */
export const TAP_CAP = 256 * 1024;

/**
 * Sits between Node's TLS client and the TCP socket and keeps a copy of what crosses, in order:
 * the handshake is then read by our own TLS dissector (with the probe's own key log), which sees
 * what Node's TLS API does not expose (the CertificateRequest and its CA names).
 */
export class TapDuplex extends Duplex {
  readonly chunks: [Direction, Buffer][] = [];
  private kept = 0;

  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (b: Buffer) => {
      this.keep(1, b);
      if (!this.push(b)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => this.destroy());
  }

  private keep(dir: Direction, b: Buffer): void {
    if (this.kept >= TAP_CAP) return;
    const part = b.subarray(0, TAP_CAP - this.kept);
    this.chunks.push([dir, Buffer.from(part)]);
    this.kept += part.length;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.keep(0, chunk);
    this.socket.write(chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }
}
