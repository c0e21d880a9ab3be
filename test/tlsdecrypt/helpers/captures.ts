import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DissectorContext } from '../../../src/core/dissector.js';
import type { TlsFacts } from '../../../src/core/facts.js';
import type { ConnectionFacts } from '../../../src/facts/connection.js';
import { analyzeFiles } from '../../../src/pipeline/analyze.js';
import { defaultRegistry } from '../../../src/pipeline/registry.js';
import { KeyLogStore } from '../../../src/secrets/keylog.js';
import { createTlsFactory, type RecordDecryptor } from '../../../dissectors/tls/index.js';
import { keyLogDecryptor } from '../../../dissectors/tls/decrypt-hook.js';

export const DIR = 'captures/decrypt';

/** captures/decrypt/EXPECTED.json, hand-written from the scenarios and the programs' own output. */
export interface ExpectedConn {
  version: string;
  cipher: string;
  resumed: boolean;
  hello_retry: boolean;
  certificate_request: { authorities: string[] } | null;
  client_auth: string;
  server_chain: string[] | null;
  client_chain: string[] | null;
  http: { method: string; path: string; host: string; status: number; auth: string };
}
export interface ExpectedCapture { file: string; keylog: string; keys_by: string; connections: ExpectedConn[] }
export interface Expected { server_ip: string; client_ip: string; bearer_token: string; captures: ExpectedCapture[] }

export const EXPECTED = JSON.parse(readFileSync(`${DIR}/EXPECTED.json`, 'utf8')) as Expected;

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });

/** SHA-256 of a certificate file as openssl prints it (the reference for every chain). */
export function fingerprint(pem: string): string {
  return run('openssl', ['x509', '-in', pem, '-noout', '-fingerprint', '-sha256']).split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
}

/** A certificate's subject in RFC 4514 order, as openssl prints it with -nameopt RFC2253. */
export function subjectOf(pem: string): string {
  return run('openssl', ['x509', '-in', pem, '-noout', '-subject', '-nameopt', 'RFC2253']).replace(/^subject=/, '').trim();
}

export interface Observed {
  conns: ConnectionFacts[];
  /** Plaintext records the key-log hook returned, by inner content type and direction. */
  decrypted: Map<number, [number, number]>;
}

/**
 * Every connection of a capture through the real pipeline, with the key logs given (null: none
 * at all, not even the capture's own DSB secrets), in the order the connections started. The
 * key-log hook is wrapped only to count what it decrypts.
 */
export async function observe(path: string, keylogs: string[] | null, decryptApp = false): Promise<Observed> {
  const decrypted = new Map<number, [number, number]>();
  const counting = (ctx: DissectorContext): RecordDecryptor | null => {
    const inner = keyLogDecryptor(ctx);
    if (inner === null) return null;
    return {
      decrypt(dir, type, version, body, facts: TlsFacts) {
        const out = inner.decrypt(dir, type, version, body, facts);
        if (out !== null) {
          const n = decrypted.get(out.type) ?? [0, 0];
          n[dir]++;
          decrypted.set(out.type, n);
        }
        return out;
      },
    };
  };
  const secrets = keylogs === null ? null : new KeyLogStore();
  for (const k of keylogs ?? []) secrets!.addText(readFileSync(k, 'latin1'));
  const conns: ConnectionFacts[] = [];
  await analyzeFiles([path], {
    secrets,
    decryptApp,
    onKeyLog: (text) => secrets?.addText(text),
    onConnection: (c) => conns.push(c),
    registry: { ...defaultRegistry, tls: createTlsFactory(counting) },
  });
  conns.sort((a, b) => a.startMicros - b.startMicros);
  return { conns, decrypted };
}

/** The TLS facts of a connection, tunnelled or not. */
export function tlsOf(c: ConnectionFacts): TlsFacts | null {
  return c.tls ?? c.tunnel?.tls ?? null;
}

export interface TsharkHandshakes {
  /** Handshake message types per TCP stream, [client -> server, server -> client], in stream order. */
  streams: Map<number, { client: string; clientPort: number; types: [number[], number[]] }>;
}

/**
 * tshark's decrypted handshake messages (`-o tls.keylog_file`): one line per frame, its handshake
 * types in record order. The client is the side that sent the ClientHello.
 */
export function tsharkHandshakes(path: string, keylog: string | null): TsharkHandshakes {
  const args = ['-n', '-r', path, '-Y', 'tls.handshake.type', '-T', 'fields', '-E', 'separator=/t',
    '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'tls.handshake.type'];
  if (keylog !== null) args.splice(3, 0, '-o', `tls.keylog_file:${keylog}`);
  const streams: TsharkHandshakes['streams'] = new Map();
  for (const line of run('tshark', args).split('\n')) {
    if (line === '') continue;
    const [stream, ip4, ip6, port, types] = line.split('\t') as [string, string, string, string, string];
    const src = ip4 !== '' ? `${ip4}:${port}` : `[${ip6}]:${port}`;
    const list = types.split(',').map(Number);
    let s = streams.get(Number(stream));
    if (s === undefined) {
      if (list[0] !== 1) throw new Error(`stream ${stream}: first handshake message is not a ClientHello`);
      s = { client: src, clientPort: Number(port), types: [[], []] };
      streams.set(Number(stream), s);
    }
    s.types[src === s.client ? 0 : 1].push(...list);
  }
  return { streams };
}

/** RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest. */
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

export interface TsharkTls {
  client: string;
  /** SHA-256 of each certificate of the last Certificate message per direction; null when none was sent. */
  chains: [string[] | null, string[] | null];
  helloRetry: boolean;
  /** Cipher suite of the (real) ServerHello. */
  cipher: number | null;
  /** signature_algorithms of the CertificateRequest, null without one. */
  certificateRequestSigAlgs: number[] | null;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function handshakeObjects(o: Json, out: Record<string, Json>[]): void {
  if (Array.isArray(o)) for (const v of o) handshakeObjects(v, out);
  else if (o !== null && typeof o === 'object') {
    if ('tls.handshake.type' in o) out.push(o);
    for (const v of Object.values(o)) handshakeObjects(v, out);
  }
}

function collect(o: Json, key: string, out: string[]): void {
  if (Array.isArray(o)) for (const v of o) collect(v, key, out);
  else if (o !== null && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      if (k === key) out.push(...(Array.isArray(v) ? v : [v]).map(String));
      else collect(v, key, out);
    }
  }
}

/** What tshark decrypts with the key log, per TCP stream: chains, HRR, cipher, CertificateRequest. */
export function tsharkTls(path: string, keylog: string): Map<number, TsharkTls> {
  const text = run('tshark', ['-n', '-r', path, '-o', `tls.keylog_file:${keylog}`, '-Y', 'tls.handshake', '-T', 'json', '--no-duplicate-keys', '-J', 'ip tcp tls']);
  const out = new Map<number, TsharkTls>();
  for (const pkt of JSON.parse(text) as { _source: { layers: Record<string, Json> } }[]) {
    const l = pkt._source.layers;
    const tcp = l['tcp'] as Record<string, Json>;
    const stream = Number(tcp['tcp.stream']);
    const src = `${(l['ip'] as Record<string, Json>)['ip.src']}:${tcp['tcp.srcport']}`;
    const hs: Record<string, Json>[] = [];
    handshakeObjects(l['tls']!, hs);
    for (const h of hs) {
      const type = Number(h['tls.handshake.type']);
      let s = out.get(stream);
      if (s === undefined) {
        s = { client: src, chains: [null, null], helloRetry: false, cipher: null, certificateRequestSigAlgs: null };
        out.set(stream, s);
      }
      const dir = src === s.client ? 0 : 1;
      if (type === 2) {
        if (String(h['tls.handshake.random']).replace(/:/g, '') === HRR_RANDOM) s.helloRetry = true;
        else s.cipher = Number(h['tls.handshake.ciphersuite']);
      } else if (type === 11) {
        const ders: string[] = [];
        collect(h['tls.handshake.certificates'] ?? null, 'tls.handshake.certificate', ders);
        s.chains[dir] = ders.map((d) => createHash('sha256').update(Buffer.from(d.replace(/:/g, ''), 'hex')).digest('hex'));
      } else if (type === 13) {
        const algs: string[] = [];
        collect(h, 'tls.handshake.sig_hash_alg', algs);
        s.certificateRequestSigAlgs = algs.map(Number);
      }
    }
  }
  return out;
}
