/** Shapes shared by the capture readers; `source.ts` re-exports them as the public contract. */

export interface PacketRecord {
  /** Microseconds since the epoch (fractional for ns); pcapng: if_tsresol / if_tsoffset applied. */
  tsMicros: number;
  /** pcapng interface id (0 for classic pcap). */
  ifIndex: number;
  /** DLT of that interface. */
  linkType: number;
  caplen: number;
  origLen: number;
  /**
   * The buffer holding the captured bytes at `data[offset, offset + caplen)`: readers hand out
   * their read window rather than a view per packet (a view is an allocation). Valid only during
   * the callback.
   */
  data: Buffer;
  offset: number;
}

/** The captured bytes of `rec` as their own view (tests and cold paths; the hot path uses offsets). */
export function packetBytes(rec: PacketRecord): Buffer {
  return rec.data.subarray(rec.offset, rec.offset + rec.caplen);
}

export interface CaptureDamage {
  offset: number;
  message: string;
}

export interface ReadSummary {
  format: 'pcap' | 'pcapng';
  packets: number;
  bytes: number;
  damage: CaptureDamage | null;
}

export interface ReadHandlers {
  packet(rec: PacketRecord): void;
  /** pcapng Decryption Secrets Block: secretsType (e.g. 0x544c534b 'TLSK'), data copied. */
  secrets?(secretsType: number, data: Buffer): void;
  /** Awaited after each chunk: a consumer that hands packets on can hold the reader back here. */
  drain?(): Promise<void>;
}

/**
 * A format parser over the reader's window `buf[start, end)`. It consumes whole units only and
 * returns the offset of the first unconsumed byte. When a unit is incomplete it stops there and
 * sets `need` to that unit's total size, so the reader can grow its window (up to the parser's cap).
 * On damage it sets `damage` (offset relative to `buf[0]`; the reader adds its file base) and stops.
 */
export interface RecordParser {
  readonly format: 'pcap' | 'pcapng';
  packets: number;
  bytes: number;
  need: number;
  damage: CaptureDamage | null;
  parse(buf: Buffer, start: number, end: number): number;
}

export function newPacketRecord(): PacketRecord {
  return { tsMicros: 0, ifIndex: 0, linkType: 0, caplen: 0, origLen: 0, data: Buffer.alloc(0), offset: 0 };
}
