import type { FactSource, TlsFacts } from '../../src/core/facts.js';
import type { Dissector, DissectorContext } from '../../src/core/dissector.js';
import type { Direction, EndReason, StreamSink } from '../../src/core/stream.js';
import { parseSslv2ClientHello } from './client-hello.js';
import { TlsParseError } from './cursor.js';
import { findApplicationDataBoundary, startsWithRecord } from './midstream.js';
import { fingerprinted } from './hello-cache.js';
import { applyClientHello, handleHandshakeMessage, restOfMessage, type CutLeaf, type HandshakeState } from './handshake.js';
import {
  CT_ALERT, CT_APPLICATION_DATA, CT_CHANGE_CIPHER_SPEC, CT_HANDSHAKE, CT_HEARTBEAT, HandshakeAssembler, RecordReader, wholeMessages,
  type HandshakeEvents, type RecordEvents,
} from './records.js';
import { addAlert, addHistory, encryptedRecords, MAX_ALERTS, MAX_ENCRYPTED_SIZES, newTlsFacts } from './state.js';
import { inferClientAuth } from './tls13-inference.js';

/**
 * Decryption hook (dissectors/tls/crypto): given an encrypted record, return its plaintext and real content
 * type, or null. The plaintext goes through the same handshake parser as records seen in the clear.
 */
export interface RecordDecryptor {
  decrypt(dir: Direction, type: number, version: number, body: Buffer, facts: TlsFacts): { type: number; plaintext: Buffer } | null;
}

/** application_settings (ALPS), old and new code points. */
const EXT_ALPS = 0x4469;
const EXT_ALPS_NEW = 0x44cd;
/** An encrypted TLS 1.3 alert: 2 bytes + content type + 16-byte tag. */
const ENCRYPTED_ALERT_13 = 19;
/** After the client flight is classified, this many more client records end inspection if the server stays silent. */
const CLIENT_RECORDS_AFTER_DECISION = 8;

/**
 * One TLS connection. It is its own record and handshake event receiver, and per-direction state
 * lives in fields and bit masks (bit `dir`): thousands of handshakes a second each built a dozen
 * closures and tuples that the garbage collector then had to find.
 */
export class TlsSession implements Dissector, RecordEvents, HandshakeEvents, HandshakeState {
  readonly proto = 'tls' as const;
  done = false;
  /** Handshake state the message handlers read and write (HandshakeState). */
  readonly tls = newTlsFacts();
  clientSessionId: string | null = null;
  tls13 = false;
  fullHandshake = false;
  clientCertificateSeen = false;
  cutLeaf: CutLeaf | null = null;
  /**
   * Record and handshake parsing state, and the decryptor with its keys: let go once the session is
   * done (most connections live on long after their handshake; the keys should not).
   */
  private r0: RecordReader | null;
  private r1: RecordReader | null;
  private a0: HandshakeAssembler | null = null;
  private a1: HandshakeAssembler | null = null;
  private decryptor: RecordDecryptor | null;
  private recordVersion0 = 0;
  private recordVersion1 = 0;
  /** TLS <= 1.2: this direction sent ChangeCipherSpec, so its records are encrypted. */
  private ccs = 0;
  private encryptedFinished = 0;
  private ended = 0;
  /** The direction has delivered its first chunk. */
  private started = 0;
  private source: FactSource = 'observed';
  private decided = false;
  private clientRecordsAfterDecision = 0;
  private tunnelSink: StreamSink | null = null;
  private ts = 0;

  constructor(
    private readonly ctx: DissectorContext,
    decryptor: RecordDecryptor | null = null,
  ) {
    this.decryptor = decryptor;
    this.r0 = new RecordReader(0, this);
    this.r1 = new RecordReader(1, this);
  }

  facts(): TlsFacts {
    return this.tls;
  }

  data(dir: Direction, chunk: Buffer, tsMicros: number): void {
    if (this.done) return;
    this.ts = tsMicros;
    try {
      if ((this.started & (1 << dir)) === 0) {
        this.started |= 1 << dir;
        if (this.pickedUpMidRecord(chunk)) return;
      }
      (dir === 0 ? this.r0 : this.r1)!.push(chunk);
      this.checkDesync();
    } catch (e) {
      this.internalError(e, dir);
    } finally {
      if (this.done) this.release();
    }
  }

  gap(dir: Direction, len: number, tsMicros: number): void {
    if (this.done) return;
    this.ts = tsMicros;
    try {
      (dir === 0 ? this.r0 : this.r1)!.gap(len);
      (dir === 0 ? this.a0 : this.a1)?.reset();
      this.checkDesync();
    } catch (e) {
      this.internalError(e, dir);
    } finally {
      if (this.done) this.release();
    }
  }

  end(dir: Direction, _reason: EndReason, _tsMicros: number): void {
    this.ended |= 1 << dir;
    try {
      if (!this.decided && this.tls13) this.infer(true);
    } catch (e) {
      this.internalError(e, dir);
    }
    if (this.ended === 3) this.done = true;
    if (this.done) this.release();
  }

  /**
   * Without keys, an application_data record (TLS 1.3 handshake records included) and a TLS <= 1.2
   * encrypted Finished are known by their length alone: their bytes are passed over, not copied.
   */
  wantsBody(dir: Direction, type: number): boolean {
    if (this.decryptor !== null) return true;
    if (type === CT_APPLICATION_DATA) return false;
    return !(type === CT_HANDSHAKE && (this.ccs & (1 << dir)) !== 0 && !this.tls13);
  }

  /** The rest of a record whose body is not read: the reassembler counts it instead of delivering it. */
  passOver(dir: Direction): number {
    const r = dir === 0 ? this.r0 : this.r1;
    return r === null ? 0 : r.takeSkip();
  }

  /** Record layer: one record of `dir`, body `buf[start, end)` (`buf` null: a body not wanted, length only). */
  record(dir: Direction, type: number, version: number, buf: Buffer | null, start: number, end: number): void {
    const f = this.tls;
    if ((dir === 0 ? this.r0 : this.r1)!.recordsSeen === 1 && type === CT_APPLICATION_DATA && f.clientHello === null && f.serverHello === null) {
      f.midStream = true;
      this.done = true;
      return;
    }
    if (dir === 0) this.recordVersion0 = version;
    else this.recordVersion1 = version;
    if (buf !== null && this.decryptor !== null && this.encrypted(dir, type) && this.tryDecrypt(dir, type, version, buf.subarray(start, end))) return;
    switch (type) {
      case CT_HANDSHAKE:
        if ((this.ccs & (1 << dir)) !== 0 && !this.tls13) this.onEncryptedFinished(dir);
        else if (buf !== null) this.handshakePlaintext(dir, buf, start, end, 'observed');
        return;
      case CT_CHANGE_CIPHER_SPEC:
        this.onChangeCipherSpec(dir);
        return;
      case CT_ALERT:
        if (buf !== null) this.onAlert(dir, buf, start, end, 'observed');
        return;
      case CT_APPLICATION_DATA:
        this.onApplicationData(dir, end - start);
        return;
      case CT_HEARTBEAT:
        addHistory(f, dir, 'b');
        return;
    }
  }

  /** Record layer: an SSLv2-framed CLIENT-HELLO. */
  sslv2ClientHello(dir: Direction, body: Buffer): void {
    if (dir !== 0) {
      this.ctx.anomaly('tls.sslv2_from_server', `${body.length} bytes`, dir);
      return;
    }
    try {
      applyClientHello(this, fingerprinted(parseSslv2ClientHello(body)));
    } catch (e) {
      this.parseError(e, dir);
    }
  }

  /** Record layer: the session wants no more records. */
  stopped(): boolean {
    return this.done;
  }

  /** Handshake layer: one complete message. */
  message(dir: Direction, type: number, body: Buffer, fullLength: number): void {
    try {
      handleHandshakeMessage(this, dir, type, body, dir === 0 ? this.recordVersion0 : this.recordVersion1, this.source, fullLength);
    } catch (e) {
      this.parseError(e, dir);
    }
  }

  rest(dir: Direction, data: Buffer, start: number, end: number): void {
    restOfMessage(this, dir, data, start, end);
  }

  anomaly(code: string, detail: string, dir: Direction): void {
    this.ctx.anomaly(code, detail, dir);
  }

  private release(): void {
    this.r0 = null;
    this.r1 = null;
    this.a0 = null;
    this.a1 = null;
    this.decryptor = null;
  }

  /** Last line of defence: parsers report their own errors, anything else ends inspection of this connection. */
  private internalError(e: unknown, dir: Direction): void {
    this.ctx.anomaly('tls.internal_error', String(e instanceof Error ? e.message : e), dir);
    this.done = true;
  }

  /** Plaintext handshake bytes `buf[start, end)` from any origin (records in the clear, or a decryptor). */
  private handshakePlaintext(dir: Direction, buf: Buffer, start: number, end: number, source: FactSource): void {
    const before = this.source;
    this.source = source;
    const a = dir === 0 ? this.a0 : this.a1;
    if (a !== null && a.partial) {
      a.push(buf, start, end);
    } else {
      // Most records hold whole messages: an assembler is made only for a message a record cuts.
      const rest = wholeMessages(dir, buf, start, end, this);
      if (rest < end) (a ?? this.assembler(dir)).push(buf, rest, end);
    }
    this.source = before;
  }

  private assembler(dir: Direction): HandshakeAssembler {
    const a = new HandshakeAssembler(dir, this);
    if (dir === 0) this.a0 = a;
    else this.a1 = a;
    return a;
  }

  /** A first chunk that starts inside an application_data record: the handshake happened before the capture. */
  private pickedUpMidRecord(chunk: Buffer): boolean {
    const f = this.tls;
    if (f.clientHello !== null || f.serverHello !== null || startsWithRecord(chunk)) return false;
    if (findApplicationDataBoundary(chunk) < 0) return false;
    f.midStream = true;
    this.done = true;
    return true;
  }

  private checkDesync(): void {
    if (this.r0!.desynced && this.r1!.desynced) this.done = true;
  }

  private parseError(e: unknown, dir: Direction): void {
    if (e instanceof TlsParseError) this.ctx.anomaly(e.code, e.message, dir);
    else this.ctx.anomaly('tls.internal_error', String(e instanceof Error ? e.message : e), dir);
  }

  private encrypted(dir: Direction, type: number): boolean {
    const f = this.tls;
    // 0-RTT data precedes the ServerHello (a decryptor may hold the early traffic secret).
    if (f.serverHello === null) return type === CT_APPLICATION_DATA && dir === 0 && f.clientHello?.earlyData === true;
    if (this.tls13) return type === CT_APPLICATION_DATA;
    return (this.ccs & (1 << dir)) !== 0;
  }

  private tryDecrypt(dir: Direction, type: number, version: number, body: Buffer): boolean {
    let out: { type: number; plaintext: Buffer } | null = null;
    try {
      out = this.decryptor!.decrypt(dir, type, version, body, this.tls);
    } catch (e) {
      this.ctx.anomaly('tls.decrypt_error', String(e instanceof Error ? e.message : e), dir);
    }
    if (out === null) return false;
    if (out.type === CT_HANDSHAKE) {
      this.handshakePlaintext(dir, out.plaintext, 0, out.plaintext.length, 'decrypted');
      if (!this.tls13) this.onEncryptedFinished(dir);
    } else if (out.type === CT_ALERT) {
      this.onAlert(dir, out.plaintext, 0, out.plaintext.length, 'decrypted');
    } else if (out.type === CT_APPLICATION_DATA) {
      this.onApplicationData(dir, body.length);
      if (this.ctx.decryptApp) {
        this.tunnelSink ??= this.ctx.tunnel();
        this.tunnelSink.data(dir, out.plaintext, this.ts);
      }
    }
    return true;
  }

  private onChangeCipherSpec(dir: Direction): void {
    const f = this.tls;
    addHistory(f, dir, 'i');
    // TLS 1.3 middlebox-compatibility CCS (RFC 8446 D.4, also sent after a HelloRetryRequest) changes nothing.
    if (this.tls13 || f.serverHello === null) return;
    this.ccs |= 1 << dir;
    if (dir === 1 && f.serverHello !== null && !this.fullHandshake) {
      f.resumed = true;
      f.clientAuthReason = 'abbreviated handshake: client authentication happened in an earlier session';
    }
  }

  private onEncryptedFinished(dir: Direction): void {
    this.encryptedFinished |= 1 << dir;
    if (this.encryptedFinished === 3) {
      this.tls.established = true;
      if (!(this.decryptor !== null && this.ctx.decryptApp)) this.done = true;
    }
  }

  private onAlert(dir: Direction, buf: Buffer, start: number, end: number, source: FactSource): void {
    const f = this.tls;
    addHistory(f, dir, 'l');
    const duringHandshake = !f.established;
    if (source === 'observed' && (end - start !== 2 || ((this.ccs & (1 << dir)) !== 0 && !this.tls13))) {
      // Encrypted: level and description are unknown (0 / -1).
      addAlert(f, { level: 0, description: -1, dir, duringHandshake, source: 'inferred' });
      return;
    }
    for (let i = start; i + 1 < end; i += 2) {
      if (f.alerts.length >= MAX_ALERTS) break;
      addAlert(f, { level: buf[i]!, description: buf[i + 1]!, dir, duringHandshake, source });
      if (buf[i] === 2 && !(this.decryptor !== null && this.ctx.decryptApp)) this.done = true;
    }
  }

  private onApplicationData(dir: Direction, len: number): void {
    const f = this.tls;
    if (f.serverHello === null) return;
    if (!this.tls13) {
      if (this.ccs === 3) f.established = true;
      return;
    }
    const records = encryptedRecords(f);
    const client = records[0];
    const server = records[1];
    if (dir === 1) {
      if (client.length === 0) {
        if (server.length < MAX_ENCRYPTED_SIZES) server.push(len);
        return;
      }
      f.established = true;
      if (this.decided) {
        this.afterFlight(len);
        return;
      }
    } else if (!this.decided && client.length < MAX_ENCRYPTED_SIZES) {
      client.push(len);
      if (server.length > 0) f.established = true;
    } else if (this.decided && ++this.clientRecordsAfterDecision >= CLIENT_RECORDS_AFTER_DECISION) {
      this.stopAfterInference();
    }
    if (!this.decided) this.infer(false);
  }

  private afterFlight(len: number): void {
    const f = this.tls;
    if (len === ENCRYPTED_ALERT_13 && f.alerts.length < MAX_ALERTS) {
      addAlert(f, { level: 0, description: -1, dir: 1, duringHandshake: true, source: 'inferred' });
      addHistory(f, 1, 'l');
    }
    this.stopAfterInference();
  }

  private stopAfterInference(): void {
    if (!(this.decryptor !== null && this.ctx.decryptApp)) this.done = true;
  }

  private infer(final: boolean): void {
    const f = this.tls;
    if (f.cipher === null || f.resumed) {
      this.decided = final || f.resumed;
      if (f.resumed) f.clientAuthReason = 'PSK resumption: no certificate exchange';
      return;
    }
    const [client, server] = f.encryptedHandshakeRecords;
    const exts = f.clientHello?.extensions ?? [];
    const alps = exts.includes(EXT_ALPS) || exts.includes(EXT_ALPS_NEW);
    const r = inferClientAuth(server, client, f.cipher, f.clientHello?.earlyData ?? false, alps);
    if (r === null && !final) return;
    this.decided = true;
    if (f.clientAuthSource === 'decrypted') return;
    f.clientAuth = r?.clientAuth ?? 'unknown';
    f.clientAuthSource = 'inferred';
    f.clientAuthReason = r?.reason ?? `client flight incomplete: client records [${client.join(',')}]`;
  }
}
