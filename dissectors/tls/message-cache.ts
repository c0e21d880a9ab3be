/**
 * What a handshake message parsed to, by its exact bytes. A server sends the same Certificate and
 * CertificateRequest to every client, and parsing them again (a SHA-256 per certificate, every
 * distinguished name decoded) is most of what a repeated handshake costs. An entry is found by the
 * message's length and its first and last bytes, and used only when every byte is equal.
 */
const EDGE = 32;

export class MessageCache<T> {
  private readonly entries = new Map<string, { bytes: Buffer; value: T }>();

  constructor(private readonly cap: number) {}

  private key(body: Buffer, variant: string): string {
    const n = body.length;
    return `${variant}${n}:${body.toString('latin1', 0, Math.min(n, EDGE))}${body.toString('latin1', Math.max(0, n - EDGE), n)}`;
  }

  get(body: Buffer, variant: string): T | undefined {
    const e = this.entries.get(this.key(body, variant));
    return e !== undefined && e.bytes.equals(body) ? e.value : undefined;
  }

  set(body: Buffer, variant: string, value: T): void {
    if (this.entries.size >= this.cap) this.entries.clear();
    // Its own memory, not a slice of a shared pool slab that this long-lived copy would pin.
    const bytes = Buffer.allocUnsafeSlow(body.length);
    body.copy(bytes);
    this.entries.set(this.key(body, variant), { bytes, value });
  }
}
