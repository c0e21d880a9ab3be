/**
 * Binary packet framing before encryption (RFC 4253 section 6):
 * uint32 packet_length, byte padding_length, payload, padding. Only KEXINIT payloads are
 * copied (bounded by MAX_PACKET); everything else is skipped by length.
 */
export const MIN_PACKET = 5;
/** RFC 4253 section 6.1: implementations must handle 35000-byte packets; larger is hostile here. */
export const MAX_PACKET = 35000;
export const MSG_KEXINIT = 20;
export const MSG_NEWKEYS = 21;

export class PacketReader {
  private readonly head = Buffer.alloc(6);
  private headLen = 0;
  private payload: Buffer | null = null;
  private payloadLen = 0;
  private skip = 0;
  private msgType = 0;
  /** Set by `feed` when a packet completed: its message number. */
  completed: number | null = null;
  /** KEXINIT payload (message number first) when `completed` is KEXINIT. */
  kexinit: Buffer | null = null;
  /** Set by `feed` when framing is broken; the stream cannot be followed any more. */
  error: string | null = null;
  paddingAnomaly: string | null = null;

  /** Consumes bytes up to the end of the next packet; returns the new offset. */
  feed(chunk: Buffer, off: number): number {
    this.completed = null;
    this.kexinit = null;
    this.paddingAnomaly = null;
    for (;;) {
      if (this.headLen < 6) {
        const n = Math.min(6 - this.headLen, chunk.length - off);
        chunk.copy(this.head, this.headLen, off, off + n);
        this.headLen += n;
        off += n;
        if (this.headLen < 6 || !this.startPacket()) return off;
      }
      const collecting = this.payload !== null && this.payloadLen < this.payload.length;
      if (!collecting && this.skip === 0) return this.finish(off);
      if (off >= chunk.length) return off;
      if (collecting && this.payload !== null) {
        const n = Math.min(this.payload.length - this.payloadLen, chunk.length - off);
        chunk.copy(this.payload, this.payloadLen, off, off + n);
        this.payloadLen += n;
        off += n;
      } else {
        const n = Math.min(this.skip, chunk.length - off);
        this.skip -= n;
        off += n;
      }
    }
  }

  private startPacket(): boolean {
    const len = this.head.readUInt32BE(0);
    const pad = this.head[4] ?? 0;
    this.msgType = this.head[5] ?? 0;
    if (len < MIN_PACKET || len > MAX_PACKET) {
      this.error = `packet_length ${len} outside ${MIN_PACKET}..${MAX_PACKET}`;
      return false;
    }
    if (pad + 2 > len) {
      this.error = `padding_length ${pad} leaves no payload in packet_length ${len}`;
      return false;
    }
    if (pad < 4) this.paddingAnomaly = `padding_length ${pad} below 4`;
    const payloadLen = len - pad - 1;
    if (this.msgType === MSG_KEXINIT) {
      this.payload = Buffer.allocUnsafe(payloadLen);
      this.payload[0] = MSG_KEXINIT;
      this.payloadLen = 1;
      this.skip = pad;
    } else {
      this.skip = len - 2;
    }
    return true;
  }

  private finish(off: number): number {
    this.completed = this.msgType;
    this.kexinit = this.payload;
    this.payload = null;
    this.payloadLen = 0;
    this.headLen = 0;
    return off;
  }
}
