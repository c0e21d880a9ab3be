import { readFileSync } from 'node:fs';

export const CORPUS = '../shared/corpus';

interface TsharkH2 { stream_id: number; from: string; headers: Record<string, string>; tcp_stream: number }
interface FileRec { path: string; tshark?: { http2?: TsharkH2[]; tls?: { cipher_id: string }[] }; http?: Record<string, unknown>[] }

let cache: FileRec[] | null = null;

export function expectedFor(path: string): FileRec {
  cache ??= (JSON.parse(readFileSync(`${CORPUS}/expected.json`, 'utf8')) as { files: FileRec[] }).files;
  const f = cache.find((x) => x.path === path);
  if (f === undefined) throw new Error(`${path} not in expected.json`);
  return f;
}

/** tshark's HEADERS per stream id, request fields and response fields merged. */
export function tsharkByStream(path: string): Map<number, Record<string, string>> {
  const m = new Map<number, Record<string, string>>();
  for (const h of expectedFor(path).tshark?.http2 ?? []) m.set(h.stream_id, { ...(m.get(h.stream_id) ?? {}), ...h.headers });
  return m;
}
