/**
 * Feeds one connection's in-order bytes (both directions, client-relative) to the dissector that
 * detection picks, and keeps the connection alive whatever the dissector does:
 * - while undecided, bytes, gaps and ends are held (capped) and replayed to the chosen dissector;
 * - content that proves the roles wrong flips client/server through `flip` before anything is
 *   delivered (held events are relabelled by the caller's new mapping);
 * - every dissector call is guarded: an exception becomes an anomaly and disables the dissector
 *   for this connection only;
 * - once the dissector is `done`, payload is no longer delivered (the flow still counts bytes);
 * - `tunnel()` opens a nested dispatcher whose facts are reported as `tunnel`.
 */
import type { Direction, Dissector, DissectorContext, DissectorFactory, EndReason, SecretStore, StreamSink } from '../core/dissector.js';
import type { Http2Facts, HttpFacts, Proto, SshFacts, TlsFacts } from '../core/facts.js';
import { serverPort } from '../flows/server-ports.js';
import { DetProto, Role, Verdict, detect, newDetection } from './detect.js';

export type DissectorRegistry = Partial<Record<'tls' | 'ssh' | 'http' | 'http2', DissectorFactory>>;

/** Bytes held per connection while the protocol is undecided; past this it is `unknown`. */
const HOLD_CAP = 8192;
/** Events (chunks, gaps, ends) held per connection while undecided. */
const HOLD_EVENTS = 256;
/** Bytes of one direction looked at by detection. */
const SNIFF = 64;
const MAX_TUNNEL_DEPTH = 2;

/** Bytes held by all undecided connections together, so hostile traffic cannot grow it past `limit`. */
export class HoldBudget {
  used = 0;
  /** Connections that gave detection up because this pool was full. */
  refused = 0;
  constructor(readonly limit: number) {}
}

export interface AttachEnv {
  registry: DissectorRegistry;
  hold: HoldBudget;
  secrets: SecretStore | null;
  decryptApp: boolean;
  anomaly(code: string, detail: string, dir: Direction | null): void;
}

export interface DispatchFacts {
  proto: Proto;
  tls: TlsFacts | null;
  ssh: SshFacts | null;
  http: HttpFacts | null;
  http2: Http2Facts | null;
  tunnel: DispatchFacts | null;
}

const enum State {
  Detecting = 0,
  Attached = 1,
  /** Nothing matched, the dissector finished, or it failed: only counting from here on. */
  Idle = 2,
  /** A cleartext text protocol: watching the client for STARTTLS, then for its ClientHello. */
  AwaitTls = 3,
  /** TLS started after STARTTLS: everything goes to the TLS child from here on. */
  Upgraded = 4,
}

/** Bytes of a cleartext text protocol (both ways) watched for STARTTLS and the ClientHello after it (SMTP's EHLO dialogue fits). */
const STARTTLS_WAIT = 8192;
/**
 * Commands that switch a cleartext protocol to TLS on the same connection: IRC/SMTP/IMAP/XMPP STARTTLS,
 * POP3 STLS, FTP AUTH TLS.
 */
const STARTTLS = /(^|[\r\n ])(starttls|stls|auth tls|auth ssl)\b|<starttls/i;

/** A held event: kind 0 data, 1 gap, 2 end. */
interface Held {
  kind: 0 | 1 | 2;
  dir: Direction;
  data: Buffer | null;
  n: number;
  reason: EndReason;
  ts: number;
}

const PROTO_NAMES = ['unknown', 'tls', 'ssh', 'http', 'http2'] as const;

export class Dispatcher implements StreamSink {
  private state = State.Detecting;
  private dissector: Dissector | null = null;
  private detected: DetProto = DetProto.None;
  private held: Held[] = [];
  private heldBytes = 0;
  /** Detection found nothing in this direction's first bytes. */
  private readonly noMatch: [boolean, boolean] = [false, false];
  private readonly ended: [boolean, boolean] = [false, false];
  /** Bytes seen while watching a text protocol for STARTTLS (AwaitTls). */
  private awaited = 0;
  /** The client has asked for STARTTLS. */
  private startTls = false;
  /** Tunnels: this direction sent something other than line ends. */
  private readonly spoke: [boolean, boolean] = [false, false];
  private readonly det = newDetection();
  private child: Dispatcher | null = null;
  private readonly ctx: DissectorContext;

  /**
   * @param ports [client port, server port] for tie-breaks.
   * @param flip tells the owner that content proved current dir `client` to be the client;
   *   returns true when that swapped client and server (never after a SYN decided them).
   * @param forced use this dissector without detection (a typed tunnel).
   */
  constructor(
    private readonly env: AttachEnv,
    private ports: [number, number],
    private readonly flip: ((client: Direction) => boolean) | null,
    private readonly depth = 0,
    forced: DetProto = DetProto.None,
  ) {
    this.ctx = {
      anomaly: (code, detail, dir = null) => env.anomaly(code, detail, dir),
      tunnel: (proto) => this.openTunnel(proto),
      secrets: env.secrets,
      decryptApp: env.decryptApp,
    };
    if (forced !== DetProto.None) this.attach(forced);
  }

  data(dir: Direction, chunk: Buffer, ts: number): void {
    if (this.state === State.Upgraded) {
      this.child!.data(dir, chunk, ts);
      return;
    }
    if (this.state === State.AwaitTls) {
      this.awaitingTls(dir, chunk, ts);
      return;
    }
    if (this.state === State.Attached) {
      const d = this.dissector!;
      try {
        d.data(dir, chunk, ts);
      } catch (e) {
        this.fail(e, dir);
        return;
      }
      if (d.done) this.state = State.Idle;
      return;
    }
    if (this.state !== State.Detecting) return;
    if (this.depth > 0 && !this.spoke[dir]) {
      // Clients and servers that end a header block with an extra CRLF or LF put it first in the tunnel
      // (Suricata-Verify's CONNECT captures); no protocol detected here starts with one, so it is dropped.
      let i = 0;
      while (i < chunk.length && (chunk[i] === 0x0a || chunk[i] === 0x0d)) i++;
      if (i === chunk.length) return;
      if (i > 0) chunk = chunk.subarray(i);
      this.spoke[dir] = true;
    }
    if (this.held.length === 0 && detect(chunk, this.ports[dir]!, this.ports[dir ^ 1]!, this.det) === Verdict.Match) {
      // Most connections are recognised by their first chunk: it goes to the dissector as it is, not held.
      // The roles may swap: the chunk then belongs to the other direction.
      const swapped = this.matched(dir);
      // (matched() may have attached: the state is no longer Detecting.)
      if ((this.state as State) === State.Attached) this.data((swapped ? dir ^ 1 : dir) as Direction, chunk, ts);
      return;
    }
    const hold = this.env.hold;
    if (this.heldBytes + chunk.length > HOLD_CAP || this.held.length >= HOLD_EVENTS || hold.used + chunk.length > hold.limit) {
      if (hold.used + chunk.length > hold.limit) hold.refused++;
      this.giveUp();
      return;
    }
    this.held.push({ kind: 0, dir, data: Buffer.from(chunk), n: chunk.length, reason: 'eof', ts });
    this.heldBytes += chunk.length;
    hold.used += chunk.length;
    this.tryDetect(dir);
  }

  gap(dir: Direction, len: number, ts: number): void {
    if (this.state === State.Upgraded) {
      this.child!.gap(dir, len, ts);
    } else if (this.state === State.AwaitTls) {
      // A hole before the ClientHello: its start could be lost, stop waiting.
      this.state = State.Idle;
    } else if (this.state === State.Attached) {
      this.call(dir, (d) => d.gap(dir, len, ts));
    } else if (this.state === State.Detecting) {
      if (this.held.length >= HOLD_EVENTS) this.giveUp();
      else this.held.push({ kind: 1, dir, data: null, n: len, reason: 'eof', ts });
    }
  }

  end(dir: Direction, reason: EndReason, ts: number): void {
    this.ended[dir] = true;
    if (this.state === State.Upgraded) {
      this.child!.end(dir, reason, ts);
      return;
    }
    // The dissector hears about the end even when done: it may finalise facts then.
    if (this.dissector !== null && this.state !== State.Detecting) {
      if (this.state === State.Attached || this.dissector.done) this.call(dir, (d) => d.end(dir, reason, ts));
    } else if (this.state === State.Detecting) {
      this.held.push({ kind: 2, dir, data: null, n: 0, reason, ts });
      if (this.ended[0] && this.ended[1]) this.giveUp();
    }
    if (this.child !== null && this.ended[0] && this.ended[1]) this.child.closeTunnel(reason, ts);
  }

  /** Bytes of `dir` the attached dissector steps over from here (Dissector.passOver), 0 when none. */
  passOver(dir: Direction): number {
    if (this.state !== State.Attached) return 0;
    const d = this.dissector!;
    if (d.passOver === undefined) return 0;
    try {
      return d.passOver(dir);
    } catch (e) {
      this.fail(e, dir);
      return 0;
    }
  }

  /** Still detecting or feeding a dissector (false once nothing more will read the bytes). */
  get active(): boolean {
    if (this.state === State.Upgraded) return this.child!.active;
    return this.state !== State.Idle || (this.child !== null && this.child.active);
  }

  /** Dissector.news of this connection's dissector and its tunnel together. */
  get news(): number {
    return (this.dissector?.news ?? 0) + (this.child?.news ?? 0);
  }

  /** What detection and the dissector found so far. */
  facts(): DispatchFacts {
    // After STARTTLS the connection is described as the TLS connection it became (Zeek: service irc,ssl).
    if (this.state === State.Upgraded) return this.child!.facts();
    const f: DispatchFacts = {
      proto: PROTO_NAMES[this.detected], tls: null, ssh: null, http: null, http2: null,
      tunnel: this.child === null ? null : this.child.facts(),
    };
    const d = this.dissector;
    if (d === null) return f;
    let raw: unknown = null;
    try {
      raw = d.facts();
    } catch (e) {
      this.env.anomaly('dispatch.facts_exception', `${d.proto}: ${errText(e)}`, null);
    }
    if (raw !== null && raw !== undefined) {
      switch (d.proto) {
        case 'tls': f.tls = raw as TlsFacts; break;
        case 'ssh': f.ssh = raw as SshFacts; break;
        case 'http': f.http = raw as HttpFacts; break;
        case 'http2': f.http2 = raw as Http2Facts; break;
      }
    }
    if (f.http2?.grpc) f.proto = 'grpc';
    else if (f.http?.connect) f.proto = 'connect';
    return f;
  }

  /** Relabels held events after the owner swapped client and server. */
  private swapHeld(): void {
    for (const h of this.held) h.dir = (h.dir ^ 1) as Direction;
    const n = this.noMatch[0];
    this.noMatch[0] = this.noMatch[1];
    this.noMatch[1] = n;
    const e = this.ended[0];
    this.ended[0] = this.ended[1];
    this.ended[1] = e;
    this.ports = [this.ports[1], this.ports[0]];
  }

  private tryDetect(dir: Direction): void {
    if (this.noMatch[dir]) return;
    const bytes = this.sniff(dir);
    const v = detect(bytes, this.ports[dir], this.ports[dir ^ 1]!, this.det);
    if (v === Verdict.More) return;
    if (v === Verdict.No) {
      this.noMatch[dir] = true;
      if (this.noMatch[dir ^ 1]) {
        if (this.flip !== null && this.clientSpeaksText()) this.awaitTls();
        else this.giveUp();
      }
      return;
    }
    this.matched(dir);
    this.replay();
  }

  /** Detection matched the bytes of `dir`: settle the roles and attach the dissector; true when the roles swapped. */
  private matched(dir: Direction): boolean {
    let swapped = false;
    let role = this.det.role;
    // SSH: servers speak first, so a banner before anything from the other side is the server's,
    // unless it is sent to a listed server port from an unlisted one: clients send their banner
    // without waiting, so in a capture without the SYN the client's may come first (ja4/ssh.pcapng).
    if (role === Role.Unknown && this.det.proto === DetProto.Ssh && !this.held.some((h) => h.kind === 0 && h.dir !== dir)) {
      const toServerPort = serverPort[this.ports[dir ^ 1]!] === 1 && serverPort[this.ports[dir]!] === 0;
      role = toServerPort ? Role.Client : Role.Server;
    }
    if (role !== Role.Unknown && this.flip !== null) {
      const client = (role === Role.Client ? dir : dir ^ 1) as Direction;
      if (this.flip(client)) {
        this.swapHeld();
        swapped = true;
      }
    }
    this.attach(this.det.proto);
    return swapped;
  }

  /** The first bytes of `dir` held so far, as one buffer of at most SNIFF bytes. */
  private sniff(dir: Direction): Buffer {
    const parts: Buffer[] = [];
    let n = 0;
    for (const h of this.held) {
      if (h.kind === 0 && h.dir === dir) {
        parts.push(h.data!);
        n += h.data!.length;
        if (n >= SNIFF) break;
      } else if (h.kind === 1 && h.dir === dir && n > 0) {
        break;
      }
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  private attach(p: DetProto): void {
    this.detected = p;
    const f = this.env.registry[PROTO_NAMES[p] as 'tls' | 'ssh' | 'http' | 'http2'];
    if (f === undefined) {
      this.state = State.Idle;
      return;
    }
    try {
      this.dissector = f.create(this.ctx);
      this.state = State.Attached;
    } catch (e) {
      this.fail(e, null);
    }
  }

  private replay(): void {
    const held = this.held;
    this.held = [];
    this.env.hold.used -= this.heldBytes;
    this.heldBytes = 0;
    for (const h of held) {
      if (this.state !== State.Attached) {
        if (h.kind === 2) this.end(h.dir, h.reason, h.ts);
        continue;
      }
      if (h.kind === 0) this.data(h.dir, h.data!, h.ts);
      else if (h.kind === 1) this.gap(h.dir, h.n, h.ts);
      else this.end(h.dir, h.reason, h.ts);
    }
  }

  /** The client's first bytes (held, nothing matched) are text: a line-based protocol that may say STARTTLS. */
  private clientSpeaksText(): boolean {
    const first = this.held.find((h) => h.kind === 0 && h.dir === 0)?.data;
    if (first === undefined || first === null) return false;
    for (let i = 0; i < first.length && i < 64; i++) {
      const b = first[i]!;
      if ((b < 0x20 || b > 0x7e) && b !== 0x0d && b !== 0x0a && b !== 0x09) return false;
    }
    return true;
  }

  private awaitTls(): void {
    const asked = this.held.some((h) => h.kind === 0 && h.dir === 0 && STARTTLS.test(h.data!.toString('latin1', 0, 512)));
    this.giveUp();
    this.state = State.AwaitTls;
    this.startTls = asked;
    this.awaited = 0;
  }

  /**
   * Text protocol: once the client has asked for STARTTLS, a client chunk that opens with a
   * ClientHello record starts TLS from there on.
   */
  private awaitingTls(dir: Direction, chunk: Buffer, ts: number): void {
    this.awaited += chunk.length;
    if (this.awaited > STARTTLS_WAIT) {
      this.state = State.Idle;
      return;
    }
    if (dir !== 0) return;
    if (this.startTls && chunk.length >= 6 && chunk[0] === 0x16 && chunk[1] === 3 && chunk[2]! <= 4 && chunk[5] === 1) {
      this.state = State.Upgraded;
      this.detected = DetProto.Tls;
      this.child = new Dispatcher(this.env, this.ports, null, this.depth + 1, DetProto.Tls);
      this.child.data(dir, chunk, ts);
      return;
    }
    if (!this.startTls) this.startTls = STARTTLS.test(chunk.toString('latin1', 0, 512));
  }

  private giveUp(): void {
    this.state = State.Idle;
    this.held = [];
    this.env.hold.used -= this.heldBytes;
    this.heldBytes = 0;
  }

  private call(dir: Direction | null, fn: (d: Dissector) => void): void {
    const d = this.dissector!;
    try {
      fn(d);
    } catch (e) {
      this.fail(e, dir);
      return;
    }
    if (d.done && this.state === State.Attached) this.state = State.Idle;
  }

  private fail(e: unknown, dir: Direction | null): void {
    const name = this.dissector?.proto ?? PROTO_NAMES[this.detected];
    this.env.anomaly('dispatch.dissector_exception', `${name}: ${errText(e)}`, dir);
    this.state = State.Idle;
  }

  private openTunnel(proto?: 'http2' | 'http'): StreamSink {
    if (this.child !== null || this.depth + 1 > MAX_TUNNEL_DEPTH) {
      this.env.anomaly('dispatch.tunnel_refused', this.child !== null ? 'second tunnel on one connection' : 'tunnel nesting too deep', null);
      return NULL_SINK;
    }
    const forced = proto === 'http2' ? DetProto.Http2 : proto === 'http' ? DetProto.Http : DetProto.None;
    this.child = new Dispatcher(this.env, this.ports, null, this.depth + 1, forced);
    return this.child;
  }

  /** The outer connection ended: end any tunnel direction still open. */
  private closeTunnel(reason: EndReason, ts: number): void {
    for (const d of [0, 1] as const) if (!this.ended[d]) this.end(d, reason, ts);
  }
}

const NULL_SINK: StreamSink = { data() {}, gap() {}, end() {} };

function errText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.length > 200 ? s.slice(0, 200) : s;
}
