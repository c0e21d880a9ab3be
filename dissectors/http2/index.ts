import type { Dissector, DissectorContext, DissectorFactory, Direction, EndReason } from '../../src/core/dissector.js';
import type { Http2Facts } from '../../src/core/facts.js';
import { BlockFields, ExchangeTable } from './exchanges.js';
import {
  COLLECT_CAP, DEFAULT_MAX_FRAME_SIZE, F_ACK, F_END_HEADERS, F_END_STREAM, F_PADDED, F_PRIORITY, FrameReader,
  lengthOk, T_CONTINUATION, T_GOAWAY, T_HEADERS, T_PUSH_PROMISE, T_RST_STREAM, T_SETTINGS, type FrameEvents,
} from './frames.js';
import { HpackDecoder } from './hpack.js';

/** Settings entries kept per direction (a SETTINGS frame may repeat ids without bound). */
const SETTINGS_CAP = 32;
const MAX_FRAME_SIZE_LIMIT = 16777215;

/** A header block being gathered from HEADERS / PUSH_PROMISE + CONTINUATION frames. */
interface Block {
  active: boolean;
  streamId: number;
  /** Promised stream id for PUSH_PROMISE, 0 for HEADERS. */
  promised: number;
  endStream: boolean;
  buf: Buffer;
  fill: number;
}

function newBlock(): Block {
  return { active: false, streamId: 0, promised: 0, endStream: false, buf: Buffer.alloc(0), fill: 0 };
}

/**
 * HTTP/2 (and gRPC over it) from both byte streams. Done rule: once 32 exchanges are kept and all
 * of them finished, or after a GOAWAY once every kept exchange up to its last stream id finished,
 * nothing new can reach the facts, so the dissector stops. Until then DATA payloads (a Konnectivity
 * tunnel carries gigabytes) are skipped by length, never copied.
 */
class Http2Dissector implements Dissector {
  readonly proto = 'http2' as const;
  done = false;
  private readonly f: Http2Facts = {
    preface: false, midStream: false, exchanges: [], exchangesDropped: 0, grpc: false, goaway: null, rstStreams: 0, settings: [null, null],
  };
  private readonly readers: [FrameReader, FrameReader];
  /** hpack[d] decodes the blocks sent in direction d. */
  private readonly hpack: [HpackDecoder, HpackDecoder];
  private readonly blocks: [Block, Block] = [newBlock(), newBlock()];
  private readonly xs = new ExchangeTable();
  private readonly fields = new BlockFields();
  private readonly settingsCount: [number, number] = [0, 0];
  private goawayDir: 0 | 1 = 0;

  constructor(private readonly ctx: DissectorContext) {
    const ev: FrameEvents = {
      frame: (d, t, fl, s, p, l) => this.onFrame(d, t, fl, s, p, l),
      dataFrame: (d, fl, s) => this.onData(d, fl, s),
      oversize: (d, t, s, l) => this.onOversize(d, t, s, l),
      preface: (ok) => { if (ok) this.f.preface = true; else this.goMidStream(); },
      desync: (d, why) => this.onDesync(d, why),
      anomaly: (c, detail, d) => ctx.anomaly(c, detail, d),
    };
    this.readers = [new FrameReader(0, ev), new FrameReader(1, ev)];
    this.hpack = [
      new HpackDecoder((c, detail) => ctx.anomaly(c, detail, 0)),
      new HpackDecoder((c, detail) => ctx.anomaly(c, detail, 1)),
    ];
  }

  data(dir: Direction, chunk: Buffer, _ts: number): void {
    if (this.done) return;
    try {
      this.readers[dir].push(chunk);
    } catch (e) {
      // Only the error's class: a message could quote header bytes.
      this.ctx.anomaly('http2.internal_error', e instanceof Error ? e.name : 'non-Error thrown', dir);
      this.done = true;
    }
  }

  gap(dir: Direction, len: number, _ts: number): void {
    if (this.done) return;
    try {
      this.readers[dir].gap(len);
    } catch (e) {
      this.ctx.anomaly('http2.internal_error', e instanceof Error ? e.name : 'non-Error thrown', dir);
      this.done = true;
    }
  }

  end(_dir: Direction, _reason: EndReason, _ts: number): void {}

  /** DATA payloads (and frames not parsed) are counted by the reassembler, not delivered. */
  passOver(dir: Direction): number {
    return this.done ? 0 : this.readers[dir].takeSkip();
  }

  get news(): number {
    return this.xs.news;
  }

  facts(): Http2Facts {
    this.f.exchanges = this.xs.list;
    this.f.exchangesDropped = this.xs.dropped;
    this.f.grpc = this.xs.grpc;
    return this.f;
  }

  private goMidStream(): void {
    if (this.f.midStream || this.f.preface) return;
    this.f.midStream = true;
    this.hpack[0].setUnknown();
    this.hpack[1].setUnknown();
  }

  private onDesync(dir: 0 | 1, why: string): void {
    this.ctx.anomaly('http2.desync', why, dir);
    // The server side not starting with a frame means we came in mid-stream.
    if (this.readers[dir].frames === 0) this.goMidStream();
    this.blocks[dir].active = false;
    this.hpack[dir].setUnknown();
  }

  private onOversize(dir: 0 | 1, type: number, streamId: number, len: number): void {
    this.ctx.anomaly('http2.frame_not_collected', `type ${type} stream ${streamId} length ${len} over ${COLLECT_CAP}`, dir);
    if (type === T_HEADERS || type === T_PUSH_PROMISE || type === T_CONTINUATION) {
      this.blocks[dir].active = false;
      this.hpack[dir].setUnknown();
    }
  }

  /** A server that is really starting sends SETTINGS first (RFC 9113 3.4); anything else means we came in late. */
  private firstFrame(dir: 0 | 1, type: number): void {
    if (dir === 1 && this.readers[1].frames === 1 && type !== T_SETTINGS) this.goMidStream();
  }

  private onData(dir: 0 | 1, flags: number, streamId: number): void {
    this.firstFrame(dir, 0);
    if (this.blocks[dir].active) this.continuationMissing(dir);
    if (streamId === 0) this.ctx.anomaly('http2.stream_zero', 'DATA on stream 0', dir);
    if (dir === 1 && (flags & F_END_STREAM) !== 0) this.finish(streamId);
  }

  private onFrame(dir: 0 | 1, type: number, flags: number, sid: number, p: Buffer, len: number): void {
    this.firstFrame(dir, type);
    const block = this.blocks[dir];
    if (block.active && type !== T_CONTINUATION) this.continuationMissing(dir);
    if (!lengthOk(type, flags, len)) {
      this.ctx.anomaly('http2.bad_frame_length', `type ${type} length ${len}`, dir);
      return;
    }
    switch (type) {
      case T_HEADERS:
      case T_PUSH_PROMISE: {
        if (sid === 0) { this.ctx.anomaly('http2.stream_zero', `type ${type} on stream 0`, dir); return; }
        let off = 0;
        let end = len;
        if ((flags & F_PADDED) !== 0) {
          if (len < 1 || p[0]! >= len) { this.badPadding(dir, type, len); return; }
          end -= p[0]!;
          off = 1;
        }
        let promised = 0;
        if (type === T_PUSH_PROMISE) {
          if (end - off < 4) { this.short(dir, type, len); return; }
          promised = p.readUInt32BE(off) & 0x7fffffff;
          off += 4;
        } else if ((flags & F_PRIORITY) !== 0) {
          if (end - off < 5) { this.short(dir, type, len); return; }
          off += 5;
        }
        block.active = true;
        block.streamId = sid;
        block.promised = promised;
        block.endStream = type === T_HEADERS && (flags & F_END_STREAM) !== 0;
        block.fill = 0;
        this.append(dir, p, off, end, flags);
        return;
      }
      case T_CONTINUATION:
        if (!block.active || block.streamId !== sid) {
          this.ctx.anomaly('http2.unexpected_continuation', `CONTINUATION on stream ${sid} without an open header block`, dir);
          return;
        }
        this.append(dir, p, 0, len, flags);
        return;
      case T_SETTINGS:
        this.onSettings(dir, flags, p, len);
        return;
      case T_RST_STREAM:
        this.f.rstStreams++;
        this.finish(sid);
        return;
      case T_GOAWAY:
        this.f.goaway = { lastStreamId: p.readUInt32BE(0) & 0x7fffffff, errorCode: p.readUInt32BE(4) };
        this.goawayDir = dir;
        this.checkDone();
        return;
    }
  }

  private append(dir: 0 | 1, p: Buffer, start: number, end: number, flags: number): void {
    const block = this.blocks[dir];
    const n = end - start;
    if (block.fill + n > COLLECT_CAP) {
      this.ctx.anomaly('http2.header_block_too_large', `header block over ${COLLECT_CAP} bytes on stream ${block.streamId}`, dir);
      block.active = false;
      this.hpack[dir].setUnknown();
      return;
    }
    if (block.buf.length < block.fill + n) {
      const grown = Buffer.alloc(Math.min(COLLECT_CAP, Math.max(block.fill + n, block.buf.length * 2, 4096)));
      block.buf.copy(grown, 0, 0, block.fill);
      block.buf = grown;
    }
    p.copy(block.buf, block.fill, start, end);
    block.fill += n;
    if ((flags & F_END_HEADERS) !== 0) this.decodeBlock(dir);
  }

  private decodeBlock(dir: 0 | 1): void {
    const block = this.blocks[dir];
    block.active = false;
    const fields = this.fields;
    fields.reset();
    const hp = this.hpack[dir];
    const unknownBefore = hp.unknownRefs;
    const droppedBefore = hp.droppedFields;
    const ok = hp.decode(block.buf, 0, block.fill, fields.sink);
    if (hp.unknownRefs > unknownBefore) {
      this.ctx.anomaly('http2.hpack_unknown_reference', `${hp.unknownRefs - unknownBefore} fields of stream ${block.streamId} refer to table entries from before the capture`, dir);
    }
    if (hp.droppedFields > droppedBefore) {
      this.ctx.anomaly('http2.header_list_too_large', `${hp.droppedFields - droppedBefore} fields of stream ${block.streamId} over the header list cap`, dir);
    }
    if (!ok) return;
    if (block.promised !== 0) {
      this.xs.request(block.promised, fields);
    } else if (dir === 0) {
      this.xs.request(block.streamId, fields);
    } else {
      this.xs.response(block.streamId, fields);
      if (block.endStream) this.finish(block.streamId);
    }
  }

  private onSettings(dir: 0 | 1, flags: number, p: Buffer, len: number): void {
    if ((flags & F_ACK) !== 0) return;
    const rec = (this.f.settings[dir] ??= {});
    const peer = dir === 0 ? 1 : 0;
    for (let off = 0; off + 6 <= len; off += 6) {
      const id = p.readUInt16BE(off);
      const v = p.readUInt32BE(off + 2);
      if (!(id in rec)) {
        if (this.settingsCount[dir] >= SETTINGS_CAP) continue;
        this.settingsCount[dir]++;
      }
      rec[String(id)] = v;
      // A sender's settings bind what the other direction may send.
      if (id === 1) this.hpack[peer].setProtocolMax(v);
      if (id === 5) {
        if (v < DEFAULT_MAX_FRAME_SIZE || v > MAX_FRAME_SIZE_LIMIT) this.ctx.anomaly('http2.bad_setting', `MAX_FRAME_SIZE ${v}`, dir);
        else this.readers[peer].maxFrameSize = v;
      }
    }
  }

  private finish(streamId: number): void {
    this.xs.ended(streamId);
    this.checkDone();
  }

  private checkDone(): void {
    if (this.xs.full && this.xs.allComplete(() => false)) { this.done = true; return; }
    const g = this.f.goaway;
    if (g === null) return;
    // Streams the GOAWAY's receiver opened above lastStreamId will never be processed.
    const receiverParity = this.goawayDir === 1 ? 1 : 0;
    if (this.xs.allComplete((id) => (id & 1) === receiverParity && id > g.lastStreamId)) this.done = true;
  }

  private continuationMissing(dir: 0 | 1): void {
    this.ctx.anomaly('http2.continuation_missing', `header block of stream ${this.blocks[dir].streamId} not continued`, dir);
    this.blocks[dir].active = false;
    this.hpack[dir].setUnknown();
  }

  private badPadding(dir: 0 | 1, type: number, len: number): void {
    this.ctx.anomaly('http2.bad_padding', `type ${type}: pad length not below frame length ${len}`, dir);
    if (type === T_HEADERS || type === T_PUSH_PROMISE) this.hpack[dir].setUnknown();
  }

  private short(dir: 0 | 1, type: number, len: number): void {
    this.ctx.anomaly('http2.frame_too_short', `type ${type} length ${len}`, dir);
    if (type === T_HEADERS || type === T_PUSH_PROMISE) this.hpack[dir].setUnknown();
  }
}

export const http2Factory: DissectorFactory = { proto: 'http2', create: (ctx) => new Http2Dissector(ctx) };
