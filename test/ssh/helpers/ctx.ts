import type { DissectorContext, StreamSink } from '../../../src/core/dissector.js';

export interface Recorded { code: string; detail: string; dir: 0 | 1 | null }
export interface TunnelLog { proto: string | undefined; chunks: Array<{ dir: 0 | 1; data: Buffer }>; ends: number }

/** A DissectorContext that records anomalies and tunnelled bytes for assertions. */
export function testContext(): { ctx: DissectorContext; anomalies: Recorded[]; tunnels: TunnelLog[] } {
  const anomalies: Recorded[] = [];
  const tunnels: TunnelLog[] = [];
  const ctx: DissectorContext = {
    anomaly: (code, detail, dir) => void anomalies.push({ code, detail, dir: dir ?? null }),
    tunnel: (proto): StreamSink => {
      const log: TunnelLog = { proto, chunks: [], ends: 0 };
      tunnels.push(log);
      return {
        data: (dir, chunk) => void log.chunks.push({ dir, data: Buffer.from(chunk) }),
        gap: () => undefined,
        end: () => void log.ends++,
      };
    },
    secrets: null,
    decryptApp: false,
  };
  return { ctx, anomalies, tunnels };
}
