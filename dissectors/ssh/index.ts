import type { Dissector, DissectorContext, DissectorFactory, Direction, EndReason } from '../../src/core/dissector.js';
import type { SshFacts } from '../../src/core/facts.js';

function emptyFacts(): SshFacts {
  return {
    clientBanner: null, serverBanner: null, protoVersion: null, clientKexInit: null, serverKexInit: null,
    kex: null, hostKey: null, cipherC2s: null, cipherS2c: null, macC2s: null, macS2c: null,
    compressionC2s: null, compressionS2c: null, hassh: null, hasshString: null, hasshServer: null,
    hasshServerString: null, weak: [], strictKex: false, newKeys: [false, false],
  };
}

class SshDissector implements Dissector {
  readonly proto = 'ssh' as const;
  done = false;
  private readonly f = emptyFacts();
  constructor(private readonly ctx: DissectorContext) {}
  data(_dir: Direction, _chunk: Buffer, _ts: number): void {}
  gap(_dir: Direction, _len: number, _ts: number): void {}
  end(_dir: Direction, _reason: EndReason, _ts: number): void {}
  facts(): SshFacts { return this.f; }
}

export const sshFactory: DissectorFactory = { proto: 'ssh', create: (ctx) => new SshDissector(ctx) };
