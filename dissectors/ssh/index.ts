import type { Dissector, DissectorContext, DissectorFactory, Direction, EndReason } from '../../src/core/dissector.js';
import type { SshFacts, SshKexInit } from '../../src/core/facts.js';
import { LineReader, MAX_PRE_BANNER_LINES, isSsh1Only, protoVersionOf, sessionVersion } from './banner.js';
import { PacketReader, MSG_KEXINIT, MSG_NEWKEYS } from './packets.js';
import { KEXINIT_LISTS_AT, parseKexInit, type KexInitResult } from './kexinit.js';
import { MessageCache } from '../../src/core/message-cache.js';
import { isAead, negotiate } from './negotiate.js';
import { hasshServerString, hasshString, md5Hex } from './hassh.js';
import { weakLevel, type WeakKind } from './weak.js';

const STRICT_KEX_SERVER = 'kex-strict-s-v00@openssh.com';

type Phase = 'banner' | 'packets' | 'stopped';

class Side {
  phase: Phase = 'banner';
  readonly lines = new LineReader();
  readonly packets = new PacketReader();
  preLines = 0;
  version: string | null = null;
  /** Bytes delivered so far. */
  seen = 0;
  /** The stream was picked up mid-way: the first line must be the version line or we give up quietly. */
  midStart = false;
}

function emptyFacts(): SshFacts {
  return {
    clientBanner: null, serverBanner: null, protoVersion: null, clientKexInit: null, serverKexInit: null,
    kex: null, hostKey: null, cipherC2s: null, cipherS2c: null, macC2s: null, macS2c: null,
    compressionC2s: null, compressionS2c: null, hassh: null, hasshString: null, hasshServer: null,
    hasshServerString: null, weak: [], strictKex: false, newKeys: [false, false],
  };
}

/**
 * SSH up to NEWKEYS: banners, binary packets in the clear, both KEXINITs, the negotiated
 * algorithms, HASSH and ssh-audit's weak list. After NEWKEYS a direction is encrypted and ignored.
 */
class SshDissector implements Dissector {
  readonly proto = 'ssh' as const;
  private readonly f = emptyFacts();
  private readonly sides: [Side, Side] = [new Side(), new Side()];

  constructor(private readonly ctx: DissectorContext) {}

  get done(): boolean {
    return this.sides[0].phase === 'stopped' && this.sides[1].phase === 'stopped';
  }

  data(dir: Direction, chunk: Buffer): void {
    const side = this.sides[dir];
    side.seen += chunk.length;
    let off = 0;
    while (off < chunk.length && side.phase !== 'stopped') {
      off = side.phase === 'banner' ? this.bannerBytes(dir, side, chunk, off) : this.packetBytes(dir, side, chunk, off);
    }
  }

  gap(dir: Direction, len: number): void {
    const side = this.sides[dir];
    if (side.phase === 'stopped') return;
    // Length 0 before any byte is a mid-stream start: the banner may still follow.
    if (len === 0 && side.seen === 0 && side.phase === 'banner') {
      side.midStart = true;
      return;
    }
    this.ctx.anomaly('ssh.gap', `${len} bytes missing before NEWKEYS`, dir);
    side.phase = 'stopped';
  }

  end(dir: Direction, _reason: EndReason): void {
    this.sides[dir].phase = 'stopped';
  }

  facts(): SshFacts {
    return this.f;
  }

  private bannerBytes(dir: Direction, side: Side, chunk: Buffer, off: number): number {
    const next = side.lines.feed(chunk, off);
    const line = side.lines.line;
    if (side.midStart && (line === null ? side.lines.overflowing : protoVersionOf(line) === null)) {
      // Picked up after the banners: the rest is binary packets we cannot frame.
      side.phase = 'stopped';
      return next;
    }
    if (line === null) return next;
    const version = protoVersionOf(line);
    if (version === null) {
      side.preLines++;
      if (side.preLines > MAX_PRE_BANNER_LINES) {
        this.ctx.anomaly('ssh.no_banner', `no version line within ${MAX_PRE_BANNER_LINES} lines`, dir);
        side.phase = 'stopped';
      }
      return next;
    }
    if (side.lines.truncated) this.ctx.anomaly('ssh.banner_too_long', 'version line longer than 255 bytes, cut', dir);
    if (dir === 0) this.f.clientBanner = line;
    else this.f.serverBanner = line;
    side.version = version;
    this.f.protoVersion = sessionVersion(this.sides[0].version, this.sides[1].version);
    if (isSsh1Only(this.f.protoVersion)) {
      // SSH-1 packets follow; this dissector reads SSH-2 only. The peer may still owe its banner.
      side.phase = 'stopped';
      const other = this.sides[dir === 0 ? 1 : 0];
      if (other.phase === 'packets') other.phase = 'stopped';
    } else {
      side.phase = 'packets';
    }
    return next;
  }

  private packetBytes(dir: Direction, side: Side, chunk: Buffer, off: number): number {
    const r = side.packets;
    const next = r.feed(chunk, off);
    if (r.paddingAnomaly !== null) this.ctx.anomaly('ssh.bad_padding', r.paddingAnomaly, dir);
    if (r.error !== null) {
      if (!isSsh1Only(this.f.protoVersion)) this.ctx.anomaly('ssh.bad_packet', r.error, dir);
      side.phase = 'stopped';
      return next;
    }
    if (r.completed === MSG_KEXINIT && r.kexinit !== null) this.kexInit(dir, r.kexinit);
    else if (r.completed === MSG_NEWKEYS) {
      this.f.newKeys[dir] = true;
      side.phase = 'stopped';
    }
    return next;
  }

  private kexInit(dir: Direction, payload: Buffer): void {
    const { kexinit, problem, hassh } = readKexInit(payload);
    if (problem !== null) this.ctx.anomaly('ssh.bad_kexinit', problem, dir);
    if (kexinit === null || hassh === null) return;
    if ((dir === 0 ? this.f.clientKexInit : this.f.serverKexInit) !== null) return;
    if (dir === 0) {
      this.f.clientKexInit = kexinit;
      this.f.hasshString = hassh.client;
      this.f.hassh = hassh.clientMd5;
    } else {
      this.f.serverKexInit = kexinit;
      this.f.hasshServerString = hassh.server;
      this.f.hasshServer = hassh.serverMd5;
      this.f.strictKex = kexinit.kex.includes(STRICT_KEX_SERVER);
    }
    if (this.f.clientKexInit !== null && this.f.serverKexInit !== null) this.settle(this.f.clientKexInit, this.f.serverKexInit);
  }

  private settle(c: SshKexInit, s: SshKexInit): void {
    const n = negotiate(c, s);
    Object.assign(this.f, n);
    const weak: string[] = [];
    const add = (kind: WeakKind, name: string | null): void => {
      if (name === null || weakLevel(kind, name) === null) return;
      const tag = `${kind}:${name}`;
      if (!weak.includes(tag)) weak.push(tag);
    };
    add('kex', n.kex);
    add('hostkey', n.hostKey);
    add('cipher', n.cipherC2s);
    add('cipher', n.cipherS2c);
    // With an AEAD cipher the negotiated MAC is never used, so it cannot weaken the session.
    if (!isAead(n.cipherC2s)) add('mac', n.macC2s);
    if (!isAead(n.cipherS2c)) add('mac', n.macS2c);
    this.f.weak = weak;
  }
}

interface ReadKexInit extends KexInitResult {
  /** HASSH and HASSHServer strings and MD5s of the lists (either side may have sent them). */
  hassh: { client: string; clientMd5: string; server: string; serverMd5: string } | null;
}

/**
 * KEXINITs by their bytes after the random cookie: a client or server program sends the same lists on
 * every connection. Parsed lists are shared and never changed.
 */
const kexInits = new MessageCache<ReadKexInit>(256);

function readKexInit(payload: Buffer): ReadKexInit {
  const lists = payload.subarray(Math.min(payload.length, KEXINIT_LISTS_AT));
  const hit = kexInits.get(lists, '');
  if (hit !== undefined) return hit;
  const r = parseKexInit(payload);
  const k = r.kexinit;
  const out: ReadKexInit = {
    ...r,
    hassh: k === null ? null : {
      client: hasshString(k), clientMd5: md5Hex(hasshString(k)), server: hasshServerString(k), serverMd5: md5Hex(hasshServerString(k)),
    },
  };
  kexInits.set(lists, '', out);
  return out;
}

export const sshFactory: DissectorFactory = { proto: 'ssh', create: (ctx) => new SshDissector(ctx) };
