import { readFileSync } from 'node:fs';
import type { TlsFacts } from '../../../src/core/facts.js';
import type { ConnectionFacts } from '../../../src/facts/connection.js';
import { analyzeFiles } from '../../../src/pipeline/analyze.js';
import { defaultRegistry } from '../../../src/pipeline/registry.js';
import { tlsFactory } from '../../../dissectors/tls/index.js';
import { KeyLogStore } from '../../../src/secrets/keylog.js';

export const CORPUS = '../shared/corpus';

export type PeerFact = Record<string, unknown> & { source: string };

export interface CorpusFile {
  path: string;
  tls?: PeerFact[];
  tshark?: { tls?: PeerFact[] };
}

export function corpusFiles(): CorpusFile[] {
  return (JSON.parse(readFileSync(`${CORPUS}/expected.json`, 'utf8')) as { files: CorpusFile[] }).files;
}

export interface TlsConn {
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  tls: TlsFacts;
  tunnelled: boolean;
}

/**
 * Every TLS connection of a capture (including TLS inside a CONNECT tunnel), via the real pipeline, with
 * the key logs a pcapng carries used as `analyze` uses them (tshark decrypts with them too).
 */
export async function tlsConnections(path: string): Promise<TlsConn[]> {
  const out: TlsConn[] = [];
  const push = (c: ConnectionFacts): void => {
    const base = { client: c.client.ip, server: c.server.ip, clientPort: c.client.port, serverPort: c.server.port };
    if (c.tls !== null) out.push({ ...base, tls: c.tls, tunnelled: false });
    if (c.tunnel?.tls) out.push({ ...base, tls: c.tunnel.tls, tunnelled: true });
  };
  const secrets = new KeyLogStore();
  await analyzeFiles([`${CORPUS}/${path}`], {
    onConnection: push, registry: { ...defaultRegistry, tls: tlsFactory }, secrets, onKeyLog: (text) => void secrets.addText(text),
  });
  return out;
}
