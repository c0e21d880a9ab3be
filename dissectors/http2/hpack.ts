import { HUFFMAN_EOS, huffmanDecode } from './huffman.js';
import { STATIC_TABLE } from './hpack-static.js';

/** Per-entry overhead of RFC 7541 4.1. */
const ENTRY_OVERHEAD = 32;
/** Our own ceiling on the dynamic table, whatever the peer advertises. */
export const HPACK_TABLE_CAP = 64 * 1024;
/** Decoded header list size cap (name + value + 32 per field, as SETTINGS_MAX_HEADER_LIST_SIZE counts). */
export const HEADER_LIST_CAP = 64 * 1024;
const MAX_ENTRIES = HPACK_TABLE_CAP / ENTRY_OVERHEAD;
/** Integers above this are hostile: nothing in a header block legitimately needs more. */
const INT_CAP = 1 << 28;

export type FieldSink = (name: string, value: string) => void;
export type HpackAnomaly = (code: string, detail: string) => void;

/**
 * RFC 7541 decoder for one direction. Its state may be "unknown" (connection picked up mid-stream,
 * or a block that could not be decoded): then references past the entries we have seen inserted
 * are reported as unknown and skipped instead of yielding wrong names.
 */
export class HpackDecoder {
  private readonly names: (string | null)[] = new Array(MAX_ENTRIES).fill(null);
  private readonly values: string[] = new Array(MAX_ENTRIES).fill('');
  private readonly sizes = new Int32Array(MAX_ENTRIES);
  /** Ring position of the next insertion; the newest entry is at head - 1. */
  private head = 0;
  private count = 0;
  private size = 0;
  private maxSize = 4096;
  /** SETTINGS_HEADER_TABLE_SIZE advertised by the decoding endpoint. */
  private protocolMax = 4096;
  unknown = false;
  /** Fields skipped because they referenced entries we never saw. */
  unknownRefs = 0;
  /** Fields not passed on because the header list cap was reached. */
  droppedFields = 0;
  private pos = 0;

  constructor(private readonly anomaly: HpackAnomaly) {}

  get tableSize(): number { return this.size; }
  get tableEntries(): number { return this.count; }

  setProtocolMax(n: number): void {
    this.protocolMax = n;
    // A shrunk limit binds the encoder at once (RFC 7541 4.2), even before its size update arrives.
    if (n < this.maxSize) { this.maxSize = n; this.evict(0); }
    if (n > HPACK_TABLE_CAP) this.anomaly('http2.hpack_table_capped', `SETTINGS_HEADER_TABLE_SIZE ${n} over cap ${HPACK_TABLE_CAP}`);
  }

  /** The dynamic table's earlier contents are unknown from now on. */
  setUnknown(): void {
    this.unknown = true;
    this.maxSize = HPACK_TABLE_CAP;
  }

  /**
   * Decodes one complete header block. Returns false when it is malformed; the dynamic table
   * is then unknown (the encoder's inserts past the error were lost).
   */
  decode(block: Buffer, start: number, end: number, onField: FieldSink): boolean {
    this.pos = start;
    let listSize = 0;
    let fieldSeen = false;
    while (this.pos < end) {
      const b = block[this.pos]!;
      let name: string | null;
      let value: string;
      if (b & 0x80) {
        const idx = this.int(block, end, 7);
        if (idx < 0) return this.fail();
        if (idx === 0) return this.fail('http2.hpack_index_zero', 'indexed field with index 0');
        const e = this.lookup(idx);
        if (e === false) return this.fail('http2.hpack_bad_index', `index ${idx} outside the table`);
        fieldSeen = true;
        if (e === null) { this.unknownRefs++; continue; }
        name = this.entryName;
        value = this.entryValue;
      } else if ((b & 0xe0) === 0x20) {
        if (fieldSeen) return this.fail('http2.hpack_size_update_misplaced', 'table size update after a field');
        const n = this.int(block, end, 5);
        if (n < 0) return this.fail();
        if (!this.unknown && n > this.protocolMax) {
          this.anomaly('http2.hpack_size_update_too_large', `size update ${n} over advertised ${this.protocolMax}`);
        }
        if (n > HPACK_TABLE_CAP) this.setUnknown();
        else this.maxSize = n;
        this.evict(0);
        continue;
      } else {
        const incremental = (b & 0xc0) === 0x40;
        const idx = this.int(block, end, incremental ? 6 : 4);
        if (idx < 0) return this.fail();
        name = null;
        let nameKnown = true;
        if (idx === 0) {
          const s = this.str(block, end);
          if (s === null) return this.fail();
          name = s;
        } else {
          const e = this.lookup(idx);
          if (e === false) return this.fail('http2.hpack_bad_index', `name index ${idx} outside the table`);
          if (e === null) nameKnown = false;
          else name = this.entryName;
        }
        const v = this.str(block, end);
        if (v === null) return this.fail();
        value = v;
        fieldSeen = true;
        if (incremental) this.insert(name, value);
        if (!nameKnown || name === null) { this.unknownRefs++; continue; }
      }
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > HEADER_LIST_CAP) { this.droppedFields++; continue; }
      onField(name, value);
    }
    return true;
  }

  private entryName: string = '';
  private entryValue: string = '';

  /** Sets entryName/entryValue; null = an entry we never saw; false = a real encoding error. */
  private lookup(idx: number): true | null | false {
    if (idx <= STATIC_TABLE.length) {
      const e = STATIC_TABLE[idx - 1]!;
      this.entryName = e[0]; this.entryValue = e[1];
      return true;
    }
    const d = idx - STATIC_TABLE.length - 1;
    if (d >= this.count) return this.unknown ? null : false;
    const slot = (this.head - 1 - d + MAX_ENTRIES) % MAX_ENTRIES;
    const n = this.names[slot]!;
    if (n === null) return null;
    this.entryName = n; this.entryValue = this.values[slot]!;
    return true;
  }

  /** `name` null: inserted under a name we could not resolve; it keeps later indices aligned. */
  private insert(name: string | null, value: string): void {
    // Strings are decoded as latin1, so their length is their size in octets.
    const sz = (name === null ? 0 : name.length) + value.length + ENTRY_OVERHEAD;
    if (sz > this.maxSize) { this.evict(this.maxSize); return; }
    this.evict(sz);
    if (this.count === MAX_ENTRIES) this.dropOldest();
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.sizes[this.head] = sz;
    this.head = (this.head + 1) % MAX_ENTRIES;
    this.count++;
    this.size += sz;
  }

  /** Evicts oldest entries until `room` more octets fit under maxSize. */
  private evict(room: number): void {
    while (this.count > 0 && this.size + room > this.maxSize) this.dropOldest();
  }

  private dropOldest(): void {
    const slot = (this.head - this.count + MAX_ENTRIES) % MAX_ENTRIES;
    this.size -= this.sizes[slot]!;
    this.names[slot] = null;
    this.values[slot] = '';
    this.count--;
  }

  /** RFC 7541 5.1 with an `n`-bit prefix; -1 on truncation or overflow (anomaly already raised). */
  private int(buf: Buffer, end: number, n: number): number {
    const mask = (1 << n) - 1;
    let v = buf[this.pos++]! & mask;
    if (v < mask) return v;
    let m = 0;
    for (;;) {
      if (this.pos >= end) { this.anomaly('http2.hpack_truncated', 'integer runs past the block'); return -1; }
      const b = buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** m;
      m += 7;
      if (v > INT_CAP || m > 35) { this.anomaly('http2.hpack_integer_overflow', `integer over ${INT_CAP}`); return -1; }
      if ((b & 0x80) === 0) return v;
    }
  }

  /** RFC 7541 5.2; null on error (anomaly already raised). */
  private str(buf: Buffer, end: number): string | null {
    if (this.pos >= end) { this.anomaly('http2.hpack_truncated', 'string literal missing'); return null; }
    const huff = (buf[this.pos]! & 0x80) !== 0;
    const len = this.int(buf, end, 7);
    if (len < 0) return null;
    if (len > end - this.pos) { this.anomaly('http2.hpack_truncated', `string of ${len} bytes, ${end - this.pos} left`); return null; }
    const s = this.pos;
    this.pos += len;
    if (!huff) return buf.toString('latin1', s, s + len);
    const r = huffmanDecode(buf, s, s + len);
    if (typeof r === 'string') return r;
    this.anomaly(r === HUFFMAN_EOS ? 'http2.hpack_huffman_eos' : 'http2.hpack_huffman_padding', 'invalid Huffman string');
    return null;
  }

  private fail(code?: string, detail?: string): false {
    if (code !== undefined) this.anomaly(code, detail ?? '');
    while (this.count > 0) this.dropOldest();
    this.setUnknown();
    return false;
  }
}
