import type { RecordDecryptor } from '../../../dissectors/tls/crypto/decryptor.js';

export interface Chunk { dir: 0 | 1; data: Buffer }
export interface Rec { dir: 0 | 1; type: number; header: Buffer; body: Buffer }

/** Splits each direction into TLS records (RFC 8446 5.1), keeping the order records completed in. */
export function records(chunks: Chunk[]): Rec[] {
  const pending: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  const out: Rec[] = [];
  for (const c of chunks) {
    let b = Buffer.concat([pending[c.dir], c.data]);
    while (b.length >= 5 && b.length >= 5 + b.readUInt16BE(3)) {
      const len = b.readUInt16BE(3);
      out.push({ dir: c.dir, type: b[0]!, header: Buffer.from(b.subarray(0, 5)), body: Buffer.from(b.subarray(5, 5 + len)) });
      b = b.subarray(5 + len);
    }
    pending[c.dir] = Buffer.from(b);
  }
  return out;
}

export interface Msg { type: number; body: Buffer }

/** Complete handshake messages from the front of `buf`; returns them and what is left over. */
export function messages(buf: Buffer): { msgs: Msg[]; rest: Buffer } {
  const msgs: Msg[] = [];
  let o = 0;
  while (buf.length - o >= 4) {
    const len = buf.readUIntBE(o + 1, 3);
    if (buf.length - o - 4 < len) break;
    msgs.push({ type: buf[o]!, body: buf.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return { msgs, rest: buf.subarray(o) };
}

export interface Hellos { clientRandom: string; serverRandom: string; suite: number; version: number; etm: boolean }

/** Randoms, cipher suite, negotiated version and encrypt_then_mac from the plaintext hellos. */
export function hellos(recs: Rec[]): Hellos {
  const h: Hellos = { clientRandom: '', serverRandom: '', suite: 0, version: 0, etm: false };
  const buf: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  for (const r of recs) {
    if (r.type !== 22) continue;
    buf[r.dir] = Buffer.concat([buf[r.dir], r.body]);
    const { msgs, rest } = messages(buf[r.dir]);
    buf[r.dir] = rest;
    for (const m of msgs) {
      if (m.type === 1) h.clientRandom = m.body.subarray(2, 34).toString('hex');
      if (m.type !== 2) continue;
      h.version = m.body.readUInt16BE(0);
      h.serverRandom = m.body.subarray(2, 34).toString('hex');
      let o = 34;
      o += 1 + m.body[o]!;
      h.suite = m.body.readUInt16BE(o);
      o += 3;
      if (o + 2 > m.body.length) continue;
      const end = o + 2 + m.body.readUInt16BE(o);
      for (o += 2; o + 4 <= end; o += 4 + m.body.readUInt16BE(o + 2)) {
        const t = m.body.readUInt16BE(o);
        if (t === 43) h.version = m.body.readUInt16BE(o + 4);
        if (t === 22) h.etm = true;
      }
    }
  }
  return h;
}

export interface Decrypted {
  /** Handshake message types decrypted, per direction, in order. */
  types: [number[], number[]];
  handshake: [Msg[], Msg[]];
  app: [Buffer, Buffer];
  /** Decrypted application data in wire order, as a dissector of the inner protocol would get it. */
  appChunks: Chunk[];
  /** Encrypted records that did not decrypt. */
  failed: number;
  decrypted: number;
}

/**
 * Decrypts every encrypted record as a TLS dissector would: TLS 1.3 application_data records
 * (handshake keys until that side's Finished), or TLS 1.2 records after each ChangeCipherSpec.
 */
export function decryptAll(dec: RecordDecryptor, recs: Rec[], tls13: boolean): Decrypted {
  const d: Decrypted = { types: [[], []], handshake: [[], []], app: [Buffer.alloc(0), Buffer.alloc(0)], appChunks: [], failed: 0, decrypted: 0 };
  const hs: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  const ccs = [false, false];
  for (const r of recs) {
    if (r.type === 20) { ccs[r.dir] = true; continue; }
    const encrypted = tls13 ? r.type === 23 : ccs[r.dir];
    if (!encrypted) continue;
    const p = dec.decrypt(r.dir, r.header, r.body);
    if (p === null) { d.failed++; continue; }
    d.decrypted++;
    if (p.contentType === 23) {
      d.app[r.dir] = Buffer.concat([d.app[r.dir], p.plaintext]);
      d.appChunks.push({ dir: r.dir, data: p.plaintext });
      continue;
    }
    if (p.contentType !== 22) continue;
    hs[r.dir] = Buffer.concat([hs[r.dir], p.plaintext]);
    const { msgs, rest } = messages(hs[r.dir]);
    hs[r.dir] = Buffer.from(rest);
    for (const m of msgs) {
      d.types[r.dir].push(m.type);
      d.handshake[r.dir].push({ type: m.type, body: Buffer.from(m.body) });
      if (tls13 && m.type === 20) dec.toApplicationKeys(r.dir);
      if (tls13 && m.type === 24) dec.keyUpdate(r.dir);
    }
  }
  return d;
}
