import type { Dissector, DissectorContext, DissectorFactory, Direction, EndReason } from '../../src/core/dissector.js';
import type { HttpFacts } from '../../src/core/facts.js';

class Http1Dissector implements Dissector {
  readonly proto = 'http' as const;
  done = false;
  private readonly f: HttpFacts = { exchanges: [], exchangesDropped: 0, connect: null, upgradedTo: null };
  constructor(private readonly ctx: DissectorContext) {}
  data(_dir: Direction, _chunk: Buffer, _ts: number): void {}
  gap(_dir: Direction, _len: number, _ts: number): void {}
  end(_dir: Direction, _reason: EndReason, _ts: number): void {}
  facts(): HttpFacts { return this.f; }
}

export const http1Factory: DissectorFactory = { proto: 'http', create: (ctx) => new Http1Dissector(ctx) };
