/** One direction of a connection: 0 = client to server, 1 = server to client. */
export type Direction = 0 | 1;

export type EndReason = 'fin' | 'rst' | 'timeout' | 'eof' | 'evicted';

/**
 * Receives the in-order bytes of both directions of a connection (DESIGN.md, "Stream").
 * A chunk is valid only during the call: copy what you keep.
 */
export interface StreamSink {
  data(dir: Direction, chunk: Buffer, tsMicros: number): void;
  /** `len` bytes of this direction are missing (lost segment, mid-stream start, budget exceeded). */
  gap(dir: Direction, len: number, tsMicros: number): void;
  end(dir: Direction, reason: EndReason, tsMicros: number): void;
}
