import type { DissectorContext, SecretStore } from '../../src/core/dissector.js';
import type { TlsFacts } from '../../src/core/facts.js';
import type { Direction } from '../../src/core/stream.js';
import { tls12Decryptor, tls13Decryptor, type RecordDecryptor as CryptoDecryptor } from './crypto/decryptor.js';
import { TLS12_SUITES } from './crypto/suites.js';
import type { RecordDecryptor } from './session.js';

const TLS13 = 0x0304;
const EXT_ENCRYPT_THEN_MAC = 22;
const HS_KEY_UPDATE = 24;
const CT_HANDSHAKE = 22;

/**
 * Bridges the session's decryption hook to the key-log crypto: the right decryptor is built
 * lazily, once both hellos are known and the key log holds this client random. TLS 1.3 moves a
 * direction from handshake to application keys when the handshake keys stop authenticating
 * (an AEAD tag is proof, so the trial cannot be fooled), and follows KeyUpdate messages.
 * A record that authenticates under no key ends decryption for the connection: the session then
 * falls back to what is visible without keys.
 */
class KeyLogHook implements RecordDecryptor {
  private inner: CryptoDecryptor | null = null;
  private tried = false;
  private failed = false;
  private readonly appKeys: [boolean, boolean] = [false, false];
  private readonly pendingUpdate: [boolean, boolean] = [false, false];
  private readonly header = Buffer.alloc(5);

  constructor(private readonly secrets: SecretStore, private readonly ctx: DissectorContext) {}

  decrypt(dir: Direction, type: number, version: number, body: Buffer, facts: TlsFacts): { type: number; plaintext: Buffer } | null {
    if (this.failed) return null;
    const inner = this.inner ?? this.build(facts);
    if (inner === null) return null;
    const tls13 = facts.version === TLS13;
    if (tls13 && this.pendingUpdate[dir]) {
      this.pendingUpdate[dir] = false;
      inner.keyUpdate(dir);
    }
    this.header[0] = type;
    this.header.writeUInt16BE(version & 0xffff, 1);
    this.header.writeUInt16BE(body.length & 0xffff, 3);
    let out = inner.decrypt(dir, this.header, body);
    if (out === null && tls13 && !this.appKeys[dir]) {
      this.appKeys[dir] = true;
      if (inner.toApplicationKeys(dir)) out = inner.decrypt(dir, this.header, body);
    }
    if (out === null) {
      this.failed = true;
      this.ctx.anomaly('tls.decrypt_failed', `a ${body.length}-byte record did not authenticate with the key log's secrets (wrong or incomplete key log)`, dir);
      return null;
    }
    if (tls13 && out.contentType === CT_HANDSHAKE && this.appKeys[dir] && out.plaintext[0] === HS_KEY_UPDATE) this.pendingUpdate[dir] = true;
    return { type: out.contentType, plaintext: out.plaintext };
  }

  private build(facts: TlsFacts): CryptoDecryptor | null {
    if (this.tried) return null;
    const ch = facts.clientHello;
    const sh = facts.serverHello;
    if (ch === null || sh === null) return null;
    this.tried = true;
    if (sh.version === TLS13) {
      this.inner = tls13Decryptor(this.secrets, ch.random, sh.cipher);
    } else {
      const cbc = TLS12_SUITES.get(sh.cipher)?.kind === 'cbc';
      this.inner = tls12Decryptor(this.secrets, ch.random, sh.random, sh.cipher, sh.version, cbc && sh.extensions.includes(EXT_ENCRYPT_THEN_MAC));
    }
    return this.inner;
  }
}

/** The per-connection hook: none unless the user gave key logs (or the capture carried some). */
export function keyLogDecryptor(ctx: DissectorContext): RecordDecryptor | null {
  return ctx.secrets === null ? null : new KeyLogHook(ctx.secrets, ctx);
}
