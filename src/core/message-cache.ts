/**
 * What a protocol message parsed to, by its exact bytes. Servers and clients send the same TLS
 * Certificate, CertificateRequest or SSH KEXINIT again and again, and parsing them again (a SHA-256
 * per certificate, every distinguished name decoded, name-lists split and hashed) is most of what
 * a repeated handshake costs. An entry is found by the message's length and its first and last
 * bytes, and used only when every byte is equal.
 */
const EDGE = 32;

export class MessageCache<T> {
  private readonly entries = new Map<number, { bytes: Buffer; variant: string; value: T }>();

  constructor(private readonly cap: number) {}

  /** A number, not a string: building a key string per lookup was most of a hit's cost. */
  private key(body: Buffer, variant: string): number {
    const n = body.length;
    let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
    for (let i = 0; i < variant.length; i++) h = Math.imul(h ^ variant.charCodeAt(i), 0x01000193);
    const head = Math.min(n, EDGE);
    for (let i = 0; i < head; i++) h = Math.imul(h ^ body[i]!, 0x01000193);
    for (let i = Math.max(head, n - EDGE); i < n; i++) h = Math.imul(h ^ body[i]!, 0x01000193);
    return h;
  }

  get(body: Buffer, variant: string): T | undefined {
    const e = this.entries.get(this.key(body, variant));
    return e !== undefined && e.variant === variant && e.bytes.equals(body) ? e.value : undefined;
  }

  set(body: Buffer, variant: string, value: T): void {
    if (this.entries.size >= this.cap) this.entries.clear();
    // Its own memory, not a slice of a shared pool slab that this long-lived copy would pin.
    const bytes = Buffer.allocUnsafeSlow(body.length);
    body.copy(bytes);
    this.entries.set(this.key(body, variant), { bytes, variant, value });
  }
}
