import type { Dissector, DissectorContext, DissectorFactory, Direction, EndReason } from '../../src/core/dissector.js';
import type { Http2Facts } from '../../src/core/facts.js';

class Http2Dissector implements Dissector {
  readonly proto = 'http2' as const;
  done = false;
  private readonly f: Http2Facts = {
    preface: false, midStream: false, exchanges: [], exchangesDropped: 0, grpc: false, goaway: null, rstStreams: 0, settings: [null, null],
  };
  constructor(private readonly ctx: DissectorContext) {}
  data(_dir: Direction, _chunk: Buffer, _ts: number): void {}
  gap(_dir: Direction, _len: number, _ts: number): void {}
  end(_dir: Direction, _reason: EndReason, _ts: number): void {}
  facts(): Http2Facts { return this.f; }
}

export const http2Factory: DissectorFactory = { proto: 'http2', create: (ctx) => new Http2Dissector(ctx) };
