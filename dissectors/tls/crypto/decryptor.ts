import type { SecretStore } from '../../../src/core/dissector.js';
import { aeadOpen, TAG_LEN, xorNonce } from './aead.js';
import { cbcOpen, type CbcKeys } from './cbc.js';
import { hashLen, type HashName } from './hkdf.js';
import { keyBlock } from './prf12.js';
import { macLen, TLS12_SUITES, TLS13_SUITES, type AeadAlg } from './suites.js';
import { nextTrafficSecret, trafficKeys } from './tls13-keys.js';

export interface DecryptedRecord { contentType: number; plaintext: Buffer }

export interface RecordDecryptor {
  /** Decrypts one record of `dir` (header = the 5-byte record header, body = the ciphertext). null when the tag/MAC fails. */
  decrypt(dir: 0 | 1, header: Buffer, body: Buffer): DecryptedRecord | null;
  /** TLS 1.3: switch `dir` from handshake to application traffic keys (after that side's Finished). */
  toApplicationKeys(dir: 0 | 1): boolean;
  /** TLS 1.3 KeyUpdate received from `dir`. */
  keyUpdate(dir: 0 | 1): boolean;
}

/** TLSPlaintext / TLSCiphertext length limits (RFC 8446 5.2, RFC 5246 6.2.3). */
const MAX_CIPHERTEXT_13 = (1 << 14) + 256;
const MAX_CIPHERTEXT_12 = (1 << 14) + 2048;

interface Aead13State { secret: Buffer; key: Buffer; iv: Buffer; seq: bigint }

/**
 * Sequence numbers advance only on records that decrypt: a record that fails (early data the
 * server skipped, a record that is not ours) must not shift the nonces of the following ones.
 */
class Tls13Decryptor implements RecordDecryptor {
  private readonly st: [Aead13State | null, Aead13State | null];

  constructor(
    private readonly aead: AeadAlg,
    private readonly keyLen: number,
    private readonly hash: HashName,
    first: [Buffer | undefined, Buffer | undefined],
    private readonly app: [Buffer | undefined, Buffer | undefined],
  ) {
    this.st = [this.state(first[0]), this.state(first[1])];
  }

  private state(secret: Buffer | undefined): Aead13State | null {
    if (secret === undefined || secret.length !== hashLen(this.hash)) return null;
    const k = trafficKeys(this.hash, secret, this.keyLen);
    return { secret, key: k.key, iv: k.iv, seq: 0n };
  }

  decrypt(dir: 0 | 1, header: Buffer, body: Buffer): DecryptedRecord | null {
    const s = this.st[dir];
    if (s === null || header.length !== 5 || body.length < TAG_LEN + 1 || body.length > MAX_CIPHERTEXT_13) return null;
    const inner = aeadOpen(this.aead, s.key, xorNonce(s.iv, s.seq), header, body);
    if (inner === null) return null;
    s.seq++;
    // RFC 8446 5.4: zero padding follows the real content type.
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) return null;
    return { contentType: inner[end]!, plaintext: inner.subarray(0, end) };
  }

  toApplicationKeys(dir: 0 | 1): boolean {
    const s = this.state(this.app[dir]);
    if (s === null) return false;
    this.st[dir] = s;
    return true;
  }

  keyUpdate(dir: 0 | 1): boolean {
    const cur = this.st[dir];
    if (cur === null) return false;
    this.st[dir] = this.state(nextTrafficSecret(this.hash, cur.secret));
    return true;
  }
}

/**
 * TLS 1.3 record decryption from key log secrets. Starts with the handshake traffic secrets when
 * present (else directly with the application ones, for captures that begin after the handshake).
 */
export function tls13Decryptor(secrets: SecretStore, clientRandomHex: string, cipherSuite: number): RecordDecryptor | null {
  const suite = TLS13_SUITES.get(cipherSuite);
  if (suite === undefined) return null;
  const cr = clientRandomHex.toLowerCase();
  const hs: [Buffer | undefined, Buffer | undefined] = [secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET', cr), secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET', cr)];
  const app: [Buffer | undefined, Buffer | undefined] = [secrets.get('CLIENT_TRAFFIC_SECRET_0', cr), secrets.get('SERVER_TRAFFIC_SECRET_0', cr)];
  const first: [Buffer | undefined, Buffer | undefined] = [hs[0] ?? app[0], hs[1] ?? app[1]];
  if (first[0] === undefined && first[1] === undefined) return null;
  return new Tls13Decryptor(suite.aead, suite.keyLen, suite.hash, first, app);
}

type Dir12 =
  | { kind: 'aead'; aead: AeadAlg; key: Buffer; iv: Buffer; explicitNonce: boolean; seq: bigint }
  | { kind: 'cbc'; keys: CbcKeys; iv: Buffer | null; seq: bigint };

class Tls12Decryptor implements RecordDecryptor {
  constructor(private readonly dirs: [Dir12, Dir12], private readonly etm: boolean) {}

  decrypt(dir: 0 | 1, header: Buffer, body: Buffer): DecryptedRecord | null {
    if (header.length !== 5 || body.length > MAX_CIPHERTEXT_12) return null;
    const s = this.dirs[dir];
    const type = header[0]!;
    const version = header.readUInt16BE(1);
    if (s.kind === 'cbc') {
      const r = cbcOpen(s.keys, s.seq, type, version, body, s.iv, this.etm);
      if (r === null) return null;
      s.seq++;
      if (s.iv !== null) s.iv = r.lastBlock;
      return { contentType: type, plaintext: r.plaintext };
    }
    // RFC 5288 3: GCM carries an 8-byte explicit nonce after the 4-byte salt; RFC 7905 ChaCha20 has none.
    const explicit = s.explicitNonce ? 8 : 0;
    if (body.length < explicit + TAG_LEN) return null;
    const nonce = s.explicitNonce ? Buffer.concat([s.iv, body.subarray(0, 8)]) : xorNonce(s.iv, s.seq);
    const aad = Buffer.alloc(13);
    aad.writeBigUInt64BE(s.seq, 0);
    aad[8] = type;
    aad.writeUInt16BE(version, 9);
    aad.writeUInt16BE(body.length - explicit - TAG_LEN, 11);
    const p = aeadOpen(s.aead, s.key, nonce, aad, body.subarray(explicit));
    if (p === null) return null;
    s.seq++;
    return { contentType: type, plaintext: p };
  }

  toApplicationKeys(_dir: 0 | 1): boolean { return false; }
  keyUpdate(_dir: 0 | 1): boolean { return false; }
}

/**
 * TLS 1.0-1.2 record decryption from the master secret of a `CLIENT_RANDOM` key log line.
 * Records are those after each side's ChangeCipherSpec, in order.
 */
export function tls12Decryptor(
  secrets: SecretStore, clientRandomHex: string, serverRandomHex: string, cipherSuite: number, version: number, encryptThenMac: boolean,
): RecordDecryptor | null {
  const suite = TLS12_SUITES.get(cipherSuite);
  if (suite === undefined || !/^[0-9a-fA-F]{64}$/.test(clientRandomHex) || !/^[0-9a-fA-F]{64}$/.test(serverRandomHex)) return null;
  const master = secrets.get('CLIENT_RANDOM', clientRandomHex.toLowerCase());
  if (master === undefined || master.length !== 48) return null;
  const cr = Buffer.from(clientRandomHex, 'hex');
  const sr = Buffer.from(serverRandomHex, 'hex');
  if (suite.kind === 'cbc') {
    const ml = macLen(suite.mac);
    // TLS 1.0 (0x0301) chains IVs from the key block; 1.1+ sends them explicitly.
    const implicitIv = version <= 0x0301;
    const kb = keyBlock(suite.prf, version, master, cr, sr, 2 * ml + 2 * suite.keyLen + (implicitIv ? 32 : 0));
    let o = 0;
    const take = (n: number): Buffer => { const b = kb.subarray(o, o + n); o += n; return b; };
    const macC = take(ml); const macS = take(ml);
    const keyC = take(suite.keyLen); const keyS = take(suite.keyLen);
    const ivC = implicitIv ? take(16) : null; const ivS = implicitIv ? take(16) : null;
    const d = (key: Buffer, macKey: Buffer, iv: Buffer | null): Dir12 => ({ kind: 'cbc', keys: { cipher: suite.cipher, key, mac: suite.mac, macKey }, iv, seq: 0n });
    return new Tls12Decryptor([d(keyC, macC, ivC), d(keyS, macS, ivS)], encryptThenMac);
  }
  const ivLen = suite.kind === 'gcm' ? 4 : 12;
  const kb = keyBlock(suite.prf, version, master, cr, sr, 2 * suite.keyLen + 2 * ivLen);
  const keyC = kb.subarray(0, suite.keyLen);
  const keyS = kb.subarray(suite.keyLen, 2 * suite.keyLen);
  const ivC = kb.subarray(2 * suite.keyLen, 2 * suite.keyLen + ivLen);
  const ivS = kb.subarray(2 * suite.keyLen + ivLen);
  const d = (key: Buffer, iv: Buffer): Dir12 => ({ kind: 'aead', aead: suite.aead, key, iv, explicitNonce: suite.kind === 'gcm', seq: 0n });
  return new Tls12Decryptor([d(keyC, ivC), d(keyS, ivS)], false);
}
