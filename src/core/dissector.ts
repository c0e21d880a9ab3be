import type { Direction, EndReason, StreamSink } from './stream.js';

/** A parser oddity worth one rate-limited `anomaly` record (Zeek's "weird"). */
export interface AnomalyEvent {
  /** Stable code, e.g. `tls.record_too_long`. */
  code: string;
  detail: string;
  dir: Direction | null;
}

/** Secrets a dissector may ask for (TLS key logs); the lookup never exposes them to outputs. */
export interface SecretStore {
  /** `label` as in the NSS key log format, `clientRandom` as lower-case hex. */
  get(label: string, clientRandom: string): Buffer | undefined;
}

export interface DissectorContext {
  anomaly(code: string, detail: string, dir?: Direction | null): void;
  /**
   * Opens a tunnelled inner stream (after CONNECT 2xx, an h2c upgrade, decrypted application data).
   * The returned sink runs protocol detection afresh (or uses `proto` when given); its facts are
   * reported on the same connection, marked as tunnelled.
   */
  tunnel(proto?: 'http2' | 'http'): StreamSink;
  /** TLS key log material, when the user supplied some. */
  secrets: SecretStore | null;
  /** Decrypt and dissect application data too (`--decrypt-app`). */
  decryptApp: boolean;
}

/**
 * Consumes both directions of one connection and keeps bounded state. It never throws outward
 * (the dispatcher still guards it) and does no I/O. Once `done` is true it receives no more payload.
 */
export interface Dissector extends StreamSink {
  readonly proto: 'tls' | 'ssh' | 'http' | 'http2';
  readonly done: boolean;
  /** A snapshot of what was seen so far (for the protocol's facts type). */
  facts(): unknown;
  /**
   * Asked after each `data`: how many of the next bytes of `dir` this dissector will not read (a
   * message body it only steps over). It counts them as consumed at once; the reassembler then
   * counts them without delivering or keeping them. Gaps that fall inside them are not reported.
   */
  passOver?(dir: Direction): number;
  /**
   * Counts the moments the facts gained something a rule may act on while the connection stays
   * open (an HTTP request head, a response status), so a live run can judge before the end.
   */
  readonly news?: number;
}

export interface DissectorFactory {
  readonly proto: Dissector['proto'];
  create(ctx: DissectorContext): Dissector;
}

export type { Direction, EndReason, StreamSink };
